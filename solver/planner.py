"""`plan()`: the library entry point that validates, prepares, solves and reports a plan request."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult, PlanTiming, SolveStatus
from solver.bounds.finish_windows import held_by
from solver.bounds.schedule_levels import level_values
from solver.budget.constants import LARGE_MODEL_TASKS
from solver.budget.time_budget import TimeBudget, full_model_seconds
from solver.intake.errors import InvalidRequestError
from solver.intake.limits import DEFAULT_LIMITS, Limits
from solver.intake.validation import validate_request
from solver.model import build_model
from solver.model.build import PlanModel
from solver.prepared.problem import PreparedProblem, prepare
from solver.prepared.schedule import Schedule, global_span
from solver.recommend import Planning, recommend
from solver.result import build_result
from solver.search.lexicographic import (
    ProgressCallback,
    SearchOutcome,
    SearchProgress,
    SearchProgressHook,
    solve_levels,
)
from solver.search.neighbourhood_search import search_levels
from solver.starts.candidates import limit_candidates
from solver.starts.greedy import greedy_schedule
from solver.starts.squeaky_wheel import Improvement, round_seconds, squeaky_wheel
from solver.starts.warm_start import warm_start as warm_start_from
from solver.verification import verified


@dataclass(frozen=True)
class PlanProgress:
    """One step of `plan()`'s search and, when the plan in hand changed, a way to see it.

    `best_plan()` builds that plan as a `PlanResult` and runs the independent checker on it (PlanCheckError if it
    fails): it costs milliseconds to a fraction of a second, so a caller decides how often to pay. Call it during
    the hook only.
    """

    step: SearchProgress
    best_plan: Callable[[], PlanResult] | None = None


#: The typed progress hook of `plan()`: each improving solution, and each new plan in hand.
PlanProgressHook = Callable[[PlanProgress], None]


def _search_hook(
    request: PlanRequest, problem: PreparedProblem, progress: ProgressCallback | None, hook: PlanProgressHook | None
) -> SearchProgressHook | None:
    """One search hook feeding both the numbers-only `progress` callback and the typed `hook` (with the plan)."""
    if progress is None and hook is None:
        return None

    def on_step(step: SearchProgress) -> None:
        if progress is not None:
            progress(step.level, step.value, step.bound, step.elapsed_s)
        if hook is None:
            return
        schedule = step.schedule
        if schedule is None:
            hook(PlanProgress(step))
            return

        def best_plan() -> PlanResult:
            outcome = SearchOutcome(SolveStatus.FEASIBLE, schedule, list(step.levels), step.elapsed_s)
            return verified(request, build_result(problem, outcome))

        hook(PlanProgress(step, best_plan))

    return on_step


def _last_day(problem: PreparedProblem, schedule: Schedule) -> int:
    return max((global_span(problem, t, schedule[t.index])[2] for t in problem.tasks), default=0)


def _better_start(problem: PreparedProblem, first: Schedule | None, second: Schedule | None) -> Schedule | None:
    """The start with the lexicographically smaller objective (either may be missing)."""
    if first is None or second is None:
        return first or second
    return second if level_values(problem, second) < level_values(problem, first) else first


def _improved_start(problem: PreparedProblem, start: Schedule | None, budget: TimeBudget) -> Improvement | None:
    """Squeaky-wheel rounds on the greedy start (they also look for a start meeting every hard deadline)."""
    if start is None:
        return None
    rounds = budget.start_rounds(round_seconds(problem))
    return squeaky_wheel(problem, start, rounds, budget.options.seed, budget.start_deadline)


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
    on_progress: PlanProgressHook | None = None,
) -> PlanResult:
    """Plan `request` optimally within its time limit; raises InvalidRequestError listing every problem.

    Every plan is re-checked by the independent checker before it is returned (`solver.verification`): the
    result says `checked` with the rules applied and the check's time, and a plan the checker rejects raises
    PlanCheckError (a bug) instead of reaching the caller. See `_planned` for the arguments; `progress` hears the
    numbers of each improving solution, `on_progress` also gets the best plan so far (`PlanProgress`).
    """
    started = time.monotonic()
    planned = _planned(
        request, limits, progress, with_recommendations, warm_start, validated=validated, on_progress=on_progress
    )
    result = verified(request, planned)
    if result.timing is None:
        return result
    wall = round(time.monotonic() - started, 3)
    return result.model_copy(update={"timing": result.timing.model_copy(update={"wall_time_s": wall})})


def _planned(
    request: PlanRequest,
    limits: Limits = DEFAULT_LIMITS,
    progress: ProgressCallback | None = None,
    with_recommendations: bool = True,
    warm_start: PlanResult | None = None,
    *,
    validated: bool = False,
    on_progress: PlanProgressHook | None = None,
) -> PlanResult:
    """The plan of `request` before its final check (recommendations re-plan with this and check each re-plan).

    `validated=True` says the caller has just found no problem with `validate_request(request, limits)` (the
    service checks before it queues a solve, to answer 422 at once): the check is not run again. A direct call
    leaves it False, so a library call always validates.

    `warm_start` is an earlier plan of a similar request (a what-if baseline): starts built from its order and
    owners (`solver.starts.warm_start`) start the search when they beat the greedy start.

    With `with_recommendations` the plan gets at most `PLAN_SHARE` of the time limit and its recommendations
    the rest (see `solver.recommend`); without, the plan gets all of it and `recommendations` stays None.
    `solver.budget.TimeBudget` hands out every share.
    """
    started = time.monotonic()
    problems = [] if validated else validate_request(request, limits)
    if problems:
        raise InvalidRequestError(problems)
    budget = TimeBudget.of(request.options, limits, started, with_recommendations)
    problem, start = prepare_with_start(request)
    improvement = _improved_start(problem, start, budget)
    start = improvement.schedule if improvement is not None else None
    cut_short = improvement is not None and improvement.cut_short
    # The rounds' estimated cost (not their wall time) leaves the search's budget, so plans still repeat.
    spent = [improvement.estimated_seconds] if improvement is not None else []
    if warm_start is not None:
        rounds = budget.start_rounds(round_seconds(problem), spent)
        warm = warm_start_from(problem, warm_start, rounds, request.options.seed, budget.start_deadline)
        spent.append(warm.estimated_seconds)
        start = _better_start(problem, start, warm.schedule)
        cut_short = cut_short or warm.cut_short
    if start is not None and len(problem.tasks) > LARGE_MODEL_TASKS:
        # Large backlogs: neighbourhood search on small models, never the full one (which would take seconds to
        # build and presolve, and whose own neighbourhood search got almost no time per level).
        replan_cost = time.monotonic() - started
        model_cost = full_model_seconds(replan_cost, len(problem.tasks))
        hook = _search_hook(request, problem, progress, on_progress)
        outcome = search_levels(problem, budget.neighbourhood_search(len(problem.tasks), spent), start, hook)
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
        hook = _search_hook(request, problem, progress, on_progress)
        outcome = solve_levels(
            plan_model, budget.full_model_search(spent), start, hook, rebuild=narrowed if small else None
        )
    if cut_short:
        outcome = replace(outcome, repeatable=False)
    if outcome.status == SolveStatus.INFEASIBLE and (problem.horizon_capped or problem.restricted):
        outcome = SearchOutcome(SolveStatus.UNKNOWN, None, [], outcome.seconds)
    timing = PlanTiming(
        mode=budget.options.mode.value,
        time_limit_s=budget.limit_seconds,
        wall_time_s=round(time.monotonic() - started, 3),
        budget_charged_s=round(max(sum(spent), 0.0) + outcome.charged, 3),
    )
    result = build_result(problem, outcome).model_copy(update={"timing": timing})
    if not with_recommendations:
        return result
    planning = Planning(plan=partial(_planned, limits=limits, with_recommendations=False), prepare=prepare_with_start)
    seconds_left = budget.recommendation_seconds(time.monotonic())
    recommendations = recommend(
        request, problem, outcome.schedule, result, planning, seconds_left, model_cost, replan_cost
    )
    infeasibility = recommendations.infeasibility
    conflicts = ([s.message for s in infeasibility.sets] or [infeasibility.message]) if infeasibility else []
    return result.model_copy(update={"recommendations": recommendations, "infeasibility": conflicts})
