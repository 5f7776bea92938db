"""`python -m benchmarks [--quick]`: run the suite, print the tables, write the JSON and optionally the docs."""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

from benchmarks.report import forecast_table, render_markdown, speed_sentence, summarise, summarise_forecast
from benchmarks.runner import FULL, QUICK, ROOT, run_forecasts, run_suite

DOCS = ROOT / "docs" / "benchmarks.md"
README = ROOT / "README.md"
START_MARK, END_MARK = "<!-- results:start -->", "<!-- results:end -->"


def _log(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def update_docs(markdown: str, paths: tuple[Path, ...] = (DOCS, README)) -> None:
    """Replace the results block of the benchmark page and of the README with the latest tables."""
    block = f"{START_MARK}\n{markdown}{END_MARK}"
    for path in paths:
        text = path.read_text(encoding="utf-8")
        updated = re.sub(re.escape(START_MARK) + ".*?" + re.escape(END_MARK), lambda _: block, text, flags=re.S)
        path.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="size S, short limits, two STG graphs (under 2 min)")
    parser.add_argument("--sizes", help="comma-separated sizes to run instead (S,M,L,XL; 'none' for STG only)")
    parser.add_argument("--stg-all", action="store_true", help="all 720 STG cases (about 4-5 minutes)")
    parser.add_argument("--no-stg", action="store_true", help="skip the STG set")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json",
                        help="where to write the raw records and the summary")
    parser.add_argument("--update-docs", action="store_true",
                        help="put the tables into docs/benchmarks.md and the README")
    parser.add_argument("--forecast", action="store_true",
                        help="only the forecast benchmark: plan M and XL, forecast 10,000 samples (about 2 minutes)")
    parser.add_argument("--render", type=Path, metavar="JSON", help="only print (and with --update-docs, publish) "
                        "the tables of an earlier run's JSON")
    args = parser.parse_args(argv)
    if args.render:
        markdown = render_markdown(summarise(json.loads(args.render.read_text(encoding="utf-8"))["raw"]))
        sys.stdout.write(markdown)
        if args.update_docs:
            update_docs(markdown)
        return 0
    config = QUICK if args.quick else FULL
    if args.forecast:
        raw = run_forecasts(config, _log)
        machine = raw["machine"]
        sys.stdout.write(
            f"Run {raw['started']} ({raw['duration_s']:.0f} s) on {machine['cpu_model']}, {machine['cores']} cores, "
            f"{machine['memory_gib']} GiB; commit {machine['commit']}.{speed_sentence(machine)}\n\n"
            + "\n".join(forecast_table(summarise_forecast(raw["records"]))) + "\n"
        )
        errors = [record for record in raw["records"] if "error" in record]
        for error in errors:
            _log(f"forecast: ERROR {error['error']}")
        return 1 if errors else 0
    if args.sizes:
        config = replace(config, sizes=tuple(s.strip() for s in args.sizes.split(",") if s.strip() not in ("", "none")))
    if args.stg_all:
        config = replace(config, stg_graph_step=1, stg_graph_count=None)
    raw = run_suite(config, _log, include_stg=not args.no_stg)
    summary = summarise(raw)
    markdown = render_markdown(summary)
    sys.stdout.write(markdown)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"summary": summary, "raw": raw}, indent=1), encoding="utf-8")
    _log(f"wrote {args.json}")
    if args.update_docs:
        update_docs(markdown)
        _log(f"updated {DOCS} and {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
