"""Rule 4 of docs/model.md for milestones: projected finish, status, lateness, work and capacity.

Rule code: reported_value.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta

from api_schemas.request import Milestone
from api_schemas.result import MilestonePlan, MilestoneStatus
from checker.calendar import ON_TIME
from checker.context import CheckContext, is_planned, work_units
from checker.mismatch import hours_differ, lateness_mismatches, mismatch
from checker.timeline import UNITS_PER_HOUR, hours_to_units
from checker.violation import Violation

#: Load ratios are derived figures a result may round for display; allow this much.
LOAD_RATIO_TOLERANCE = 0.005


def expected_milestone_status(context: CheckContext, milestone: Milestone, projected: date | None) -> MilestoneStatus:
    """Decide done, overdue, no due date, late, unestimated or on track, in that order (docs/model.md)."""
    if all(work_units(issue) == 0 for issue in context.members.get(milestone.id, [])):
        return MilestoneStatus.DONE
    if milestone.due is None:
        return MilestoneStatus.NO_DUE_DATE
    if milestone.due < context.request.start_date:
        return MilestoneStatus.OVERDUE
    if projected is not None and projected > milestone.due:
        return MilestoneStatus.LATE
    if all(work_units(issue) is None for issue in context.members.get(milestone.id, []) if work_units(issue) != 0):
        return MilestoneStatus.UNESTIMATED
    return MilestoneStatus.ON_TRACK


class TeamCapacity:
    """Quarter hours the whole team can work from the start date up to each date (computed once)."""

    def __init__(self, context: CheckContext, last: date) -> None:
        self._start = context.request.start_date
        self._running: list[int] = []
        total = 0
        for offset in range((last - self._start).days + 1):
            day = self._start + timedelta(days=offset)
            total += sum(
                hours_to_units(owner.hours_per_day)
                for owner in context.owners.values()
                if context.calendar.is_owner_working_day(owner, day)
            )
            self._running.append(total)

    def until(self, due: date) -> int:
        """Sum over owners of hours per day on each owner working day from the start date to `due` inclusive."""
        if due < self._start:
            return 0
        return self._running[(due - self._start).days]


def _milestone_mismatches(
    context: CheckContext, capacity: TeamCapacity, milestone: Milestone, plan: MilestonePlan
) -> list[Violation]:
    """Due date, projected finish, status, lateness, counts, work and capacity of one milestone."""
    what = f"Milestone {milestone.id}"
    ids = [milestone.id]
    found: list[Violation] = []
    members = context.members.get(milestone.id, [])
    finishes = [
        context.spans[issue.id].finish_date for issue in members if is_planned(issue) and issue.id in context.spans
    ]
    projected = max(finishes) if finishes else None
    if plan.due != milestone.due:
        found.append(mismatch(what, "due", plan.due, milestone.due, ids))
    if plan.projected_finish != projected:
        found.append(mismatch(what, "projected_finish", plan.projected_finish, projected, ids))
    status = expected_milestone_status(context, milestone, projected)
    if plan.status != status:
        found.append(mismatch(what, "status", plan.status, status, ids))
    lateness = context.calendar.lateness(projected, milestone.due) if projected is not None else ON_TIME
    found.extend(lateness_mismatches(what, ids, plan, lateness))
    if plan.issues != len(members):
        found.append(mismatch(what, "issues", plan.issues, len(members), ids))
    unplanned = sum(1 for issue in members if work_units(issue) is None)
    if plan.unplanned_issues != unplanned:
        found.append(mismatch(what, "unplanned_issues", plan.unplanned_issues, unplanned, ids))
    work = sum(work_units(issue) or 0 for issue in members if is_planned(issue))
    if hours_differ(plan.work_hours, work):
        found.append(mismatch(what, "work_hours", plan.work_hours, work / UNITS_PER_HOUR, ids))
    found.extend(_capacity_mismatches(capacity, milestone, plan, work))
    return found


def _capacity_mismatches(
    capacity: TeamCapacity, milestone: Milestone, plan: MilestonePlan, work: int
) -> list[Violation]:
    """Team capacity before the due date and the load ratio work / capacity."""
    what = f"Milestone {milestone.id}"
    ids = [milestone.id]
    if milestone.due is None:
        if plan.capacity_hours_before_due is not None:
            return [mismatch(what, "capacity_hours_before_due", plan.capacity_hours_before_due, None, ids)]
        return []
    units = capacity.until(milestone.due)
    reported = plan.capacity_hours_before_due
    if reported is None or hours_differ(reported, units):
        return [mismatch(what, "capacity_hours_before_due", reported, units / UNITS_PER_HOUR, ids)]
    if units > 0:
        ratio = work / units
        if plan.load_ratio is None or not math.isclose(plan.load_ratio, ratio, abs_tol=LOAD_RATIO_TOLERANCE):
            return [mismatch(what, "load_ratio", plan.load_ratio, round(ratio, 4), ids)]
    return []


def check_milestone_values(context: CheckContext) -> list[Violation]:
    """Every request milestone reported once, with the values its issues' slots imply."""
    found: list[Violation] = []
    if not context.has_schedule:
        return found
    counts = Counter(plan.id for plan in context.result.milestones)
    for milestone in context.request.milestones:
        if counts[milestone.id] != 1:
            found.append(
                Violation(
                    "reported_value",
                    f"Milestone {milestone.id} appears {counts[milestone.id]} times in the result; expected once.",
                    [milestone.id],
                )
            )
    for plan_id in counts:
        if plan_id not in context.milestones:
            found.append(
                Violation(
                    "reported_value", f"The result lists milestone {plan_id}, which the request lacks.", [plan_id]
                )
            )
    dues = [milestone.due for milestone in context.request.milestones if milestone.due is not None]
    capacity = TeamCapacity(context, max([context.request.start_date, *dues]))
    seen: set[str] = set()
    for milestone_plan in context.result.milestones:
        requested = context.milestones.get(milestone_plan.id)
        if requested is not None and milestone_plan.id not in seen:
            seen.add(milestone_plan.id)
            found.extend(_milestone_mismatches(context, capacity, requested, milestone_plan))
    return found
