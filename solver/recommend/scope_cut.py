"""Minimal scope cut: the milestone's issues to defer so that the rest meets the current due date.

Each of the milestone's issues may go to a virtual *deferred* resource outside the team (a resource that
works around the clock and never holds anyone up); kept issues must finish by the due date, every other
milestone keeps its scope and finishes no later than in the plan, and an issue is deferred with every
issue that depends on it. Deferred hours are minimised priority by priority, P0 first, so higher-priority
work is never cut while lower-priority work could go instead; then the number of issues deferred. Each
stage is fixed before the next, with the previous answer as a hint. The cut is verified by re-planning
without the deferred issues.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ortools.sat.python import cp_model

from api_schemas.common import UNITS_PER_DAY, UNITS_PER_HOUR, Priority
from api_schemas.recommendations import DeferredIssue, ScopeCut
from api_schemas.result import PlanResult
from solver.calendars.clock import Clock
from solver.model import build_model
from solver.model.build import PlanModel
from solver.prepared.problem import PreparedProblem, Resource
from solver.prepared.schedule import Placement, Schedule, global_span
from solver.recommend.budget import Budget
from solver.recommend.chain import earliest_schedule
from solver.recommend.context import Context
from solver.recommend.replan import meets, other_moves, replan, without_issues
from solver.recommend.solving import add_finish_limits, finish_by, solve
from solver.recommend.targets import Target, commitments
from solver.recommend.words import short_of_time

#: Above 50 issues, each deferred issue tried back in the plan gets at least 1/this of the cut's time left.
PUT_BACK_SHARES = 3
#: Why there is no cut when a re-plan meets the due date with the whole scope (the plan was not the best one).
NO_CUT_NEEDED = "no cut is needed: re-planning met the due date with the whole scope; plan again with more time"


def with_deferral(problem: PreparedProblem, optional: set[int]) -> tuple[PreparedProblem, int]:
    """The problem with a virtual resource that takes any of the `optional` tasks (meaning: deferred)."""
    clock = Clock(units_per_day=UNITS_PER_DAY, window_start=0, working=(True,) * problem.horizon_days)
    resource = Resource(
        index=len(problem.resources),
        owner_ids=tuple(f"(deferred {n})" for n in range(max(len(optional), 1))),
        clock=len(problem.clocks),
        skills=frozenset(),
    )
    tasks = [
        replace(task, resources=(*task.resources, resource.index)) if task.index in optional else task
        for task in problem.tasks
    ]
    return replace(
        problem, clocks=[*problem.clocks, clock], resources=[*problem.resources, resource], tasks=tasks
    ), resource.index


def _link_dependencies(plan_model: PlanModel, deferred: dict[int, cp_model.IntVar]) -> None:
    """Deferring an issue defers its dependents; issues outside the cut keep their predecessors."""
    model = plan_model.model
    for task in plan_model.problem.tasks:
        for pred, _ in task.preds:
            if pred not in deferred:
                continue
            if task.index in deferred:
                model.add_implication(deferred[pred], deferred[task.index])
            else:
                model.add(deferred[pred] == 0)


def _stages(problem: PreparedProblem, deferred: dict[int, cp_model.IntVar]) -> list[cp_model.LinearExprT]:
    """Deferred work per priority present, P0 first, then the number of issues deferred."""
    stages: list[cp_model.LinearExprT] = []
    for rank in sorted({problem.tasks[index].rank for index in deferred}):
        stages.append(
            sum(problem.tasks[i].work * literal for i, literal in deferred.items() if problem.tasks[i].rank == rank)
        )
    stages.append(sum(deferred.values()))
    return stages


def kept_for_others(problem: PreparedProblem, optional: set[int]) -> dict[int, int]:
    """Optional tasks that cannot be deferred, each with the task outside the cut that needs it (maybe indirectly)."""
    forced = {
        pred: task.index
        for task in problem.tasks
        if task.index not in optional
        for pred, _ in task.preds
        if pred in optional
    }
    frontier = list(forced)
    while frontier:
        index = frontier.pop()
        for pred, _ in problem.tasks[index].preds:
            if pred in optional and pred not in forced:
                forced[pred] = forced[index]
                frontier.append(pred)
    return forced


def _late_in_plan(context: Context, optional: set[int], due: date) -> set[int]:
    """Optional tasks the plan finishes after `due` (deferring them, and keeping the rest as planned, works)."""
    problem, schedule = context.problem, context.schedule
    return {
        index
        for index in optional
        if problem.date_of(global_span(problem, problem.tasks[index], schedule[index])[2]) > due
    }


def _hint(context: Context, problem: PreparedProblem, deferral: int, deferred: set[int]) -> Schedule:
    """The plan's schedule with the `deferred` tasks moved to the deferral resource at their planned start."""
    hint = dict(context.schedule)
    for member, index in enumerate(sorted(deferred)):
        start, _, _ = global_span(context.problem, context.problem.tasks[index], context.schedule[index])
        hint[index] = Placement(resource=deferral, member=member, start=start)
    return hint


def _cannot_defer(context: Context, target: Target, forced: dict[int, int]) -> str | None:
    """Why no cut can meet the date, when work outside the milestone needs an issue that cannot be on time."""
    problem = context.problem
    earliest = earliest_schedule(problem)
    for index in sorted(forced):
        finish = problem.date_of(earliest[index].end_day)
        if finish > target.due:
            issue, user = problem.tasks[index].issue.id, problem.tasks[forced[index]].issue.id
            return (
                f"no scope cut meets it: {issue} cannot be deferred because {user}, outside it, needs it, "
                f"and {issue} cannot finish before {finish.isoformat()}"
            )
    return None


def _choose(
    plan_model: PlanModel, deferred: dict[int, cp_model.IntVar], budget: Budget
) -> tuple[set[int], bool] | None:
    """Solve the stages in turn; the deferred task indices and whether every stage was proven."""
    model = plan_model.model
    stages = _stages(plan_model.problem, deferred)
    chosen: set[int] | None = None
    proven = True
    for position, stage in enumerate(stages):
        model.minimize(stage)
        solved = solve(model, budget, 1 / (len(stages) - position))
        if not solved.found:
            if chosen is None:
                return None
            proven = False
            break
        chosen = {index for index, literal in deferred.items() if solved.solver.boolean_value(literal)}
        proven = proven and solved.proven
        model.add(stage <= int(solved.solver.objective_value))
        plan_model.hint(plan_model.read(solved.solver))
    return (chosen, proven) if chosen is not None else None


def _deferred_issues(problem: PreparedProblem, chosen: set[int]) -> list[DeferredIssue]:
    """The deferred issues in backlog order, each naming the deferred issues it depends on."""
    issues: list[DeferredIssue] = []
    for index in sorted(chosen):
        task = problem.tasks[index]
        issues.append(
            DeferredIssue(
                id=task.issue.id,
                title=task.issue.title,
                priority=task.issue.priority,
                hours=task.work / UNITS_PER_HOUR,
                because_of=[problem.tasks[pred].issue.id for pred, _ in task.preds if pred in chosen],
            )
        )
    return issues


def compute_scope_cut(context: Context, target: Target, budget: Budget) -> tuple[ScopeCut | None, str | None]:
    """The minimal scope cut of a milestone target, verified by re-planning; or None and the reason."""
    index_of = {task.issue.id: task.index for task in context.problem.tasks}
    optional = {index_of[issue_id] for issue_id in target.issue_ids if issue_id in index_of}
    if not optional:
        return None, "nothing of it is planned, so there is nothing to defer"
    forced = kept_for_others(context.problem, optional)
    reason = _cannot_defer(context, target, forced)
    if reason is not None:
        return None, reason
    late = _late_in_plan(context, optional, target.due)
    if budget.by_replanning:
        # Over 50 issues: found by re-planning (`_cut_by_replanning`), not by the optimiser's minimal cut, whose
        # model would take most of the budget to build and presolve.
        if late & forced.keys():
            return None, "no scope cut was found: work outside it needs an issue the plan finishes late"
        return _cut_by_replanning(context, target, optional, late, budget)
    if not budget.affords(2):
        return None, short_of_time("no scope cut was tried")
    problem, deferral = with_deferral(context.problem, optional)
    plan_model = build_model(problem)
    deferred = {index: plan_model.tasks[index].chosen[deferral] for index in optional}
    _link_dependencies(plan_model, deferred)
    finish_by(plan_model, optional, target.due, unless=deferred)
    limits = commitments(context.request, context.result, {target.key}, as_planned=True)
    add_finish_limits(plan_model, limits, unless=deferred)
    plan_model.hint(_hint(context, problem, deferral, late))
    choice = _choose(plan_model, deferred, budget.part(0.6))
    if choice is None and late & forced.keys():
        return None, short_of_time("no scope cut was found")
    chosen, proven = choice if choice is not None else (late, False)
    return _verified_cut(context, target, optional, chosen, proven, budget), None


def _verified_cut(
    context: Context, target: Target, optional: set[int], chosen: set[int], proven: bool, budget: Budget
) -> ScopeCut:
    """The cut deferring the `chosen` tasks, verified by re-planning the request without them."""
    request = without_issues(context.request, {context.problem.tasks[index].issue.id for index in chosen})
    result = replan(context, request, budget)
    verified = meets(request, result, [(target, target.due)])
    note = None if verified else short_of_time("re-planning without these issues did not confirm the due date")
    return _scope_cut(context, target, optional, chosen, proven, result if verified else None, note)


def _scope_cut(
    context: Context,
    target: Target,
    optional: set[int],
    chosen: set[int],
    proven: bool,
    verifying: PlanResult | None,
    note: str | None,
) -> ScopeCut:
    """The cut deferring the `chosen` tasks; `verifying` is the re-plan without them that met the due date."""
    problem = context.problem
    issues = _deferred_issues(problem, chosen)
    total = sum(problem.tasks[index].work for index in optional) / UNITS_PER_HOUR
    cut = sum(issue.hours for issue in issues)
    by_priority: dict[Priority, float] = {}
    for issue in issues:
        by_priority[issue.priority] = by_priority.get(issue.priority, 0.0) + issue.hours
    return ScopeCut(
        deferred=issues,
        hours_deferred=cut,
        hours_kept=total - cut,
        share_kept=round((total - cut) / total, 4),
        deferred_hours_by_priority=by_priority,
        proven=proven,
        verified=verifying is not None,
        other_moves=other_moves(context, verifying, {target.key}) if verifying is not None else [],
        note=note,
    )


def _cut_by_replanning(
    context: Context, target: Target, optional: set[int], late: set[int], budget: Budget
) -> tuple[ScopeCut | None, str | None]:
    """Over 50 issues: defer what the plan finishes late, then put back what re-planning shows can stay.

    The late issues are a cut that works (the rest already meet the date in the plan; an issue deferred carries
    its dependants, which finish later still, so they are late too). Then, most important and largest first,
    each deferred issue (with the deferred issues it needs) is put back while a re-plan still meets the date.
    When everything goes back, a re-plan meets the date with no cut at all, and that is the answer.
    """
    problem = context.problem
    chosen = set(late)

    def met_without(deferred: set[int], fraction: float) -> PlanResult | None:
        request = without_issues(context.request, {problem.tasks[index].issue.id for index in deferred})
        result = replan(context, request, budget, fraction)
        return result if meets(request, result, [(target, target.due)]) else None

    verifying = met_without(chosen, budget.replan_fraction(0.4) or 0.4)
    if verifying is None:
        note = short_of_time("re-planning without these issues did not confirm the due date")
        return _scope_cut(context, target, optional, chosen, False, None, note), None
    order = sorted(chosen, key=lambda index: (problem.tasks[index].rank, -problem.tasks[index].work, index))
    for position, index in enumerate(order):
        if index not in chosen:
            continue
        # The most important candidates come first and get a fair share each; the rest get what is left.
        fraction = budget.replan_fraction(1 / min(len(order) - position, PUT_BACK_SHARES))
        if fraction is None:
            break
        kept = _with_deferred_predecessors(problem, index, chosen)
        found = met_without(chosen - kept, fraction)
        if found is not None:
            chosen, verifying = chosen - kept, found
    if not chosen:
        return None, NO_CUT_NEEDED
    return _scope_cut(context, target, optional, chosen, False, verifying, None), None


def _with_deferred_predecessors(problem: PreparedProblem, index: int, deferred: set[int]) -> set[int]:
    """The task and every deferred task it needs, directly or not (kept together, the cut stays closed)."""
    kept, frontier = {index}, [index]
    while frontier:
        for pred, _ in problem.tasks[frontier.pop()].preds:
            if pred in deferred and pred not in kept:
                kept.add(pred)
                frontier.append(pred)
    return kept
