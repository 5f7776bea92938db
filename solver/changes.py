"""`changes` of a re-plan: how each issue's place differs from the baseline, and what pushed each moved issue.

docs/model.md, "Changes and their reasons". The reasons are read from the two plans and the request: the issue's own
changes (estimate, priority, deadline, in progress), its baseline owner's time (away, taken by other work, and why
that work is there: new, longer, more urgent), and its chain (a predecessor that now releases it later).
"""

from __future__ import annotations

from datetime import datetime

from api_schemas.changes import (
    ChangeCounts,
    ChangeKind,
    ChangeReason,
    ChangeReasonCode,
    IssueChange,
    Placement,
    PlanChanges,
)
from api_schemas.common import UNITS_PER_HOUR
from api_schemas.request import Issue, PlanRequest, Stability
from api_schemas.result import IssuePlan, IssueStatus, PlanResult
from solver.prepared.baseline import BaselinePlace, baseline_places, disruption
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule


def _placement(plan: IssuePlan) -> Placement:
    return Placement(owner=plan.owner, start=plan.start, finish=plan.finish)


def _span(plan: IssuePlan) -> tuple[datetime, datetime] | None:
    return (plan.start, plan.finish) if plan.start is not None and plan.finish is not None else None


def _overlaps(first: tuple[datetime, datetime], second: tuple[datetime, datetime]) -> bool:
    return first[0] < second[1] and second[0] < first[1]


class _Reasons:
    """Reads why an issue moved, from the request, the baseline and the new plan."""

    def __init__(self, request: PlanRequest, result: PlanResult, places: dict[str, BaselinePlace]) -> None:
        self.request, self.places = request, places
        self.issues = {issue.id: issue for issue in request.issues}
        self.before = {plan.id: plan for plan in request.baseline or []}
        self.after = {plan.id: plan for plan in result.issues}
        self.owners = {owner.id: owner for owner in request.owners}
        self.warned = {i: w.message for w in result.warnings if w.code == "freeze_exception" for i in w.ids}
        self.by_owner: dict[str, list[IssuePlan]] = {}
        for plan in result.issues:
            if plan.owner is not None:
                self.by_owner.setdefault(plan.owner, []).append(plan)

    def own(self, issue: Issue) -> list[ChangeReason]:
        """What changed on the issue itself."""
        found: list[ChangeReason] = []
        before = self.before[issue.id]
        hours = issue.work_hours
        if hours is not None and round(hours * UNITS_PER_HOUR) != round(before.hours * UNITS_PER_HOUR):
            found.append(self._reason(ChangeReasonCode.ESTIMATE, f"its hours changed from {before.hours:g} h to "
                                      f"{hours:g} h", issue.id))
        if issue.priority != before.priority:
            found.append(self._reason(ChangeReasonCode.PRIORITY, f"its priority changed from "
                                      f"{before.priority.value} to {issue.priority.value}", issue.id))
        deadline = self.after[issue.id].deadline
        if deadline != before.deadline:
            found.append(self._reason(ChangeReasonCode.DEADLINE, f"its deadline changed from {before.deadline} to "
                                      f"{deadline}", issue.id))
        if issue.in_progress:
            found.append(self._reason(ChangeReasonCode.IN_PROGRESS, "it is in progress: it continues at the plan start "
                                      "on its owner", issue.id))
        if issue.id in self.warned:
            found.append(self._reason(ChangeReasonCode.FREEZE_EXCEPTION, self.warned[issue.id], issue.id))
        return found

    def owner(self, issue: Issue) -> list[ChangeReason]:
        """The baseline owner is gone or away on the baseline days, or the baseline start is before the plan."""
        place, before = self.places[issue.id], self.before[issue.id]
        owner = self.owners.get(place.owner)
        if owner is None:
            return [self._reason(ChangeReasonCode.OWNER_UNAVAILABLE, f"{place.owner} is no longer in the team",
                                 place.owner)]
        away = sorted({slot.date for slot in before.slots} & set(owner.days_off))
        if away:
            days = ", ".join(day.isoformat() for day in away)
            return [self._reason(ChangeReasonCode.OWNER_UNAVAILABLE, f"{place.owner} is away on {days}", place.owner)]
        if place.instant < 0:
            return [self._reason(ChangeReasonCode.RULES, "its baseline start is before this plan's start", issue.id)]
        if issue.pinned_owner is not None and issue.pinned_owner != place.owner:
            return [self._reason(ChangeReasonCode.RULES, f"it is pinned to {issue.pinned_owner} now", issue.id)]
        return []

    def chain(self, issue: Issue) -> list[ChangeReason]:
        """Predecessors that now finish after the issue's baseline start."""
        before = self.before[issue.id]
        found = []
        for dependency in issue.depends_on:
            pred = self.after.get(dependency.issue)
            if pred is None or pred.finish is None or before.start is None or pred.finish <= before.start:
                continue
            lag = f" (+{dependency.lag_days} working days)" if dependency.lag_days else ""
            found.append(self._reason(ChangeReasonCode.CHAIN, f"it waits for {pred.id}{lag}, which now finishes "
                                      f"{pred.finish:%a %Y-%m-%d %H:%M}", pred.id))
        return found

    def displaced(self, issue: Issue) -> list[ChangeReason]:
        """Work now on the baseline owner's time over the issue's baseline span, and why that work is there."""
        place, span = self.places[issue.id], _span(self.before[issue.id])
        if span is None:
            return []
        found = []
        for other in self.by_owner.get(place.owner, []):
            other_span = _span(other)
            if other.id == issue.id or other_span is None:
                continue
            if _overlaps(span, other_span):
                found.append(self._why_there(other))
        return found

    def _why_there(self, other: IssuePlan) -> ChangeReason:
        """Why `other` now takes the time: new, longer, more urgent, in progress, or moved there itself."""
        before, issue = self.before.get(other.id), self.issues.get(other.id)
        if before is None or before.status is not IssueStatus.PLANNED:
            return self._reason(ChangeReasonCode.NEW_ISSUE, f"new issue {other.id} takes that time", other.id)
        if issue is not None and issue.in_progress:
            return self._reason(ChangeReasonCode.IN_PROGRESS, f"{other.id} is in progress there", other.id)
        if other.hours > before.hours:
            return self._reason(ChangeReasonCode.ESTIMATE, f"{other.id} grew from {before.hours:g} h to "
                                f"{other.hours:g} h and takes that time", other.id)
        if other.priority.rank < before.priority.rank:
            return self._reason(ChangeReasonCode.PRIORITY, f"{other.id} was raised to {other.priority.value} and "
                                "goes first", other.id)
        if other.deadline is not None and (before.deadline is None or other.deadline < before.deadline):
            return self._reason(ChangeReasonCode.DEADLINE, f"{other.id} is due earlier now ({other.deadline}) and "
                                "goes first", other.id)
        return self._reason(ChangeReasonCode.DISPLACED, f"{other.id} moved into that time", other.id)

    @staticmethod
    def _reason(code: ChangeReasonCode, message: str, subject: str) -> ChangeReason:
        return ChangeReason(code=code, message=message, ids=[subject])


def _fallback(request: PlanRequest) -> ChangeReason:
    if request.options.stability is Stability.OFF:
        message = "stability is off: the plan was optimised without keeping the baseline"
    else:
        message = "moving it made the plan better on an earlier level (lateness, or its own place for others)"
    return ChangeReason(code=ChangeReasonCode.BETTER_PLAN, message=message, ids=[])


def plan_changes(
    problem: PreparedProblem, schedule: Schedule | None, result: PlanResult
) -> PlanChanges | None:
    """Every issue's change against the request's baseline (None without one), in request order, then removed ones."""
    request = problem.request
    if request.baseline is None:
        return None
    places = baseline_places(request)
    reasons = _Reasons(request, result, places)
    task_of = {task.issue.id: task for task in problem.tasks}
    changes: list[IssueChange] = []
    seen: set[str] = set()
    for plan in result.issues:
        seen.add(plan.id)
        place, issue = places.get(plan.id), reasons.issues[plan.id]
        before = _placement(reasons.before[plan.id]) if place is not None else None
        if plan.status is not IssueStatus.PLANNED:
            if place is not None:
                kind = ChangeKind.DONE if plan.status is IssueStatus.DONE else ChangeKind.REMOVED
                changes.append(IssueChange(id=plan.id, kind=kind, before=before))
            continue
        if place is None:
            changes.append(IssueChange(id=plan.id, kind=ChangeKind.ADDED, after=_placement(plan)))
            continue
        task = task_of[plan.id]
        shift = disruption(problem, task, schedule[task.index])[2] if schedule is not None else 0
        kind = (
            ChangeKind.REASSIGNED if plan.owner != place.owner
            else ChangeKind.MOVED if before is not None and plan.start != before.start
            else ChangeKind.UNCHANGED
        )
        why: list[ChangeReason] = []
        if kind is not ChangeKind.UNCHANGED:
            why = [*reasons.own(issue), *reasons.owner(issue), *reasons.chain(issue), *reasons.displaced(issue)]
            why = why or [_fallback(request)]
        changes.append(
            IssueChange(
                id=plan.id,
                kind=kind,
                before=before,
                after=_placement(plan),
                start_shift_hours=shift / UNITS_PER_HOUR,
                frozen=task.fixed_reason == "frozen",
                reasons=why,
            )
        )
    for issue_id, place in places.items():
        if issue_id not in seen:
            changes.append(IssueChange(id=issue_id, kind=ChangeKind.REMOVED, before=_placement(place.plan)))
    counts = ChangeCounts(**{kind.value: sum(c.kind is kind for c in changes) for kind in ChangeKind})
    return PlanChanges(counts=counts, issues=changes)
