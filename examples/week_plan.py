"""Produce the recommended week plan of a backlog in one command.

    python examples/week_plan.py                                   # the reference backlog, planned in-process
    python examples/week_plan.py BACKLOG.json --out-dir week-plan  # also CSV, load table, ICS, PNG, HTML
    python examples/week_plan.py --server http://127.0.0.1:8000    # plan on a running `capplan serve`
    python examples/week_plan.py --forecast                        # with the forecast (docs/forecast.md)

The Markdown week plan goes to stdout; with --out-dir every other format is written beside it. Errors are
those of `capplan plan`, with its exit codes: 1 invalid backlog (every problem listed) or INFEASIBLE,
2 usage (a missing file, a bad option), 3 the service cannot be reached, 4 the plan failed its check.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from service.commands.backlog import load_request
from service.commands.forecast_options import HistoryOption, load_forecast_request
from service.commands.plan import ApiKeyOption, ServerOption, TimeLimitOption, exit_if_infeasible, solve
from service.commands.terminal import say, write_output
from service.report import ReportFormat, render
from service.report.week_plan import DEFAULT_DAYS

REFERENCE_BACKLOG = Path(__file__).with_name("reference_backlog.json")
#: File written for each format with --out-dir.
FILE_NAMES = {
    ReportFormat.MD: "week-plan.md",
    ReportFormat.JSON: "plan.json",
    ReportFormat.CSV: "slots.csv",
    ReportFormat.LOAD_CSV: "load.csv",
    ReportFormat.ICS: "plan.ics",
    ReportFormat.PNG: "plan.png",
    ReportFormat.HTML: "plan.html",
}

app = typer.Typer(add_completion=False, help=__doc__, rich_markup_mode=None)


@app.command()
def week_plan(
    backlog: Annotated[str, typer.Argument(metavar="BACKLOG", help="Plan request JSON file ('-': stdin).")] = str(
        REFERENCE_BACKLOG
    ),
    server: ServerOption = None,
    api_key: ApiKeyOption = None,
    time_limit: TimeLimitOption = None,
    days: Annotated[int, typer.Option(min=1, max=366, help="Days in the day-by-day table.")] = DEFAULT_DAYS,
    out_dir: Annotated[Path | None, typer.Option(metavar="DIR", help="Also write every format here.")] = None,
    forecast: Annotated[
        bool,
        typer.Option(help="Also forecast the plan: chances on time, P50/P85/P95, the extension at 85 % confidence."),
    ] = False,
    history: HistoryOption = None,
) -> None:
    """Plan the backlog (in-process, or on --server), print the week plan, and write the other formats."""
    wants_forecast = forecast or history is not None
    request = (
        load_forecast_request(backlog, time_limit, {}, history) if wants_forecast else load_request(backlog, time_limit)
    )
    result = solve(request, server, api_key)
    write_output(render(ReportFormat.MD, request, result, days), None, binary=False)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for report_format, name in FILE_NAMES.items():
            (out_dir / name).write_bytes(render(report_format, request, result, days))
        say(f"wrote {', '.join(FILE_NAMES.values())} into {out_dir}")
    exit_if_infeasible(result)


def main(argv: list[str] | None = None) -> int:
    """Run the command as `capplan plan` runs: clean messages and its exit codes, never a traceback."""
    try:
        app(args=argv, prog_name="week_plan.py")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
