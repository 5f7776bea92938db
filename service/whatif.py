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
from service.diff import diff_plans, plan_summary
from service.patch_errors import patch_problem
from service.plan_fit import plan_fit_problems, plan_type_problems
from service.problems import invalid_request, problems_of
from solver.calendars.working_time import TeamCalendar
from solver.intake.limits import Limits
from solver.intake.validation import Adjust, check_request, raw_size_problems, validate_request


def parse_what_if(data: object, limits: Limits, max_scenarios: int, prepare: Adjust) -> WhatIfRequest:
    """Parse a what-if body and check its base, or raise a 422 listing every problem (base ones with their ids).

    The returned request's base has the service's caps applied (`prepare`).
    """
    too_many = _raw_size_problems(data, limits)
    if too_many:
        raise invalid_request(too_many, "what-if request")
    try:
        what_if = WhatIfRequest.model_validate(data)
    except ValidationError as error:
        raise invalid_request(_what_if_problems(error, data), "what-if request") from None
    what_if.base = prepare(what_if.base)
    problems = [_under(["base"], problem) for problem in validate_request(what_if.base, limits)]
    if what_if.baseline_plan is not None and isinstance(data, dict):
        problems.extend(plan_type_problems(data.get("baseline_plan"), "baseline_plan"))
    if what_if.baseline_plan is not None and not problems:
        advice = "plan the base again or leave baseline_plan out"
        problems.extend(plan_fit_problems(what_if.base, what_if.baseline_plan, "baseline_plan", "base", advice))
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


def _raw_size_problems(data: object, limits: Limits) -> list[Problem]:
    """The base's count caps, and the baseline plan's issues against them, read before pydantic parses them."""
    if not isinstance(data, dict):
        return []
    problems = [_under(["base"], problem) for problem in raw_size_problems(data.get("base"), limits)]
    plan = data.get("baseline_plan")
    issues = plan.get("issues") if isinstance(plan, dict) else None
    if isinstance(issues, list) and len(issues) > limits.max_issues:
        problems.append(
            Problem(
                loc=["baseline_plan", "issues"],
                code="too_many_issues",
                message=f"baseline_plan has {len(issues)} issues; at most {limits.max_issues} are allowed.",
            )
        )
    return problems


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


#: JSON a scenario's `copy` operations may add to its document, in bytes: a copied issue or owner takes a few
#: hundred, while copies of copies double the document at each step (22 of them made 4 million nodes).
MAX_COPIED_BYTES = 256 * 1024


def against_baseline(requests: Sequence[PlanRequest], baseline: PlanResult) -> list[PlanRequest]:
    """Each scenario with the base plan as its `baseline` (docs/model.md, "Living plans").

    Its differences are then the scenario's own, not needless swaps.
    """
    return [request.model_copy(update={"baseline": baseline.issues}) for request in requests]


def scenario_requests(
    base: PlanRequest, scenarios: Sequence[Scenario], limits: Limits, prepare: Adjust | None = None
) -> list[PlanRequest]:
    """The checked request of each scenario (base plus its patch, then `prepare`), or a 422 with every problem of all.

    The service's what-if and `capplan what-if` both apply their scenarios here.
    """
    base_document = base.model_dump(mode="json")
    base_size = json_size(base_document)
    requests: list[PlanRequest] = []
    problems: list[Problem] = []
    for index, scenario in enumerate(scenarios):
        request, found = _scenario_request(base_document, base_size, index, scenario, limits, prepare)
        problems.extend(found)
        if request is not None:
            requests.append(request)
    if problems:
        raise invalid_request(problems, "what-if request")
    return requests


def _scenario_request(
    base_document: dict[str, Any],
    base_size: int,
    index: int,
    scenario: Scenario,
    limits: Limits,
    prepare: Adjust | None,
) -> tuple[PlanRequest | None, list[Problem]]:
    """Apply one scenario's operations in order; stop at the first that does not apply or grows it past its bound.

    The document's size is a running estimate (compact JSON bytes, never lowered by a removal): the base, what
    the operations add, and what they copy. Values added come from the request body, so only copies can
    amplify it; they may add at most `MAX_COPIED_BYTES`, checked before each copy is made.
    """
    document: Any = copy.deepcopy(base_document)
    operations = [operation.as_rfc6902() for operation in scenario.patch]
    targets = [operation.path for operation in scenario.patch]
    size = base_size
    limit = base_size + sum(json_size(operation.get("value")) for operation in operations) + MAX_COPIED_BYTES
    for position, operation in enumerate(operations):
        what = f"Scenario '{scenario.name}', operation {position} ({_describe(scenario.patch[position])})"
        try:
            operation = _by_index(document, operation)
        except IdPathError as error:
            return None, [Problem(loc=["scenarios", index, "patch", position], code="patch_failed",
                                  message=f"{what} does not apply: {error}")]
        targets[position] = operation["path"]
        added = _added_size(document, operation, limit - size)
        if size + added > limit:
            return None, [_too_large(index, scenario, position, limit)]
        reason = patch_problem(document, operation)  # the library's own messages show Python internals
        if reason is None:
            try:
                document = jsonpatch.apply_patch(document, [operation], in_place=True)
            except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException):
                reason = "it does not fit the request at that point"
        if reason is not None:
            message = f"{what} does not apply: {reason}."
            return None, [Problem(loc=["scenarios", index, "patch", position], code="patch_failed", message=message)]
        size += added
    request, problems = check_request(document, limits, adjust=prepare)
    return request, [_blame(index, scenario, problem, targets) for problem in problems]


#: Lists whose elements a what-if path may name by id ('/issues/#975/estimate_hours'), as well as by index.
ID_ADDRESSED_LISTS = ("issues", "owners", "milestones")


class IdPathError(ValueError):
    """A path names an issue, owner or milestone by an id the document does not have."""


def _by_index(document: Any, operation: dict[str, Any]) -> dict[str, Any]:
    """The operation with ids in its pointers replaced by the elements' current indices (RFC 6902 paths kept).

    capplan's extension of RFC 6902: in `/issues/<id>/...`, `/owners/<id>/...` and `/milestones/<id>/...`
    a segment that is not an index (digits) or '-' names the element whose `id` it is ('~1' for '/', '~0' for '~').
    """
    translated = dict(operation)
    for key in ("path", "from"):
        if isinstance(operation.get(key), str):
            translated[key] = _pointer_by_index(document, operation[key])
    return translated


def _pointer_by_index(document: Any, pointer: str) -> str:
    parts = pointer.split("/")
    if len(parts) < 3 or parts[1] not in ID_ADDRESSED_LISTS or parts[2].isdigit() or parts[2] == "-":
        return pointer
    identifier = parts[2].replace("~1", "/").replace("~0", "~")
    elements = document.get(parts[1]) if isinstance(document, dict) else None
    for position, element in enumerate(elements if isinstance(elements, list) else []):
        if isinstance(element, dict) and element.get("id") == identifier:
            return "/".join([*parts[:2], str(position), *parts[3:]])
    kind = parts[1][:-1]
    raise IdPathError(f"there is no {kind} '{identifier}' at {pointer} (a path names {kind}s by index or by id)")


def _added_size(document: Any, operation: dict[str, Any], room: int) -> int:
    """Bytes an operation adds to the document: its value, or what it copies (counted only up to past `room`)."""
    if operation["op"] in ("add", "replace"):
        return json_size(operation["value"])
    if operation["op"] != "copy":
        return 0
    try:
        source = jsonpointer.resolve_pointer(document, operation["from"])
    except (jsonpointer.JsonPointerException, TypeError, KeyError, IndexError):
        return 0  # applying it reports what is wrong
    return json_size(source, room)


def _too_large(index: int, scenario: Scenario, position: int, limit: int) -> Problem:
    """The problem of an operation that would grow the scenario's document past its bound."""
    what = f"Scenario '{scenario.name}', operation {position} ({_describe(scenario.patch[position])})"
    return Problem(
        loc=["scenarios", index, "patch", position],
        code="scenario_too_large",
        message=f"{what} copies too much: a scenario's copy operations may add at most {MAX_COPIED_BYTES // 1024} "
        f"KiB of JSON to the request, and this one would grow it past {limit} bytes.",
    )


def json_size(value: object, limit: int | None = None) -> int:
    """Length of `value` as compact JSON (strings counted unescaped), counted only until it passes `limit`.

    Walks the value without serialising it, so measuring a huge value costs no more than `limit`.
    """
    size = 0
    stack = [value]
    while stack and (limit is None or size <= limit):
        item = stack.pop()
        if isinstance(item, dict):
            size += 1 + len(item)  # braces, colons and commas
            for key, child in item.items():
                size += len(key) + 2
                stack.append(child)
        elif isinstance(item, list):
            size += 1 + len(item)
            stack.extend(item)
        elif isinstance(item, str):
            size += len(item) + 2
        elif item is None or isinstance(item, bool):
            size += 5
        else:
            size += len(repr(item))
    return size


def _describe(operation: PatchOperation) -> str:
    """'replace /issues/2/estimate_hours' or 'move /a -> /b'."""
    if operation.from_ is not None:
        return f"{operation.op} {operation.from_} -> {operation.path}"
    return f"{operation.op} {operation.path}"


def _blame(index: int, scenario: Scenario, problem: Problem, targets: Sequence[str]) -> Problem:
    """Restate a problem of a patched request against the scenario and, when it can tell, the operation.

    `targets` are the operations' paths with ids replaced by indices, as the problem's `loc` has them.
    """
    position = _operation_touching(problem.loc, targets)
    if position is None:
        where = f"Scenario '{scenario.name}' (after its {len(scenario.patch)} operation(s))"
        loc: list[str | int] = ["scenarios", index, "patch"]
    else:
        where = f"Scenario '{scenario.name}', operation {position} ({_describe(scenario.patch[position])})"
        loc = ["scenarios", index, "patch", position]
    return Problem(loc=loc, code=problem.code, message=f"{where} makes the request invalid: {problem.message}",
                   ids=problem.ids)


def _operation_touching(loc: Sequence[str | int], targets: Sequence[str]) -> int | None:
    """The last operation whose target contains the problem's field, or lies inside it."""
    field = [str(part) for part in loc]
    for position in range(len(targets) - 1, -1, -1):
        try:
            target = jsonpointer.JsonPointer(targets[position]).parts
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
