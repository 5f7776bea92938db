"""Each job kind on the API side: check the request as its synchronous endpoint does, and write what a worker runs.

A request the endpoint would refuse with 422 is refused at submission (its problems' paths start with
'request'), so a queued job only fails for reasons of the solve itself. The payload carries the requests with
the service's caps applied, so a worker needs no parsing of its own beyond the contract.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from api_schemas.jobs import JobKind
from api_schemas.problems import Problem
from service.offload import off_loop
from service.planning import PlanningService, forecasting
from service.problems import ProblemError
from service.slots import parse_slot_request, slot_replans_admitted
from service.whatif import parse_what_if, scenario_requests
from solver.slots import most_owners, replan_seconds


@dataclass(frozen=True)
class PreparedJob:
    """What a worker runs (JSON text), with the time limit of each of its solves (its work, for admission)."""

    payload: str
    time_limits_s: list[float]
    #: Where a problem with the job's work points (the field that sets it).
    work_loc: list[str | int]


#: Turns a submission's request into a prepared job, or raises a 422 ProblemError.
Preparer = Callable[[object, PlanningService], Awaitable[PreparedJob]]


async def _plan(data: object, planning: PlanningService) -> PreparedJob:
    request = await off_loop(planning.parse, data)
    payload = json.dumps({"requests": [request.model_dump(mode="json")]})
    return PreparedJob(payload, [request.options.time_limit_s], ["request", "options", "time_limit_s"])


async def _forecast(data: object, planning: PlanningService) -> PreparedJob:
    """A plan job with `options.forecast` at its defaults unless the request sets it, as POST /v1/plans/forecast."""
    return await _plan(forecasting(data), planning)


async def _slots(data: object, planning: PlanningService) -> PreparedJob:
    """The base plan, then up to two re-plans per owner tried (the request's time limit shared among them)."""
    slot = await off_loop(parse_slot_request, data, planning)
    limit = float(slot.request.options.time_limit_s)
    replans = 2 * most_owners(slot.max_options, slot_replans_admitted(planning.pool))
    payload = json.dumps({"slot": slot.model_dump(mode="json"), "requests": [slot.request.model_dump(mode="json")]})
    return PreparedJob(payload, [limit] + [replan_seconds(limit, replans)] * replans,
                       ["request", "options", "time_limit_s"])


async def _what_if(data: object, planning: PlanningService) -> PreparedJob:
    limits, caps = planning.limits, planning.effective
    parsed = await off_loop(parse_what_if, data, limits, planning.settings.max_scenarios, caps)
    scenarios = await off_loop(scenario_requests, parsed.base, parsed.scenarios, limits, caps)
    requests = scenarios if parsed.baseline_plan is not None else [parsed.base, *scenarios]
    payload = json.dumps({
        "what_if": parsed.model_dump(mode="json"),
        "requests": [request.model_dump(mode="json") for request in requests],
    })
    return PreparedJob(payload, [request.options.time_limit_s for request in requests], ["request", "scenarios"])


async def _validate(data: object, planning: PlanningService) -> PreparedJob:
    return PreparedJob(json.dumps({"data": data}), [], ["request"])


PREPARERS: dict[JobKind, Preparer] = {
    JobKind.PLAN: _plan,
    JobKind.FORECAST: _forecast,
    JobKind.WHAT_IF: _what_if,
    JobKind.SLOTS: _slots,
    JobKind.VALIDATE: _validate,
}


async def prepare_job(kind: JobKind, data: object, planning: PlanningService) -> PreparedJob:
    """The worker's payload of a submission and its work, or a 422 whose problems name fields under 'request'."""
    try:
        return await PREPARERS[kind](data, planning)
    except ProblemError as error:
        if error.status != 422:
            raise
        errors = [_under_request(problem) for problem in error.errors]
        raise ProblemError(error.status, error.kind, error.detail, errors, error.headers) from None


def _under_request(problem: Problem) -> Problem:
    return problem.model_copy(update={"loc": ["request", *problem.loc]})
