"""`plan()`: the library entry point that validates, prepares, solves and reports a plan request."""

from __future__ import annotations

import time
from functools import partial

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult, SolveStatus
from solver.errors import InvalidRequestError
from solver.greedy import greedy_schedule, meets_hard_deadlines
from solver.limits import DEFAULT_LIMITS, Limits
from solver.model import build_model
from solver.problem import Problem, prepare
from solver.recommend import Planning, recommend
from solver.result import build_result
from solver.schedule import Schedule, global_span
from solver.search import ProgressCallback, SearchOutcome, solve_levels
from solver.validation import validate_request

#: Share of the time limit the plan itself may use when recommendations are asked for (unused time rolls over).
PLAN_SHARE = 0.6


def _last_day(problem: Problem, schedule: Schedule) -> int:
    return max((global_span(problem, t, schedule[t.index])[2] for t in problem.tasks), default=0)


def prepare_with_start(request: PlanRequest) -> tuple[Problem, Schedule | None]:
    """Prepare the problem and a greedy start.

    The horizon is capped near the greedy plan when the serial bound is far longer (large backlogs); the
    result then says so.
    """
    problem = prepare(request)
    start = greedy_schedule(problem)
    if start is not None:
        capped = prepare(request, horizon_hint_days=_last_day(problem, start) + 1)
        if capped.horizon_capped:
            problem = capped
            start = greedy_schedule(problem)
    return problem, start


def plan(
    request: PlanRequest,
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
    with_recommendations: bool = True,
) -> PlanResult:
    """Plan `request` optimally within its time limit; raises InvalidRequestError listing every problem.

    With `with_recommendations` the plan gets at most `PLAN_SHARE` of the time limit and its recommendations
    the rest (see `solver.recommend`); without, the plan gets all of it and `recommendations` stays None.
    """
    started = time.monotonic()
    problems = validate_request(request, limits)
    if problems:
        raise InvalidRequestError(problems)
    if request.options.time_limit_s > limits.max_time_limit_s:
        request = request.model_copy(
            update={"options": request.options.model_copy(update={"time_limit_s": limits.max_time_limit_s})}
        )
    options = request.options
    if with_recommendations:
        options = options.model_copy(update={"time_limit_s": options.time_limit_s * PLAN_SHARE})
    problem, start = prepare_with_start(request)
    if start is not None and not meets_hard_deadlines(problem, start):
        start = None
    plan_model = build_model(problem)
    model_cost = time.monotonic() - started
    outcome = solve_levels(plan_model, options, start, progress)
    if outcome.status == SolveStatus.INFEASIBLE and problem.horizon_capped:
        outcome = SearchOutcome(SolveStatus.UNKNOWN, None, [], outcome.seconds)
    result = build_result(problem, outcome)
    if not with_recommendations:
        return result
    planning = Planning(plan=partial(plan, limits=limits, with_recommendations=False), prepare=prepare_with_start)
    seconds_left = request.options.time_limit_s - (time.monotonic() - started)
    recommendations = recommend(request, problem, outcome.schedule, result, planning, seconds_left, model_cost)
    infeasibility = recommendations.infeasibility
    conflicts = ([c.message for c in infeasibility.conflicts] or [infeasibility.message]) if infeasibility else []
    return result.model_copy(update={"recommendations": recommendations, "infeasibility": conflicts})
