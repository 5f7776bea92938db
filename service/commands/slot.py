"""`capplan slot`: where could one new issue go, by whom, and what would each place move."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from api_schemas.request import Issue
from api_schemas.slots import SlotResponse
from service.commands.backlog import load_request
from service.commands.plan import ApiKeyOption, BacklogArgument, OutOption, ServerOption, TimeLimitOption
from service.commands.remote import post
from service.commands.terminal import fail_check, fail_invalid, read_json, write_output
from service.report import formatting as fmt
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import problems_from_pydantic
from solver.slots import find_slots
from solver.verification import PlanCheckError

#: What a slot run is called in messages.
WHAT = "slot request"


def _new_issue(name: str) -> Issue:
    data = read_json(name, "new issue")
    try:
        return Issue.model_validate(data)
    except ValidationError as error:
        fail_invalid(problems_from_pydantic(error, data), "new issue")


def slot_markdown(response: SlotResponse) -> str:
    """The options as a Markdown table, free capacity first."""
    if not response.options:
        return f"# No slot for {response.issue}\n\n{response.message or ''}\n"
    lines = [
        f"# Slots for {response.issue}",
        "",
        "| # | Owner | Start | Finish | Late (working days) | Moves | Lateness others gain |",
        "|---|---|---|---|---|---|---|",
    ]
    for rank, option in enumerate(response.options, start=1):
        moves = "nothing (free capacity)" if option.fits_free_capacity else fmt.listed([m.id for m in option.moves])
        lines.append(
            f"| {rank} | {option.owner} | {fmt.instant(option.start)} | {fmt.instant(option.finish)} | "
            f"{option.lateness_working_days} | {moves} | {option.lateness_gained_working_days} |"
        )
    return "\n".join(lines) + "\n"


def slot_command(
    backlog: BacklogArgument,
    new_issue: Annotated[str, typer.Argument(metavar="NEW_ISSUE.json", help="The new issue (an issue object).")],
    options: Annotated[int, typer.Option("--options", "-k", min=1, max=10, help="At most this many options.")] = 3,
    json_output: Annotated[bool, typer.Option("--json", help="Print the options as JSON.")] = False,
    out: OutOption = None,
    server: ServerOption = None,
    api_key: ApiKeyOption = None,
    time_limit: TimeLimitOption = None,
    baseline: Annotated[
        str | None, typer.Option("--baseline", metavar="LAST.json", help="The last plan, to keep where possible.")
    ] = None,
) -> None:
    """Find up to K places for NEW_ISSUE in BACKLOG's plan, those that move nothing else first.

    Exit codes: 0 found (or none possible), 1 invalid input, 2 usage, 3 service unreachable, 4 a failed check.
    """
    request = load_request(backlog, time_limit, baseline)
    issue = _new_issue(new_issue)
    if server is not None:
        body = {"request": request.model_dump(mode="json"), "issue": issue.model_dump(mode="json"),
                "max_options": options}
        budget = request.options.time_limit_s * 3
        response = post(server, "/v1/plans/slots", body, SlotResponse, WHAT, budget, api_key)
    else:
        try:
            response = find_slots(request, issue, options)
        except InvalidRequestError as error:
            fail_invalid(error.problems, WHAT)
        except PlanCheckError as error:
            fail_check(error.violations)
    text = response.model_dump_json(indent=2) + "\n" if json_output else slot_markdown(response)
    write_output(text.encode(), out, binary=False)
