"""`capplan what-if`: plan a backlog and changed copies of it (JSON Patch files) and show what moves."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from api_schemas.request import PlanRequest
from api_schemas.service import Scenario, WhatIfResponse
from service.commands.backlog import load_request
from service.commands.plan import ApiKeyOption, BacklogArgument, OutOption, ServerOption, TimeLimitOption, solve
from service.commands.remote import post
from service.commands.terminal import fail_invalid, read_json, write_output
from service.report.what_if import what_if_markdown
from solver.intake.limits import DEFAULT_LIMITS
from solver.intake.validation import problems_from_pydantic

#: What a what-if run is called in messages.
WHAT = "what-if request"


def _scenario(name: str) -> Scenario:
    """A patch file: a JSON Patch list (named after the file) or a scenario object {name, description, patch}."""
    data = read_json(name, "patch file")
    document: Any = {"name": Path(name).stem, "patch": data} if isinstance(data, list) else data
    try:
        return Scenario.model_validate(document)
    except ValidationError as error:
        problems = problems_from_pydantic(error, document)
        fail_invalid([p.model_copy(update={"message": f"{name}: {p.message}"}) for p in problems], "patch file")


def _local(base: PlanRequest, scenarios: list[Scenario]) -> WhatIfResponse:
    """Plan the base, then each scenario in this process from the base's plan; compare as the service does."""
    from service.problems import ProblemError  # the service's what-if, loaded only for this command
    from service.whatif import against_baseline, compare_plans, scenario_requests

    try:
        requests = scenario_requests(base, scenarios, DEFAULT_LIMITS)
    except ProblemError as error:
        fail_invalid(list(error.errors), WHAT)
    baseline = solve(base, None, None)
    results = [solve(request, None, None, warm_start=baseline) for request in against_baseline(requests, baseline)]
    return compare_plans(base, scenarios, baseline, results)


def what_if_command(
    backlog: BacklogArgument,
    patches: Annotated[
        list[str],
        typer.Argument(metavar="PATCH...", help="JSON files, each a JSON Patch (RFC 6902) of the backlog or a "
                       "scenario object {\"name\", \"description\", \"patch\"}."),
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print the full comparison as JSON.")] = False,
    out: OutOption = None,
    server: ServerOption = None,
    api_key: ApiKeyOption = None,
    time_limit: TimeLimitOption = None,
) -> None:
    """Compare BACKLOG's plan with the plan of each PATCH applied to it: milestones moved, issues late or on time.

    Exit codes: 0 compared, 1 invalid backlog or patch (every problem on stderr), 2 usage, 3 service unreachable.
    """
    base = load_request(backlog, time_limit)
    scenarios = [_scenario(name) for name in patches]
    if server is not None:
        body = {"base": base.model_dump(mode="json"), "scenarios": [s.model_dump(mode="json", by_alias=True,
                                                                                 exclude_unset=True)
                                                                    for s in scenarios]}
        budget = base.options.time_limit_s * (len(scenarios) + 1)
        response = post(server, "/v1/plans/what-if", body, WhatIfResponse, WHAT, budget, api_key)
    else:
        response = _local(base, scenarios)
    text = response.model_dump_json(indent=2) + "\n" if json_output else what_if_markdown(response)
    write_output(text.encode(), out, binary=False)
