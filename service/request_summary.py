"""What a request asks for before any solving: counts, hours, and capacity up to each milestone's due date.

Capacity follows docs/model.md: the sum over owners of `hours_per_day` on each owner working day from
the plan start to the due date inclusive, using the solver's calendar module.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from itertools import accumulate

from api_schemas.request import Issue, PlanRequest
from api_schemas.service import MilestoneCapacity, RequestSummary
from solver.calendars.working_time import OwnerCalendar, TeamCalendar, team_capacity_until
from solver.intake.limits import Limits, days_after


def summarise_request(request: PlanRequest, limits: Limits, with_capacity: bool = True) -> RequestSummary:
    """Counts, remaining hours and the capacity to each due date (within the horizon) of a parsed request.

    `with_capacity=False` leaves capacities out, for a request whose calendar is unusable (a bad country,
    or a start too late).
    """
    estimated = [issue for issue in request.issues if issue.work_hours is not None]
    last_day = days_after(request.start_date, limits.max_horizon_days)
    dues = sorted({m.due for m in request.milestones if m.due is not None and m.due <= last_day})
    capacity = _capacity_until(request, dues) if with_capacity else {}
    work_due_by = _work_due_by(request, estimated)
    own_work: defaultdict[str, float] = defaultdict(float)
    for issue in estimated:
        if issue.milestone is not None:
            own_work[issue.milestone] += _hours(issue)
    milestones = sorted(request.milestones, key=lambda m: (m.due is None, m.due or date.max, m.id))
    return RequestSummary(
        issues=len(request.issues),
        estimated_issues=len(estimated),
        unestimated_issues=len(request.issues) - len(estimated),
        done_issues=sum(issue.work_hours == 0 for issue in estimated),
        total_work_hours=sum(_hours(issue) for issue in estimated),
        owners=len(request.owners),
        team_hours_per_day=sum(owner.hours_per_day for owner in request.owners),
        milestones=[
            _milestone_capacity(m.id, m.due, own_work[m.id], work_due_by(m.due) if m.due else None, capacity)
            for m in milestones
        ],
    )


def _milestone_capacity(
    milestone_id: str, due: date | None, own_work: float, work_due: float | None, capacity: dict[date, float]
) -> MilestoneCapacity:
    """One milestone's own work, the work due by its due date, and the capacity until then."""
    capacity_hours = capacity.get(due) if due is not None else None
    return MilestoneCapacity(
        id=milestone_id,
        due=due,
        work_hours=own_work,
        work_hours_due=work_due,
        capacity_hours=capacity_hours,
        load_ratio=_ratio(work_due, capacity_hours) if work_due is not None and capacity_hours is not None else None,
    )


def _hours(issue: Issue) -> float:
    return issue.work_hours or 0.0


def _work_due_by(request: PlanRequest, estimated: list[Issue]) -> Callable[[date], float]:
    """A function giving the remaining hours of issues whose deadline (own, else milestone's) is on or before a date."""
    due_of = {milestone.id: milestone.due for milestone in request.milestones}
    dated = sorted(
        (deadline, _hours(issue))
        for issue in estimated
        if (deadline := issue.deadline or (due_of.get(issue.milestone) if issue.milestone else None)) is not None
    )
    deadlines = [deadline for deadline, _ in dated]
    running_totals = [0.0, *accumulate(hours for _, hours in dated)]
    return lambda due: running_totals[bisect_right(deadlines, due)]


def _capacity_until(request: PlanRequest, dues: list[date]) -> dict[date, float]:
    """Team capacity hours from the start date to each of `dues` inclusive (the solver's own arithmetic)."""
    team = TeamCalendar(request.calendar)
    owners = [OwnerCalendar(owner, team) for owner in request.owners]
    return team_capacity_until(owners, request.start_date, dues)


def _ratio(work: float, capacity: float) -> float | None:
    return round(work / capacity, 3) if capacity > 0 else None
