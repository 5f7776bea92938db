"""What a request asks for before any solving: counts, hours, and capacity up to each milestone's due date.

Capacity follows docs/model.md: the sum over owners of `hours_per_day` on each owner working day from
the plan start to the due date inclusive, using the solver's calendar module.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import accumulate

from api_schemas.request import Issue, PlanRequest
from api_schemas.service import MilestoneCapacity, RequestSummary
from solver.calendar import OwnerCalendar, TeamCalendar
from solver.limits import Limits


def summarise_request(request: PlanRequest, limits: Limits, with_capacity: bool = True) -> RequestSummary:
    """Counts, remaining hours and the capacity to each due date (within the horizon) of a parsed request.

    `with_capacity=False` leaves capacities out, for a request whose calendar is unusable (bad country).
    """
    estimated = [issue for issue in request.issues if issue.work_hours is not None]
    due_of = {milestone.id: milestone.due for milestone in request.milestones}
    last_day = request.start_date + timedelta(days=limits.max_horizon_days)
    dues = sorted({m.due for m in request.milestones if m.due is not None and m.due <= last_day})
    capacity = _capacity_until(request, dues) if with_capacity else {}
    milestones = sorted(request.milestones, key=lambda m: (m.due is None, m.due or date.max, m.id))
    return RequestSummary(
        issues=len(request.issues),
        estimated_issues=len(estimated),
        unestimated_issues=len(request.issues) - len(estimated),
        done_issues=sum(issue.work_hours == 0 for issue in estimated),
        total_work_hours=sum(_hours(issue) for issue in estimated),
        owners=len(request.owners),
        team_hours_per_day=sum(owner.hours_per_day for owner in request.owners),
        milestones=[_milestone_capacity(m.id, m.due, estimated, due_of, capacity) for m in milestones],
    )


def _milestone_capacity(
    milestone_id: str,
    due: date | None,
    estimated: list[Issue],
    due_of: dict[str, date | None],
    capacity: dict[date, float],
) -> MilestoneCapacity:
    """One milestone's own work, the work due by its due date, and the capacity until then."""
    work_due = _work_due_by(due, estimated, due_of) if due is not None else None
    capacity_hours = capacity.get(due) if due is not None else None
    return MilestoneCapacity(
        id=milestone_id,
        due=due,
        work_hours=sum(_hours(issue) for issue in estimated if issue.milestone == milestone_id),
        work_hours_due=work_due,
        capacity_hours=capacity_hours,
        load_ratio=_ratio(work_due, capacity_hours) if work_due is not None and capacity_hours is not None else None,
    )


def _hours(issue: Issue) -> float:
    return issue.work_hours or 0.0


def _work_due_by(due: date, issues: list[Issue], due_of: dict[str, date | None]) -> float:
    """Remaining hours of the issues whose deadline (own, else their milestone's due) is on or before `due`."""
    total = 0.0
    for issue in issues:
        deadline = issue.deadline or (due_of.get(issue.milestone) if issue.milestone else None)
        if deadline is not None and deadline <= due:
            total += _hours(issue)
    return total


def _capacity_until(request: PlanRequest, dues: list[date]) -> dict[date, float]:
    """Team capacity hours from the start date to each of `dues` inclusive (0 for dues before the start)."""
    if not dues:
        return {}
    team = TeamCalendar(request.calendar)
    owners = [OwnerCalendar(owner, team) for owner in request.owners]
    start = request.start_date
    days = max(0, (dues[-1] - start).days + 1)
    daily = [sum(o.capacity_hours(start + timedelta(days=d), start + timedelta(days=d)) for o in owners)
             for d in range(days)]
    cumulative = list(accumulate(daily))
    return {due: cumulative[(due - start).days] if due >= start else 0.0 for due in dues}


def _ratio(work: float, capacity: float) -> float | None:
    return round(work / capacity, 3) if capacity > 0 else None
