"""The milestones and issue deadlines a plan misses, and the dates every other one must keep.

A *target* is a milestone whose planned finish is after its due date (or whose due date was before the
plan started), or an issue whose own deadline is missed. A *commitment* is what every other milestone and
deadline keeps while one target is helped: it finishes no later than its due date when the plan meets
it, and no later than the plan's finish when the plan misses it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from api_schemas.recommendations import TargetKind, TargetStatus
from api_schemas.request import PlanRequest
from api_schemas.result import IssuePlan, IssueStatus, MilestoneStatus, PlanResult

#: Rank of a target with no planned issue (after P3).
NO_RANK = 4


@dataclass(frozen=True)
class Target:
    """A missed milestone or issue deadline: its date and the planned issues it covers."""

    kind: TargetKind
    id: str
    name: str | None
    due: date
    status: TargetStatus
    issue_ids: tuple[str, ...]
    planned_finish: date | None
    lateness_working_days: int
    lateness_calendar_days: int
    work_hours: float
    rank: int

    @property
    def key(self) -> str:
        """Stable key, e.g. 'milestone:M3' or 'issue:#841'."""
        return key_of(self.kind, self.id)

    @property
    def label(self) -> str:
        """How a person names it: the milestone's name, else its id."""
        return self.name or self.id


def key_of(kind: TargetKind, target_id: str) -> str:
    """Key of a milestone or issue deadline."""
    return f"{kind.value}:{target_id}"


def finish_date(plan: IssuePlan) -> date | None:
    """Date of an issue's last slot (a finish at 24:00 belongs to that date)."""
    return plan.slots[-1].date if plan.slots else None


def _rank(plans: list[IssuePlan]) -> int:
    return min((plan.priority.rank for plan in plans), default=NO_RANK)


def find_targets(request: PlanRequest, result: PlanResult) -> list[Target]:
    """Missed milestones and own issue deadlines of `result`, most important first (priority, then date)."""
    plans = {plan.id: plan for plan in result.issues}
    planned = [plan for plan in result.issues if plan.status == IssueStatus.PLANNED]
    due_of = {milestone.id: milestone.due for milestone in request.milestones}
    by_milestone: dict[str, list[IssuePlan]] = {}
    for plan in planned:
        if plan.milestone is not None:
            by_milestone.setdefault(plan.milestone, []).append(plan)
    targets: list[Target] = []
    for milestone in result.milestones:
        if milestone.due is None or milestone.status not in (MilestoneStatus.LATE, MilestoneStatus.OVERDUE):
            continue
        scope = by_milestone.get(milestone.id, [])
        targets.append(
            Target(
                kind=TargetKind.MILESTONE,
                id=milestone.id,
                name=milestone.name,
                due=milestone.due,
                status=TargetStatus.OVERDUE if milestone.status == MilestoneStatus.OVERDUE else TargetStatus.LATE,
                issue_ids=tuple(plan.id for plan in scope),
                planned_finish=milestone.projected_finish,
                lateness_working_days=milestone.lateness_working_days,
                lateness_calendar_days=milestone.lateness_calendar_days,
                work_hours=sum(plan.hours for plan in scope),
                rank=_rank(scope),
            )
        )
    for issue in request.issues:
        plan = plans[issue.id]
        own = issue.deadline
        if own is None or plan.status != IssueStatus.PLANNED:
            continue
        if issue.milestone is not None and due_of.get(issue.milestone) == own:
            continue  # the milestone's own target covers it
        overdue = own < request.start_date
        if not (plan.late or overdue):
            continue
        targets.append(
            Target(
                kind=TargetKind.ISSUE,
                id=issue.id,
                name=issue.title or None,
                due=own,
                status=TargetStatus.OVERDUE if overdue else TargetStatus.LATE,
                issue_ids=(issue.id,),
                planned_finish=finish_date(plan),
                lateness_working_days=plan.lateness_working_days,
                lateness_calendar_days=plan.lateness_calendar_days,
                work_hours=plan.hours,
                rank=plan.priority.rank,
            )
        )
    return sorted(targets, key=lambda t: (t.rank, t.due, t.kind.value, t.id))


def planned_finish(result: PlanResult, kind: TargetKind, target_id: str) -> date | None:
    """Planned finish of a milestone or issue in `result` (None when nothing of it is planned)."""
    if kind == TargetKind.MILESTONE:
        milestone = next((m for m in result.milestones if m.id == target_id), None)
        return milestone.projected_finish if milestone else None
    issue = next((p for p in result.issues if p.id == target_id), None)
    return finish_date(issue) if issue else None


def commitments(
    request: PlanRequest, result: PlanResult, excluded: Collection[str], as_planned: bool = False
) -> dict[str, date]:
    """Latest finish date of each planned issue so that no milestone or deadline outside `excluded` gets later.

    `excluded` holds target keys. A milestone's issues finish by its due date, or by its planned finish when
    that is later; an issue with its own deadline likewise. With `as_planned`, by the planned finish even
    when the due date is later: nothing finishes later than in the plan.
    """
    limits: dict[str, date] = {}

    def limit(issue_id: str, day: date) -> None:
        limits[issue_id] = min(day, limits.get(issue_id, day))

    planned = {plan.id: plan for plan in result.issues if plan.status == IssueStatus.PLANNED}
    by_milestone: dict[str, list[str]] = {}
    for plan in planned.values():
        if plan.milestone is not None:
            by_milestone.setdefault(plan.milestone, []).append(plan.id)
    for milestone in result.milestones:
        if milestone.due is None or key_of(TargetKind.MILESTONE, milestone.id) in excluded:
            continue
        allowed = max(milestone.due, milestone.projected_finish or milestone.due)
        if as_planned and milestone.projected_finish is not None:
            allowed = milestone.projected_finish
        for issue_id in by_milestone.get(milestone.id, []):
            limit(issue_id, allowed)
    for issue in request.issues:
        own = planned.get(issue.id)
        if own is None or issue.deadline is None or key_of(TargetKind.ISSUE, issue.id) in excluded:
            continue
        finish = finish_date(own)
        limit(issue.id, finish if as_planned and finish else max(issue.deadline, finish or issue.deadline))
    return limits
