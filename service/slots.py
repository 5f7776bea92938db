"""`POST /v1/plans/slots`: parse and check a slot request, then plan its base and its re-plans on the pool."""

from __future__ import annotations

from pydantic import ValidationError

from api_schemas.problems import Problem
from api_schemas.slots import SlotRequest, SlotResponse
from service.planning import PlanningService
from service.pool import SolvePool
from service.problems import invalid_request, problems_of
from solver.intake.validation import raw_size_problems
from solver.slots import slot_options, slot_problems, slot_requests


def parse_slot_request(data: object, planning: PlanningService) -> SlotRequest:
    """A checked slot request (the service's caps applied to its request), or a 422 naming every problem."""
    raw = data.get("request") if isinstance(data, dict) else None
    too_many = [_under(problem) for problem in raw_size_problems(raw, planning.limits)]
    if too_many:
        raise invalid_request(too_many, "slot request")
    try:
        parsed = SlotRequest.model_validate(data)
    except ValidationError as error:
        raise invalid_request(problems_of(error, data), "slot request") from None
    parsed.request = planning.effective(parsed.request)
    problems = [
        problem if problem.loc[:1] == ["issue"] else _under(problem)
        for problem in slot_problems(parsed.request, parsed.issue, planning.limits)
    ]
    if problems:
        raise invalid_request(problems, "slot request")
    return parsed


def _under(problem: Problem) -> Problem:
    return problem.model_copy(update={"loc": ["request", *problem.loc]})


def slot_replans_admitted(pool: SolvePool) -> int:
    """Re-plans a slot search runs at most: what the pool admits at once (its workers and queue)."""
    return pool.workers + pool.queue_depth


async def find_slots_on_pool(planning: PlanningService, slot: SlotRequest) -> SlotResponse:
    """The base plan, then every candidate re-plan in parallel on the pool, ranked into options."""
    (base,) = await planning.plan_all([slot.request])
    candidates = slot_requests(slot.request, slot.issue, base, slot.max_options, slot_replans_admitted(planning.pool))
    results = await planning.plan_all([candidate.request for candidate in candidates], warm_start=base)
    return slot_options(slot.issue, base, results, slot.max_options)
