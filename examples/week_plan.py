"""Produce the recommended week plan of a backlog in one command.

    python examples/week_plan.py                                   # the reference backlog, planned in-process
    python examples/week_plan.py BACKLOG.json --out-dir week-plan  # also CSV, load table, ICS, PNG, HTML
    python examples/week_plan.py --server http://127.0.0.1:8000    # plan on a running `capplan serve`
    python examples/week_plan.py --forecast                        # with the forecast (docs/forecast.md)

The Markdown week plan goes to stdout; with --out-dir every other format is written beside it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from api_schemas.request import ForecastOptions, PlanRequest
from api_schemas.result import PlanResult
from service.commands.remote import ServiceError, call_service
from service.report import ReportFormat, render
from service.report.week_plan import DEFAULT_DAYS
from solver.planner import plan

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


def plan_on_server(request: PlanRequest, server: str) -> PlanResult:
    """Plan through the HTTP service (POST /v1/plans) with the command line's client; raises ServiceError."""
    body = request.model_dump(mode="json")
    return call_service(server, "/v1/plans", body, PlanResult, request.options.time_limit_s)


def main(argv: list[str] | None = None) -> int:
    """Plan the backlog, print the week plan, and write the other formats when asked."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("backlog", nargs="?", type=Path, default=REFERENCE_BACKLOG, help="plan request JSON file")
    parser.add_argument("--server", metavar="URL", help="plan on this capplan service instead of in-process")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="days in the day-by-day table")
    parser.add_argument("--out-dir", type=Path, help="also write every format into this directory")
    parser.add_argument("--forecast", action="store_true",
                        help="also forecast the plan: chances on time, P50/P85/P95, the extension at 85 %% confidence")
    args = parser.parse_args(argv)

    request = PlanRequest.model_validate(json.loads(args.backlog.read_text(encoding="utf-8")))
    if args.forecast and request.options.forecast is None:
        request.options.forecast = ForecastOptions()
    try:
        result = plan_on_server(request, args.server) if args.server else plan(request)
    except ServiceError as error:
        sys.stderr.write(f"week_plan.py: {error}\n" + "".join(f"  - {p.message}\n" for p in error.problems))
        return 1
    sys.stdout.write(render(ReportFormat.MD, request, result, args.days).decode())
    if args.out_dir is not None:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for report_format, name in FILE_NAMES.items():
            (args.out_dir / name).write_bytes(render(report_format, request, result, args.days))
        sys.stderr.write(f"wrote {', '.join(FILE_NAMES.values())} into {args.out_dir}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
