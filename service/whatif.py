"""What-if: parse a request, apply each scenario's JSON Patch to the base, check every result, compare the plans.

Patches apply to the base request as the API normalises it (every field present, with its default;
dependencies as objects), so `/owners/-` and `/issues/0/skills/-` work even when the client left a
list out. Every problem of every scenario is reported at once, naming the scenario and the operation.
The HTTP route and `capplan what-if` share the applying (`scenario_requests`) and the comparing (`compare_plans`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import jsonpatch
import jsonpointer
from pydantic import ValidationError

from api_schemas.problems import Problem
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from api_schemas.service import PatchOperation, Scenario, ScenarioOutcome, WhatIfRequest, WhatIfResponse
from checker.schedule_checker import check_schedule
from service.diff import diff_plans, plan_summary
from service.problems import invalid_request, problems_of
from solver.calendars.working_time import TeamCalendar
from solver.intake.limits import Limits
from solver.intake.validation import Adjust, check_request, validate_request


def parse_what_if(data: object, limits: Limits, max_scenarios: int, prepare: Adjust) -> WhatIfRequest:
    """Parse a what-if body and check its base, or raise a 422 listing every problem (base ones with their ids).

    The returned request's base has the service's caps applied (`prepare`).
    """
    try:
        what_if = WhatIfRequest.model_validate(data)
    except ValidationError as error:
        raise invalid_request(_what_if_problems(error, data), "what-if request") from None
    what_if.base = prepare(what_if.base)
    problems = [_under(["base"], problem) for problem in validate_request(what_if.base, limits)]
    if what_if.baseline_plan is not None and not problems:
        problems.extend(_baseline_plan_problems(what_if.base, what_if.baseline_plan))
    if len(what_if.scenarios) > max_scenarios:
        problems.append(
            Problem(
                loc=["scenarios"],
                code="too_many_scenarios",
                message=f"scenarios: {len(what_if.scenarios)} given, this service runs at most {max_scenarios}.",
            )
        )
    if problems:
        raise invalid_request(problems, "what-if request")
    return what_if


#: At most this many of a baseline plan's violations are listed (the count says how many there are).
MAX_BASELINE_VIOLATIONS = 10


def _baseline_plan_problems(base: PlanRequest, baseline_plan: PlanResult) -> list[Problem]:
    """The schedule checker's objections to `baseline_plan` as a plan of `base` (none when it fits)."""
    violations = check_schedule(base, baseline_plan)
    return [
        Problem(
            loc=["baseline_plan"],
            code="baseline_plan_does_not_fit",
            message=f"baseline_plan is not a valid plan of base ({len(violations)} violation(s); plan the base "
            f"again or leave baseline_plan out): {violation.message}",
            ids=violation.ids,
        )
        for violation in violations[:MAX_BASELINE_VIOLATIONS]
    ]


def _what_if_problems(error: ValidationError, data: object) -> list[Problem]:
    """Pydantic's errors; those inside `base` are re-derived from the base alone so they name issue ids."""
    base = data.get("base") if isinstance(data, dict) else None
    problems = [p for p in problems_of(error, data) if not (p.loc[:1] == ["base"] and len(p.loc) > 1)]
    if isinstance(base, dict):
        try:
            PlanRequest.model_validate(base)
        except ValidationError as base_error:
            problems = problems_of(base_error, base, prefix=["base"]) + problems
    return problems


def _under(prefix: list[str | int], problem: Problem) -> Problem:
    return problem.model_copy(update={"loc": [*prefix, *problem.loc]})


def scenario_requests(
    base: PlanRequest, scenarios: Sequence[Scenario], limits: Limits, prepare: Adjust | None = None
) -> list[PlanRequest]:
    """The checked request of each scenario (base plus its patch, then `prepare`), or a 422 with every problem of all.

    The service's what-if and `capplan what-if` both apply their scenarios here.
    """
    base_document = base.model_dump(mode="json")
    requests: list[PlanRequest] = []
    problems: list[Problem] = []
    for index, scenario in enumerate(scenarios):
        request, found = _scenario_request(base_document, index, scenario, limits, prepare)
        problems.extend(found)
        if request is not None:
            requests.append(request)
    if problems:
        raise invalid_request(problems, "what-if request")
    return requests


def _scenario_request(
    base_document: dict[str, Any], index: int, scenario: Scenario, limits: Limits, prepare: Adjust | None
) -> tuple[PlanRequest | None, list[Problem]]:
    """Apply one scenario's operations in order; stop at the first that does not apply."""
    document: Any = copy.deepcopy(base_document)
    for position, operation in enumerate(scenario.patch):
        try:
            document = jsonpatch.apply_patch(document, [operation.as_rfc6902()], in_place=True)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as error:
            what = f"Scenario '{scenario.name}', operation {position} ({_describe(operation)})"
            message = f"{what} does not apply: {error}"
            return None, [Problem(loc=["scenarios", index, "patch", position], code="patch_failed", message=message)]
    request, problems = check_request(document, limits, adjust=prepare)
    return request, [_blame(index, scenario, problem) for problem in problems]


def _describe(operation: PatchOperation) -> str:
    """'replace /issues/2/estimate_hours' or 'move /a -> /b'."""
    if operation.from_ is not None:
        return f"{operation.op} {operation.from_} -> {operation.path}"
    return f"{operation.op} {operation.path}"


def _blame(index: int, scenario: Scenario, problem: Problem) -> Problem:
    """Restate a problem of a patched request against the scenario and, when it can tell, the operation."""
    position = _operation_touching(problem.loc, scenario.patch)
    if position is None:
        where = f"Scenario '{scenario.name}' (after its {len(scenario.patch)} operation(s))"
        loc: list[str | int] = ["scenarios", index, "patch"]
    else:
        where = f"Scenario '{scenario.name}', operation {position} ({_describe(scenario.patch[position])})"
        loc = ["scenarios", index, "patch", position]
    return Problem(loc=loc, code=problem.code, message=f"{where} makes the request invalid: {problem.message}",
                   ids=problem.ids)


def _operation_touching(loc: Sequence[str | int], patch: Sequence[PatchOperation]) -> int | None:
    """The last operation whose target contains the problem's field, or lies inside it."""
    field = [str(part) for part in loc]
    for position in range(len(patch) - 1, -1, -1):
        try:
            target = jsonpointer.JsonPointer(patch[position].path).parts
        except jsonpointer.JsonPointerException:
            continue
        common = min(len(target), len(field))
        if target[:common] == field[:common]:
            return position
    return None


def compare_plans(
    base: PlanRequest,
    scenarios: Sequence[Scenario],
    baseline: PlanResult,
    results: Sequence[PlanResult],
    include_plans: bool = False,
) -> WhatIfResponse:
    """A what-if's answer (the service's and `capplan what-if`'s): summaries and each scenario's differences."""
    team = TeamCalendar(base.calendar)
    return WhatIfResponse(
        baseline=plan_summary(baseline),
        baseline_plan=baseline if include_plans else None,
        scenarios=[
            ScenarioOutcome(
                name=scenario.name,
                summary=plan_summary(result),
                diff=diff_plans(baseline, result, team),
                plan=result if include_plans else None,
            )
            for scenario, result in zip(scenarios, results, strict=True)
        ],
    )
