"""`capplan plan`: plan a backlog and write the week plan, the raw result, tables, a calendar or a chart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult, SolveStatus
from service.commands.backlog import WHAT, load_request, with_baseline_file
from service.commands.forecast_options import HistoryOption, load_forecast_request
from service.commands.progress import SolveProgress
from service.commands.remote import post
from service.commands.terminal import EXIT_INVALID, fail_check, say, write_output
from service.report import ReportFormat, render
from service.report.week_plan import DEFAULT_DAYS
from solver.planner import plan
from solver.verification import PlanCheckError

BacklogArgument = Annotated[str, typer.Argument(metavar="BACKLOG", help="Plan request JSON file ('-' reads stdin).")]
ServerOption = Annotated[
    str | None,
    typer.Option("--server", metavar="URL", help="Plan on a running capplan service (e.g. http://127.0.0.1:8000) "
                 "instead of in this process."),
]
ApiKeyOption = Annotated[
    str | None, typer.Option("--api-key", envvar="CAPPLAN_API_KEY", help="Bearer key of the service, if it asks.")
]
TimeLimitOption = Annotated[
    float | None,
    typer.Option("--time-limit", min=0.01, max=3600, metavar="SECONDS", help="Override the request's time limit."),
]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", metavar="FILE", help="Write here instead of stdout.")]


def solve(
    request: PlanRequest, server: str | None, api_key: str | None, warm_start: PlanResult | None = None
) -> PlanResult:
    """Plan in this process (with progress on a terminal; from `warm_start` when given) or on the service.

    `request` has been checked (`load_request`, `scenario_requests`), so the planner does not check it again.
    """
    if server is not None:
        body = request.model_dump(mode="json")
        return post(server, "/v1/plans", body, PlanResult, WHAT, request.options.time_limit_s, api_key)
    try:
        with SolveProgress() as progress:
            return plan(request, progress=progress, warm_start=warm_start, validated=True)
    except PlanCheckError as error:
        fail_check(error.violations)


def plan_command(
    backlog: BacklogArgument,
    report_format: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="md: the week plan; json: the full result; csv: one row per slot; "
                     "load-csv: hours per owner and day; ics: calendar of slots; png: Gantt chart; "
                     "html: the week plan with the chart, in one self-contained file."),
    ] = ReportFormat.MD,
    out: OutOption = None,
    days: Annotated[
        int, typer.Option(min=1, max=366, help="Calendar days in the week plan's day-by-day table.")
    ] = DEFAULT_DAYS,
    server: ServerOption = None,
    api_key: ApiKeyOption = None,
    time_limit: TimeLimitOption = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", metavar="LAST.json", help="The last plan (its JSON result, or its issues): the "
                     "new plan keeps it where lateness allows and the week plan lists the changes."),
    ] = None,
    forecast: Annotated[
        bool, typer.Option("--forecast", help="Also forecast the plan: each milestone's chance to be on time, its "
                           "P50/P85/P95 dates and the extension at 85 % confidence (docs/forecast.md).")
    ] = False,
    history: HistoryOption = None,
) -> None:
    """Plan BACKLOG and write the week plan (or another format) to stdout or --out.

    Exit codes: 0 planned, 1 invalid input (every problem on stderr) or no plan exists (INFEASIBLE: the report
    is written, the conflicts go to stderr), 2 usage error, 3 service unreachable, 4 the plan failed its
    independent check (a bug: nothing is written).
    """
    wants_forecast = forecast or history is not None
    request = (
        load_forecast_request(backlog, time_limit, {}, history)
        if wants_forecast
        else load_request(backlog, time_limit, baseline)
    )
    if wants_forecast and baseline is not None:
        request = with_baseline_file(request, baseline)
    result = solve(request, server, api_key)
    write_output(render(report_format, request, result, days), out, report_format.is_binary)
    exit_if_infeasible(result)


def exit_if_infeasible(result: PlanResult) -> None:
    """No plan satisfies the hard rules: name each conflict on stderr and exit 1, as for invalid input."""
    if result.status is not SolveStatus.INFEASIBLE:
        return
    say(f"capplan: no plan satisfies the backlog's hard rules (INFEASIBLE); {len(result.infeasibility)} "
        f"conflict{'s' if len(result.infeasibility) != 1 else ''}:")
    for conflict in result.infeasibility:
        say(f"  - {conflict}")
    raise typer.Exit(EXIT_INVALID)
