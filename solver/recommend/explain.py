"""Why a target is missed: the reasons that bind, each with its numbers.

Capacity (its work against the team's hours up to the due date), all work due by then, skills held by
too few owners, the dependency chain (with unlimited owners), lags on that chain, pins and not-before
dates, and the other work the plan puts before the due date on the owners who could do this work.
"""

from __future__ import annotations

from datetime import date

from api_schemas.common import UNITS_PER_HOUR
from api_schemas.recommendations import Reason, ReasonKind, TargetStatus
from api_schemas.result import IssueStatus
from solver.prepared.problem import PreparedProblem, deadline_of
from solver.recommend.chain import Earliest, chain_behind, describe_chain
from solver.recommend.context import Context
from solver.recommend.targets import Target
from solver.recommend.words import count, listed, percent


class CapacityTable:
    """Hours each owner can work from the plan start to the end of a date, counted once per owner."""

    def __init__(self, problem: PreparedProblem) -> None:
        self.problem = problem
        self._cumulative: dict[str, list[float]] = {}

    def _hours_through(self, owner: str, day: int) -> float:
        hours = self._cumulative.setdefault(owner, [])
        calendar = self.problem.owner_calendars[owner]
        while len(hours) <= day:
            worked = (
                calendar.units_per_day / UNITS_PER_HOUR
                if calendar.is_working(self.problem.date_of(len(hours)))
                else 0.0
            )
            hours.append((hours[-1] if hours else 0.0) + worked)
        return hours[day]

    def before(self, due: date, owners: list[str] | None = None) -> float:
        """Hours the owners (all by default) can work from the plan start to the end of `due`."""
        if due < self.problem.start:
            return 0.0
        day = self.problem.day_index(due)
        return sum(self._hours_through(o, day) for o in (owners or list(self.problem.owner_calendars)))


def _ratio_reason(kind: ReasonKind, message: str, ids: list[str], hours: float, available: float) -> Reason:
    ratio = hours / available if available else None
    return Reason(
        kind=kind,
        message=message,
        ids=ids,
        hours=hours,
        available_hours=available,
        ratio=round(ratio, 4) if ratio is not None else None,
    )


def _capacity_reasons(context: Context, target: Target, capacity: CapacityTable) -> list[Reason]:
    """Its own work, and all work due by its date, against the team's hours up to the due date."""
    request = context.request
    available = capacity.before(target.due)
    shown = f"{percent(target.work_hours / available)}" if available else "it was due before the plan starts"
    reasons: list[Reason] = []
    if target.work_hours > available:
        reasons.append(
            _ratio_reason(
                ReasonKind.CAPACITY,
                f"{target.work_hours:g} h of work, {available:g} h available before the due date: {shown}",
                [target.id],
                target.work_hours,
                available,
            )
        )
    due_dates = {m.id: m.due for m in request.milestones}
    hours: dict[str, float] = {}
    for issue in request.issues:
        deadline = deadline_of(issue, due_dates)
        if deadline is not None and deadline <= target.due and issue.work_hours:
            group = issue.milestone or issue.id
            hours[group] = hours.get(group, 0.0) + issue.work_hours
    total = sum(hours.values())
    if total > max(available, target.work_hours):
        others = [group for group in hours if group != target.id]
        reasons.append(
            _ratio_reason(
                ReasonKind.WORK_DUE,
                f"{total:g} h of work is due by {target.due.isoformat()} (with "
                f"{listed(others)}), {available:g} h available: {percent(total / available) if available else 'none'}",
                [target.id, *others],
                total,
                available,
            )
        )
    return reasons


def _skill_reasons(context: Context, target: Target, capacity: CapacityTable) -> list[Reason]:
    """Skills whose work due by the date exceeds the hours of the owners who have them."""
    request = context.request
    in_scope = set(target.issue_ids)
    skills = sorted({s for issue in request.issues if issue.id in in_scope for s in issue.skills})
    due_dates = {m.id: m.due for m in request.milestones}
    reasons: list[Reason] = []
    for skill in skills:
        holders = [o.id for o in request.owners if skill in o.skills]
        work = sum(
            issue.work_hours or 0.0
            for issue in request.issues
            if skill in issue.skills and (deadline_of(issue, due_dates) or date.max) <= target.due
        )
        available = capacity.before(target.due, holders)
        if work > available:
            reasons.append(
                _ratio_reason(
                    ReasonKind.SKILL,
                    f"{work:g} h of work due by then needs '{skill}', which "
                    f"{count(len(holders), 'owner')} {'has' if len(holders) == 1 else 'have'} ({listed(holders)}): "
                    f"{available:g} h available: {percent(work / available) if available else 'none'}",
                    [*holders],
                    work,
                    available,
                )
            )
    return reasons


def _chain_reasons(context: Context, target: Target, earliest: list[Earliest]) -> list[Reason]:
    """The chain behind the target when it alone ends after the due date, and the lags on it."""
    problem = context.problem
    index_of = {task.issue.id: task.index for task in problem.tasks}
    scope = [index_of[i] for i in target.issue_ids if i in index_of]
    chain = chain_behind(problem, earliest, scope)
    if not chain or problem.date_of(earliest[chain[-1]].end_day) <= target.due:
        return []
    described = describe_chain(problem, earliest, chain, target.due)
    reasons = [
        Reason(
            kind=ReasonKind.CHAIN,
            message=described.message,
            ids=described.ids,
            hours=described.hours,
            working_days=described.working_days,
            date=described.earliest_finish,
        )
    ]
    for index in chain[1:]:
        after = earliest[index].after
        if after is not None and after[1]:
            task, pred = problem.tasks[index], problem.tasks[after[0]]
            reasons.append(
                Reason(
                    kind=ReasonKind.LAG,
                    message=f"{task.issue.id} waits {count(after[1], 'working day')} after {pred.issue.id} finishes",
                    ids=[task.issue.id, pred.issue.id],
                    working_days=after[1],
                )
            )
    first = problem.tasks[chain[0]].issue
    # A pin or not-before date after the due date is named with the target's other dates.
    if first.pinned_start is not None and first.pinned_start <= target.due:
        reasons.append(
            Reason(
                kind=ReasonKind.PIN,
                message=f"{first.id} is pinned to start {first.pinned_start.isoformat()}",
                ids=[first.id],
                date=first.pinned_start,
            )
        )
    elif first.not_before is not None and problem.start < first.not_before <= target.due:
        reasons.append(
            Reason(
                kind=ReasonKind.NOT_BEFORE,
                message=f"{first.id} may not start before {first.not_before.isoformat()}",
                ids=[first.id],
                date=first.not_before,
            )
        )
    return reasons


def _date_reasons(context: Context, target: Target) -> list[Reason]:
    """Issues of the target pinned to start, or not allowed to start, after its due date."""
    reasons: list[Reason] = []
    scope = set(target.issue_ids)
    for issue in context.request.issues:
        if issue.id not in scope:
            continue
        if issue.pinned_start is not None and issue.pinned_start > target.due:
            reasons.append(
                Reason(
                    kind=ReasonKind.PIN,
                    message=f"{issue.id} is pinned to start {issue.pinned_start.isoformat()}, after the due date",
                    ids=[issue.id],
                    date=issue.pinned_start,
                )
            )
        if issue.not_before is not None and issue.not_before > target.due:
            reasons.append(
                Reason(
                    kind=ReasonKind.NOT_BEFORE,
                    message=f"{issue.id} may not start before {issue.not_before.isoformat()}, after the due date",
                    ids=[issue.id],
                    date=issue.not_before,
                )
            )
    return reasons


def _contention_reason(context: Context, target: Target) -> list[Reason]:
    """Other work the plan puts before the due date on the owners who could do the target's issues."""
    problem, result = context.problem, context.result
    index_of = {task.issue.id: task.index for task in problem.tasks}
    owners = {
        owner
        for i in target.issue_ids
        if i in index_of
        for r in problem.tasks[index_of[i]].resources
        for owner in problem.resources[r].owner_ids
    }
    scope = set(target.issue_ids)
    hours: dict[str, float] = {}
    for plan in result.issues:
        if plan.status != IssueStatus.PLANNED or plan.id in scope or plan.owner not in owners:
            continue
        before = sum(slot.hours for slot in plan.slots if slot.date <= target.due)
        if before:
            group = plan.milestone or plan.id
            hours[group] = hours.get(group, 0.0) + before
    if not hours:
        return []
    total = sum(hours.values())
    parts = [f"{group} ({value:g} h)" for group, value in sorted(hours.items(), key=lambda kv: (-kv[1], kv[0]))]
    return [
        Reason(
            kind=ReasonKind.CONTENTION,
            message=f"the plan gives {total:g} h before the due date to work ranked first: {listed(parts)}",
            ids=sorted(hours),
            hours=total,
        )
    ]


def explain(context: Context, target: Target, earliest: list[Earliest], capacity: CapacityTable) -> list[Reason]:
    """The reasons `target` is missed, most telling first (an overdue one has no capacity before its date)."""
    overdue = target.status == TargetStatus.OVERDUE
    return [
        *_chain_reasons(context, target, earliest),
        *([] if overdue else _capacity_reasons(context, target, capacity)),
        *_skill_reasons(context, target, capacity),
        *_date_reasons(context, target),
        *_contention_reason(context, target),
    ]
