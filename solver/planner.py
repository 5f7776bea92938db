"""`plan()`: the library entry point that validates, prepares, solves and reports a plan request."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache, partial

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult, PlanTiming, SolveStatus
from solver.bounds.finish_windows import held_by
from solver.bounds.schedule_levels import level_values
from solver.budget.constants import LARGE_MODEL_TASKS
from solver.budget.time_budget import SearchBudget, TimeBudget, full_model_seconds
from solver.changes import plan_changes
from solver.forecast import with_forecast
from solver.intake.errors import InvalidRequestError
from solver.intake.limits import DEFAULT_LIMITS, Limits
from solver.intake.validation import validate_request
from solver.model import build_model
from solver.model.build import PlanModel
from solver.prepared.problem import PreparedProblem, may_split, prepare
from solver.prepared.schedule import Schedule, global_span, on_owners
from solver.recommend import Planning, recommend
from solver.recommend.confidence import with_confidence
from solver.result import build_result
from solver.search.lexicographic import (
    ProgressCallback,
    SearchOutcome,
    SearchProgress,
    SearchProgressHook,
    solve_levels,
)
from solver.search.neighbourhood_search import search_levels
from solver.search.pieces import filled_outcome, in_pieces, split_as_started, static_levels
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
    request: PlanRequest,
    problem: PreparedProblem,
    progress: ProgressCallback | None,
    hook: PlanProgressHook | None,
    in_pieces_problem: Callable[[], PreparedProblem] | None = None,
) -> SearchProgressHook | None:
    """One search hook feeding both the numbers-only `progress` callback and the typed `hook` (with the plan).

    With `in_pieces_problem`, `problem` is the unbroken twin of that problem in pieces: each plan is shown moved
    onto its owners and filled with pieces, with the static bounds of plans in pieces (what the twin's search
    proves holds for unbroken plans only).
    """
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
            if in_pieces_problem is None:
                outcome = SearchOutcome(SolveStatus.FEASIBLE, schedule, list(step.levels), step.elapsed_s)
                return verified(request, build_result(problem, outcome))
            shown_problem = in_pieces_problem()
            shown = in_pieces(shown_problem, problem, schedule)
            levels = static_levels(shown_problem, shown, problem)
            outcome = SearchOutcome(SolveStatus.FEASIBLE, shown, levels, step.elapsed_s)
            return verified(request, build_result(shown_problem, outcome))

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


def _search_in_pieces(
    problem: PreparedProblem,
    twin: PreparedProblem,
    unbroken: SearchOutcome,
    budget: TimeBudget,
    spent: list[float],
    hook: SearchProgressHook | None,
) -> SearchOutcome:
    """The search in pieces, from the unbroken search's plan on its twin and with the budget that one left.

    That plan is a valid plan in pieces, so the result is never worse than splitting off in the same budget (a
    plan the unbroken form cannot have, e.g. one meeting a hard deadline only in pieces, is searched from nothing).
    Searched from the greedy start alone, the 30-issue benchmark backlog ended worse than with splitting off (P1
    finish 5351 against 4546 at 10 s); the unbroken search proves its optimum with 0.3 s of that budget.
    """
    spent.append(unbroken.charged)
    start = in_pieces(problem, twin, unbroken.schedule) if unbroken.schedule is not None else None
    seconds, repeatable = unbroken.seconds, unbroken.repeatable
    if start is not None:
        problem = limit_candidates(problem, start)
        first = split_as_started(problem, start)
        if first is not None:
            # Only the start's split issues split: a small model that finds the plans such pauses allow at once (the
            # full one, with every issue in variable pieces, may not). Its bounds hold for its own plans only, so
            # it reports no progress and proves nothing; its plan starts the full model in pieces.
            staged = _full_model_search(first, budget.split_first_search(spent), start, None)
            spent.append(staged.charged)
            seconds, repeatable = seconds + staged.seconds, repeatable and staged.repeatable
            start = _better_start(problem, start, staged.schedule)
    outcome = _full_model_search(problem, budget.full_model_search(spent), start, hook)
    return replace(outcome, seconds=seconds + outcome.seconds, repeatable=repeatable and outcome.repeatable)


def _has_plan(twin: SearchOutcome) -> bool:
    """Whether the twin's search leaves something to fill: a plan, or no proof either way (UNKNOWN).

    A twin proven infeasible proves nothing of the pieces (splitting can make room), so the model in pieces is
    asked instead: it proves the conflict in pieces (a passed deadline or pin, in presolve) or finds the plan.
    """
    return twin.status != SolveStatus.INFEASIBLE


def _full_model_search(
    problem: PreparedProblem, search: SearchBudget, start: Schedule | None, hook: SearchProgressHook | None
) -> SearchOutcome:
    """Level by level on the full model, narrowed to where plans better than `start` lie and rebuilt as it improves."""
    # Every task finishes by the day the start's proven levels allow (exact: no optimal plan is lost).
    plan_model = build_model(held_by(problem, start) if start is not None else problem, symmetry=True)

    def narrowed(schedule: Schedule, fixed: int) -> PlanModel:
        return build_model(held_by(problem, schedule, fixed), symmetry=True)

    # Rebuilding takes milliseconds up to 50 issues; a larger backlog gets here only without a start plan, where
    # one build takes seconds.
    small = len(problem.tasks) <= LARGE_MODEL_TASKS
    return solve_levels(plan_model, search, start, hook, rebuild=narrowed if small else None)


def prepare_with_start(request: PlanRequest) -> tuple[PreparedProblem, Schedule | None]:
    """Prepare the problem and a greedy start.

    The horizon is capped near the greedy plan when the serial bound is far longer (large backlogs); the
    result then says so.
    """
    searched, start, in_pieces_problem = prepare_searched(request)
    if in_pieces_problem is None:
        return searched, start
    problem = in_pieces_problem()
    return problem, on_owners(searched, problem, start) if start is not None else None


def prepare_searched(
    request: PlanRequest,
) -> tuple[PreparedProblem, Schedule | None, Callable[[], PreparedProblem] | None]:
    """The problem searched first, its greedy start and, when issues may be split, the problem in pieces (on call).

    When issues may be split the problem searched first is the unbroken twin (the request's problem with splitting
    off: owners pooled, every issue in one piece), so its horizon, start and search are those of splitting off; the
    problem in pieces, on the twin's horizon, is prepared when first needed (after the twin's search, so that this
    search gets the time splitting off would give it).
    """
    twin_first = may_split(request)
    searched = prepare(request, split=not twin_first)
    start = greedy_schedule(searched)
    if start is not None:
        capped = prepare(request, horizon_hint_days=_last_day(searched, start) + 1, split=not twin_first)
        if capped.horizon_capped:
            # Same owners and clocks, only shorter: the greedy plan (which ends well before the cap) carries over.
            fits = all(
                placement.start + searched.tasks[index].work
                <= capped.clocks[capped.resources[placement.resource].clock].total_units
                for index, placement in start.items()
            )
            same = [r.owner_ids for r in capped.resources] == [r.owner_ids for r in searched.resources]
            searched = capped
            start = start if fits and same else greedy_schedule(searched)
    if not twin_first:
        return searched, start, None
    return searched, start, cache(partial(prepare, request, horizon=(searched.horizon_days, searched.horizon_capped)))


def _start_step(problem: PreparedProblem, schedule: Schedule, started: float) -> SearchProgress:
    """The start plan as the first progress step, with quick static bounds: a plan to show before any search."""
    levels = static_levels(problem, schedule)
    first = levels[0]
    proven = next((position for position, level in enumerate(levels) if not level.proven), len(levels))
    elapsed = time.monotonic() - started
    return SearchProgress(first.name, 0, len(levels), proven, first.value, first.bound, elapsed, levels, schedule)


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

    With `options.forecast` the plan is then forecast (`solver.forecast`): chances and confidence dates on its
    milestones and issues, and the extension at that confidence in its recommendations.
    """
    started = time.monotonic()
    planned = _planned(
        request, limits, progress, with_recommendations, warm_start, validated=validated, on_progress=on_progress
    )
    if request.options.forecast is not None:
        planned = with_confidence(with_forecast(request, planned))
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
    # Pieces: first everything the plan would do with splitting off, on its unbroken twin (owners pooled, every
    # issue in one piece); then that plan filled with pieces and, up to 50 issues, the search in pieces from it.
    problem, start, in_pieces_problem = prepare_searched(request)
    hook = _search_hook(request, problem, progress, on_progress, in_pieces_problem)
    if hook is not None and start is not None:
        hook(_start_step(problem, start, started))  # a plan to show at once: the rounds take seconds on XL
    improvement = _improved_start(problem, start, budget)
    start = improvement.schedule if improvement is not None else None
    cut_short = improvement is not None and improvement.cut_short
    # The rounds' estimated cost (not their wall time) leaves the search's budget, so plans still repeat.
    spent = [improvement.estimated_seconds] if improvement is not None else []
    # A baseline in the request is the earlier plan to start from (an explicit warm start still wins).
    earlier = warm_start.issues if warm_start is not None else request.baseline
    if earlier is not None:
        rounds = budget.start_rounds(round_seconds(problem), spent)
        warm = warm_start_from(problem, earlier, rounds, request.options.seed, budget.start_deadline)
        spent.append(warm.estimated_seconds)
        start = _better_start(problem, start, warm.schedule)
        cut_short = cut_short or warm.cut_short
    if start is not None and len(problem.tasks) > LARGE_MODEL_TASKS:
        # Large backlogs: neighbourhood search on small models, never the full one (which would take seconds to
        # build and presolve, and whose own neighbourhood search got almost no time per level).
        replan_cost = time.monotonic() - started
        model_cost = full_model_seconds(replan_cost, len(problem.tasks))
        outcome = search_levels(problem, budget.neighbourhood_search(len(problem.tasks), spent), start, hook)
        if in_pieces_problem is not None:
            outcome = filled_outcome(in_pieces_problem(), problem, outcome)
            problem = in_pieces_problem()
    else:
        if start is not None:
            problem = limit_candidates(problem, start)
        model_cost = replan_cost = time.monotonic() - started
        if in_pieces_problem is None:
            hook = _search_hook(request, problem, progress, on_progress)  # on the problem narrowed to candidates
        outcome = _full_model_search(problem, budget.full_model_search(spent), start, hook)
        if in_pieces_problem is not None and len(problem.tasks) > LARGE_MODEL_TASKS and _has_plan(outcome):
            # No start plan for a large backlog: the model in pieces would be far larger still (one interval per
            # piece and owner); the twin's plan is filled instead, as after the neighbourhood search.
            outcome = filled_outcome(in_pieces_problem(), problem, outcome, static_bounds=False)
            problem = in_pieces_problem()
        elif in_pieces_problem is not None:
            pieces_hook = _search_hook(request, in_pieces_problem(), progress, on_progress)
            outcome = _search_in_pieces(in_pieces_problem(), problem, outcome, budget, spent, pieces_hook)
            problem = in_pieces_problem()
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
    result = build_result(problem, outcome)
    result = result.model_copy(update={"timing": timing, "changes": plan_changes(problem, outcome.schedule, result)})
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
