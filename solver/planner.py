"""`plan()`: the library entry point that validates, prepares, solves and reports a plan request."""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial

from api_schemas.request import PlanRequest, SolverOptions
from api_schemas.result import PlanResult, SolveStatus
from solver.bounds.finish_windows import held_by
from solver.bounds.schedule_levels import level_values
from solver.intake.errors import InvalidRequestError
from solver.intake.limits import DEFAULT_LIMITS, Limits
from solver.intake.validation import validate_request
from solver.model import build_model
from solver.model.build import PlanModel
from solver.prepared.problem import PreparedProblem, prepare
from solver.prepared.schedule import Schedule, global_span
from solver.recommend import Planning, recommend
from solver.result import build_result
from solver.search.lexicographic import LARGE_MODEL_TASKS, ProgressCallback, SearchOutcome, solve_levels
from solver.search.neighbourhood_search import search_levels
from solver.starts.candidates import limit_candidates
from solver.starts.greedy import greedy_schedule
from solver.starts.squeaky_wheel import Improvement, affordable_rounds, squeaky_wheel
from solver.starts.warm_start import warm_start as warm_start_from

#: Share of the time limit the plan itself may use when recommendations are asked for (unused time rolls over).
PLAN_SHARE = 0.6
#: Seconds to build the full model per task (2 cores, AMD EPYC: 1.4 s at 500 issues), for the recommendations'
#: estimate of what one model costs when the plan itself never built one.
FULL_MODEL_SECONDS_PER_TASK = 0.003
#: Seconds to prepare a problem and its greedy start per task (measured 0.65 ms at 2,000 issues on a slow day of
#: a 2-core AMD EPYC), taken from the neighbourhood search's budget so that large plans end inside the limit.
PREPARE_SECONDS_PER_TASK = 0.001
#: Wall-clock share of the plan's time limit after which the start's improvement stops even if its estimated
#: rounds are not done (twice its estimated share: only a much slower machine reaches it).
IMPROVE_WALL_SHARE = 0.4


def _last_day(problem: PreparedProblem, schedule: Schedule) -> int:
    return max((global_span(problem, t, schedule[t.index])[2] for t in problem.tasks), default=0)


def _better_start(problem: PreparedProblem, first: Schedule | None, second: Schedule | None) -> Schedule | None:
    """The start with the lexicographically smaller objective (either may be missing)."""
    if first is None or second is None:
        return first or second
    return second if level_values(problem, second) < level_values(problem, first) else first


def _improved_start(
    problem: PreparedProblem, start: Schedule | None, options: SolverOptions, deadline: float
) -> Improvement | None:
    """Squeaky-wheel rounds on the greedy start (they also look for a start meeting every hard deadline)."""
    if start is None:
        return None
    return squeaky_wheel(problem, start, affordable_rounds(problem, options.time_limit_s), options.seed, deadline)


def prepare_with_start(request: PlanRequest) -> tuple[PreparedProblem, Schedule | None]:
    """Prepare the problem and a greedy start.

    The horizon is capped near the greedy plan when the serial bound is far longer (large backlogs); the
    result then says so.
    """
    problem = prepare(request)
    start = greedy_schedule(problem)
    if start is not None:
        capped = prepare(request, horizon_hint_days=_last_day(problem, start) + 1)
        if capped.horizon_capped:
            # Same owners and clocks, only shorter: the greedy plan (which ends well before the cap) carries over.
            fits = all(
                placement.start + problem.tasks[index].work
                <= capped.clocks[capped.resources[placement.resource].clock].total_units
                for index, placement in start.items()
            )
            same = [r.owner_ids for r in capped.resources] == [r.owner_ids for r in problem.resources]
            problem = capped
            start = start if fits and same else greedy_schedule(problem)
    return problem, start


def plan(
    request: PlanRequest,
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
    with_recommendations: bool = True,
    warm_start: PlanResult | None = None,
    *,
    validated: bool = False,
) -> PlanResult:
    """Plan `request` optimally within its time limit; raises InvalidRequestError listing every problem.

    `validated=True` says the caller has just found no problem with `validate_request(request, limits)` (the
    service checks before it queues a solve, to answer 422 at once): the check is not run again. A direct call
    leaves it False, so a library call always validates.

    `warm_start` is an earlier plan of a similar request (a what-if baseline): starts built from its order and
    owners (`solver.starts.warm_start`) start the search when they beat the greedy start.

    With `with_recommendations` the plan gets at most `PLAN_SHARE` of the time limit and its recommendations
    the rest (see `solver.recommend`); without, the plan gets all of it and `recommendations` stays None.
    """
    started = time.monotonic()
    problems = [] if validated else validate_request(request, limits)
    if problems:
        raise InvalidRequestError(problems)
    if request.options.time_limit_s > limits.max_time_limit_s:
        request = request.model_copy(
            update={"options": request.options.model_copy(update={"time_limit_s": limits.max_time_limit_s})}
        )
    options = request.options
    if with_recommendations:
        options = options.model_copy(update={"time_limit_s": options.time_limit_s * PLAN_SHARE})
    request_limit = options.time_limit_s
    problem, start = prepare_with_start(request)
    improvement = _improved_start(problem, start, options, deadline=started + IMPROVE_WALL_SHARE * request_limit)
    start = improvement.schedule if improvement is not None else None
    cut_short = improvement is not None and improvement.cut_short
    if improvement is not None:
        # The rounds' estimated cost (not their wall time) leaves the search's budget, so plans still repeat.
        options = options.model_copy(update={"time_limit_s": options.time_limit_s - improvement.estimated_seconds})
    if warm_start is not None:
        rounds = affordable_rounds(problem, options.time_limit_s)
        warm = warm_start_from(problem, warm_start, rounds, options.seed, started + IMPROVE_WALL_SHARE * request_limit)
        options = options.model_copy(update={"time_limit_s": options.time_limit_s - warm.estimated_seconds})
        start = _better_start(problem, start, warm.schedule)
        cut_short = cut_short or warm.cut_short
    if start is not None and len(problem.tasks) > LARGE_MODEL_TASKS:
        # Large backlogs: neighbourhood search on small models, never the full one (which would take seconds to
        # build and presolve, and whose own neighbourhood search got almost no time per level).
        replan_cost = time.monotonic() - started
        model_cost = replan_cost + FULL_MODEL_SECONDS_PER_TASK * len(problem.tasks)
        # Preparing the problem and its start took wall time the budget does not know of: leave its estimate out.
        prepared = PREPARE_SECONDS_PER_TASK * len(problem.tasks)
        options = options.model_copy(update={"time_limit_s": max(options.time_limit_s - prepared, 0.0)})
        outcome = search_levels(problem, options, start, progress, deadline=started + request_limit)
    else:
        modelled = problem
        if start is not None:
            problem = limit_candidates(problem, start)
            # Every task finishes by the day the start's proven levels allow (exact: no optimal plan is lost).
            modelled = held_by(problem, start)
        plan_model = build_model(modelled, symmetry=True)
        model_cost = replan_cost = time.monotonic() - started

        def narrowed(schedule: Schedule, fixed: int) -> PlanModel:
            return build_model(held_by(problem, schedule, fixed), symmetry=True)

        # Rebuilding takes milliseconds up to 50 issues; a larger backlog gets here only without a start plan,
        # where one build takes seconds.
        small = len(problem.tasks) <= LARGE_MODEL_TASKS
        outcome = solve_levels(
            plan_model, options, start, progress, deadline=started + request_limit, rebuild=narrowed if small else None
        )
    if cut_short:
        outcome = replace(outcome, repeatable=False)
    if outcome.status == SolveStatus.INFEASIBLE and (problem.horizon_capped or problem.restricted):
        outcome = SearchOutcome(SolveStatus.UNKNOWN, None, [], outcome.seconds)
    result = build_result(problem, outcome)
    if not with_recommendations:
        return result
    planning = Planning(plan=partial(plan, limits=limits, with_recommendations=False), prepare=prepare_with_start)
    seconds_left = request.options.time_limit_s - (time.monotonic() - started)
    recommendations = recommend(
        request, problem, outcome.schedule, result, planning, seconds_left, model_cost, replan_cost
    )
    infeasibility = recommendations.infeasibility
    conflicts = ([c.message for c in infeasibility.conflicts] or [infeasibility.message]) if infeasibility else []
    return result.model_copy(update={"recommendations": recommendations, "infeasibility": conflicts})
