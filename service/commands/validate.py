"""`capplan validate`: check a backlog without solving it and summarise its work against capacity."""

from __future__ import annotations

from typing import Annotated

import typer

from api_schemas.problems import Problem
from api_schemas.service import RequestSummary, ValidateResponse
from service.commands.backlog import WHAT, load_request
from service.commands.plan import ApiKeyOption, BacklogArgument, ServerOption
from service.commands.remote import post
from service.commands.terminal import EXIT_INVALID, fail_invalid, read_json, say, write_output
from service.conflicts import certain_conflicts
from service.report import formatting as fmt
from service.request_summary import summarise_request
from solver.intake.limits import DEFAULT_LIMITS

#: Seconds the service gets to validate (no solve is involved).
_VALIDATE_TIMEOUT_S = 30.0


def _summary_text(summary: RequestSummary) -> str:
    lines = [
        f"valid: {fmt.plural(summary.issues, 'issue')} ({summary.estimated_issues} estimated, "
        f"{summary.unestimated_issues} without an estimate, {summary.done_issues} done), "
        f"{fmt.hours(summary.total_work_hours)} of work, {fmt.plural(summary.owners, 'owner')} "
        f"with {fmt.hours(summary.team_hours_per_day)} a day.",
    ]
    for milestone in summary.milestones:
        if milestone.due is None:
            lines.append(f"  {milestone.id}: {fmt.hours(milestone.work_hours)}, no due date")
            continue
        load = ""
        if milestone.capacity_hours is not None and milestone.work_hours_due is not None:
            ratio = f", ratio {fmt.ratio(milestone.load_ratio)}" if milestone.load_ratio is not None else ""
            load = (f"; {fmt.hours(milestone.work_hours_due)} due by then against "
                    f"{fmt.hours(milestone.capacity_hours)} of capacity{ratio}")
        lines.append(f"  {milestone.id} due {fmt.day(milestone.due)}: {fmt.hours(milestone.work_hours)}{load}")
    return "\n".join(lines) + "\n"


def validate_command(
    backlog: BacklogArgument,
    json_output: Annotated[bool, typer.Option("--json", help="Print the validation report as JSON.")] = False,
    server: ServerOption = None,
    api_key: ApiKeyOption = None,
) -> None:
    """Check BACKLOG without planning it: every problem, and every rule no plan can meet, or a summary.

    Exit codes: 0 valid and plannable, 1 invalid (every problem on stderr) or valid but certain to be INFEASIBLE
    (a hard deadline before the start, a pin on a day nobody works: each on stderr), 2 usage, 3 service.
    """
    if server is not None:
        report = post(server, "/v1/plans/validate", _raw(backlog), ValidateResponse, WHAT, _VALIDATE_TIMEOUT_S,
                      api_key)
        if not report.valid:
            fail_invalid(report.problems, WHAT)
    else:
        request = load_request(backlog)
        report = ValidateResponse(valid=True, conflicts=certain_conflicts(request),
                                  summary=summarise_request(request, DEFAULT_LIMITS))
    if json_output:
        write_output((report.model_dump_json(indent=2) + "\n").encode(), None, binary=False)
    elif report.summary is not None:
        write_output(_summary_text(report.summary).encode(), None, binary=False)
    if report.conflicts:
        count = len(report.conflicts)
        say(f"capplan: the {WHAT} is valid, but no plan can meet {count} of its rule{'s' if count != 1 else ''} "
            "(planning it gives INFEASIBLE):")
        for conflict in report.conflicts:
            say(f"  - {conflict.message}")
        raise typer.Exit(EXIT_INVALID)


def _raw(backlog: str) -> dict[str, object]:
    """The backlog file's JSON object, sent to the service as it is so it reports every problem itself."""
    data = read_json(backlog, WHAT)
    if not isinstance(data, dict):
        fail_invalid([Problem(loc=[], code="invalid_request", message="request: must be a JSON object")], WHAT)
    return data
