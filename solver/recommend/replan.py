"""Apply a recommendation to the request, re-plan it, and check that the target is then met.

Every recommendation is verified this way: the changed request is planned from scratch and the result
must be a valid schedule (the independent checker finds no violation) that meets the target's date.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from api_schemas.common import Priority
from api_schemas.recommendations import TargetKind, TargetMove
from api_schemas.request import Owner, PlanRequest
from api_schemas.result import PlanResult, SolveStatus
from checker.schedule_checker import check_schedule
from solver.budget.constants import MIN_SOLVE_S
from solver.intake.errors import InvalidRequestError
from solver.recommend.budget import Budget
from solver.recommend.context import Context
from solver.recommend.targets import Target, key_of, planned_finish


def with_due(request: PlanRequest, moves: Iterable[tuple[Target, date]]) -> PlanRequest:
    """The request with each target's due date (milestone) or deadline (issue) moved."""
    new_due = {(target.kind, target.id): day for target, day in moves}
    milestones = [
        m.model_copy(update={"due": new_due[(TargetKind.MILESTONE, m.id)]})
        if (TargetKind.MILESTONE, m.id) in new_due
        else m
        for m in request.milestones
    ]
    issues = [
        i.model_copy(update={"deadline": new_due[(TargetKind.ISSUE, i.id)]})
        if (TargetKind.ISSUE, i.id) in new_due
        else i
        for i in request.issues
    ]
    return request.model_copy(update={"milestones": milestones, "issues": issues})


def without_issues(request: PlanRequest, issue_ids: Collection[str]) -> PlanRequest:
    """The request with the issues deferred: removed from the backlog, and from the dependencies of the rest.

    Issues that depend on a deferred issue and still have work are deferred with it; only done and
    unestimated ones can still name it, and for them the dependency has no effect.
    """
    kept = []
    for issue in request.issues:
        if issue.id in issue_ids:
            continue
        depends_on = [d for d in issue.depends_on if d.issue not in issue_ids]
        kept.append(
            issue if len(depends_on) == len(issue.depends_on) else issue.model_copy(update={"depends_on": depends_on})
        )
    return request.model_copy(update={"issues": kept})


def with_priority(request: PlanRequest, issue_ids: Collection[str], priority: Priority) -> PlanRequest:
    """The request with the listed issues at `priority`."""
    issues = [i.model_copy(update={"priority": priority}) if i.id in issue_ids else i for i in request.issues]
    return request.model_copy(update={"issues": issues})


def with_owners(request: PlanRequest, owners: list[Owner]) -> PlanRequest:
    """The request with extra owners in the team."""
    return request.model_copy(update={"owners": [*request.owners, *owners]})


def with_longer_days(request: PlanRequest, owner_ids: Collection[str], extra_hours: float) -> PlanRequest:
    """The request with each listed owner working `extra_hours` more per day (at most 24 h)."""
    owners = [
        o.model_copy(update={"hours_per_day": min(24.0, o.hours_per_day + extra_hours)}) if o.id in owner_ids else o
        for o in request.owners
    ]
    return request.model_copy(update={"owners": owners})


def replan(context: Context, request: PlanRequest, budget: Budget, fraction: float = 1.0) -> PlanResult | None:
    """Plan a changed request within `fraction` of the budget left; None when it is invalid or time is up.

    Above 50 issues the re-plan starts from the plan being explained (a warm start, as a what-if does): a short
    neighbourhood search from it gets further than one from a fresh greedy start.
    """
    seconds = budget.left() * fraction - budget.startup
    if seconds < MIN_SOLVE_S:
        return None
    timed = request.model_copy(
        update={"options": request.options.model_copy(update={"time_limit_s": round(max(seconds, 0.01), 3)})}
    )
    try:
        return context.planning.plan(timed, warm_start=context.result if budget.by_replanning else None)
    except InvalidRequestError:
        return None


def plan_meets(context: Context, target: Target, day: date) -> bool:
    """True when the plan being explained is valid and finishes `target` by `day`.

    Moving the target's due date later changes no rule the plan obeys (a later hard deadline only relaxes it), so
    the plan is then also a valid plan of the changed request: a date it meets needs no re-plan to be verified.
    """
    finish = planned_finish(context.result, target.kind, target.id)
    return finish is not None and finish <= day and context.plan_is_valid


def meets(request: PlanRequest, result: PlanResult | None, targets: Iterable[tuple[Target, date]]) -> bool:
    """True when `result` is a valid plan of `request` and each target finishes by its date."""
    if result is None or result.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return False
    for target, day in targets:
        finish = planned_finish(result, target.kind, target.id)
        if finish is not None and finish > day:
            return False
    return not check_schedule(request, result)


def other_moves(context: Context, result: PlanResult | None, excluded: Collection[str]) -> list[TargetMove]:
    """Milestones outside `excluded` whose planned finish differs between the plan and `result`."""
    if result is None:
        return []
    moves: list[TargetMove] = []
    for milestone in context.result.milestones:
        key = key_of(TargetKind.MILESTONE, milestone.id)
        if key in excluded:
            continue
        after = planned_finish(result, TargetKind.MILESTONE, milestone.id)
        if after != milestone.projected_finish:
            moves.append(TargetMove(key=key, before=milestone.projected_finish, after=after))
    return moves
