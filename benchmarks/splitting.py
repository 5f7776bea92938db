"""Splitting on against off (docs/model.md, "Interruptible work"): the same instances planned both ways.

`python -m benchmarks.splitting` plans each generated size twice, in its own process (peak memory is its own),
with `options.splittable` off and on, and prints a Markdown table: status, the lexicographic comparison (on
against off, at the first level that differs), pieces per issue, wall time, budget charged, the first plan's
progress step and the first plan built and checked (as a client watching progress gets it), and peak memory. An
unsplit plan is valid with splitting on (and is its start), so splitting should never be worse. A second table
fills the very plan splitting off returned, as splitting on fills its twin's plan: the gain without the noise of
two searches cut at different points by a loaded machine's clock.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from benchmarks.evaluation import compare
from benchmarks.instances import InstanceSpec
from benchmarks.runner import run_job

#: Seconds a job may run beyond its time limit before it is reported as hung.
JOB_SLACK_S = 120.0


def run_fill_job(size: str, time_limit_s: float, seed: int = 0) -> dict[str, Any]:
    """The size planned with splitting off, and that very plan filled with pieces (`benchmarks.fill_run`)."""
    spec = InstanceSpec(size, seed, time_limit_s=time_limit_s)
    return run_job({"kind": "fill", "instance": spec.as_dict()}, time_limit_s + JOB_SLACK_S)


def fill_table(fills: list[tuple[str, dict[str, Any]]]) -> str:
    """The Markdown table of splitting's gain on the same plan: off against the same plan filled."""
    lines = [
        "| size | off plan, filled vs off | split issues | fill s | violations |",
        "|---|---|---|---|---|",
    ]
    for size, run in fills:
        if "error" in run:
            lines.append(f"| {size} | error: {run['error']} | | | |")
            continue
        shared = len(run["off"])
        side = compare(run["filled"], run["off"])
        if side == 0:
            verdict = "same"
        else:
            level = next(i for i in range(shared) if run["filled"][i] != run["off"][i])
            word = "better" if side < 0 else "worse"
            name = run["levels"][level].split(" (")[0]
            verdict = f"{word} ({name}: {run['off'][level]} -> {run['filled'][level]})"
        lines.append(
            f"| {size} | {verdict} | {run['split_issues']} / {run['issues']} | {run['fill_s']} | "
            f"{run['violation_count']} |"
        )
    return "\n".join(lines)


def run_pair(size: str, time_limit_s: float, seed: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    """The size planned with splitting off, then on (same instance)."""
    runs = []
    for splittable in (False, True):
        spec = InstanceSpec(size, seed, time_limit_s=time_limit_s, splittable=splittable)
        job = {"kind": "capplan", "instance": spec.as_dict(), "first_plan": True}
        runs.append(run_job(job, time_limit_s + JOB_SLACK_S))
    return runs[0], runs[1]


def _verdict(off: dict[str, Any], on: dict[str, Any]) -> str:
    """'same', or better/worse with the first level that differs (splitting on against off)."""
    shared = min(len(off["objective"]), len(on["objective"]))  # the pieces level exists only with splitting on
    side = compare(on["objective"][:shared], off["objective"][:shared])
    if side == 0:
        return "same"
    level = next(i for i in range(shared) if on["objective"][i] != off["objective"][i])
    word = "better" if side < 0 else "worse"
    return f"{word} ({on['levels'][level].split(' (')[0]}: {off['objective'][level]} -> {on['objective'][level]})"


def table(pairs: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> str:
    """The Markdown table of the pairs."""
    lines = [
        "| size | splitting | status | form | on vs off | pieces / issues | split issues | wall s | charged s "
        "| first plan s | first checked plan s | peak MiB | violations |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, off, on in pairs:
        for label, run in (("off", off), ("on", on)):
            if "error" in run:
                lines.append(f"| {size} | {label} | error: {run['error']} | | | | | | | | | | |")
                continue
            pieces = run["pieces"]
            verdict = _verdict(off, on) if label == "on" and "error" not in off else ""
            lines.append(
                f"| {size} | {label} | {run['status']} | {run['form']} | {verdict} | "
                f"{pieces['pieces']} / {pieces['issues']} | {pieces['split_issues']} | {run['wall_s']:.2f} | "
                f"{run['timing']['budget_charged_s'] if run['timing'] else '-'} | "
                f"{run['first_solution_s'] if run['first_solution_s'] is not None else '-'} | "
                f"{run['first_checked_plan_s'] if run['first_checked_plan_s'] is not None else '-'} | "
                f"{run['peak_rss_mib']:.0f} | {run['violation_count']} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Plan each size both ways and print the table (and the raw runs as JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["S", "M", "L", "XL"])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--json", help="also write every run to this file")
    args = parser.parse_args(argv)
    pairs = [(size, *run_pair(size, args.time_limit)) for size in args.sizes]
    fills = [(size, run_fill_job(size, args.time_limit)) for size in args.sizes]
    sys.stdout.write(table(pairs) + "\n\n" + fill_table(fills) + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            runs = [{"size": size, "off": off, "on": on} for size, off, on in pairs]
            json.dump({"pairs": runs, "fills": [{"size": size, **run} for size, run in fills]}, out, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
