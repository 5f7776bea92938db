"""Where each milestone stands: overdue, at risk or on track, with the numbers behind the call."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from api_schemas.result import IssueStatus, MilestonePlan, MilestoneStatus
from service.report.formatting import plural
from service.report.plan_view import PlanView


class Standing(StrEnum):
    """A team lead's word for a milestone's state."""

    OVERDUE = "overdue"
    AT_RISK = "at risk"
    ON_TRACK = "on track"
    DONE = "done"
    NO_DUE_DATE = "no due date"
    UNSCHEDULED = "not scheduled"


@dataclass(frozen=True)
class MilestoneStanding:
    """A milestone's standing, why, and its load against the capacity before it is due."""

    milestone: MilestonePlan
    standing: Standing
    reasons: list[str]
    work_due_hours: float
    spare_working_days: int | None

    @property
    def due_load_ratio(self) -> float | None:
        """All estimated work due by this date (any milestone) over the team's capacity until then."""
        capacity = self.milestone.capacity_hours_before_due
        return self.work_due_hours / capacity if capacity else None


def work_due_by(view: PlanView, milestone: MilestonePlan) -> float:
    """Hours of estimated, not yet done issues whose deadline is on or before the milestone's due date."""
    if milestone.due is None:
        return milestone.work_hours
    return sum(
        issue.hours
        for issue in view.result.issues
        if issue.status == IssueStatus.PLANNED and issue.deadline is not None and issue.deadline <= milestone.due
    )


def standing_of(view: PlanView, milestone: MilestonePlan) -> MilestoneStanding:
    """Classify one milestone and give the reasons in a few words each."""
    reasons: list[str] = []
    spare: int | None = None
    due, finish = milestone.due, milestone.projected_finish
    if milestone.status == MilestoneStatus.DONE:
        standing = Standing.DONE
    elif milestone.status == MilestoneStatus.NO_DUE_DATE:
        standing = Standing.NO_DUE_DATE
    elif milestone.status == MilestoneStatus.OVERDUE and due is not None:
        standing = Standing.OVERDUE
        days_ago = (view.start_date - due).days
        reasons.append(f"due {plural(days_ago, 'day')} before the plan starts")
        if milestone.late:
            reasons.append(f"finishes {plural(milestone.lateness_working_days, 'working day')} after due")
    elif milestone.status == MilestoneStatus.UNSCHEDULED:
        standing = Standing.UNSCHEDULED
        reasons.append("no plan exists for its work; see why the issues are unscheduled")
    elif milestone.late:
        standing = Standing.AT_RISK
        reasons.append(f"projected {plural(milestone.lateness_working_days, 'working day')} late")
    else:
        standing = Standing.ON_TRACK
        if due is not None and finish is not None:
            spare = view.working_time.team.working_days_between(finish, due)
            if spare == 0:
                standing = Standing.AT_RISK
                reasons.append("finishes on its due date, no working day to spare")
            else:
                reasons.append(f"{plural(spare, 'working day')} to spare")
    if milestone.unplanned_issues:
        if standing == Standing.ON_TRACK:
            standing = Standing.AT_RISK
        if milestone.unplanned_issues == milestone.issues:
            reasons.append(f"none of its {plural(milestone.issues, 'issue')} has an estimate")
        else:
            reasons.append(f"{milestone.unplanned_issues} of {milestone.issues} issues have no estimate")
    return MilestoneStanding(
        milestone=milestone,
        standing=standing,
        reasons=reasons,
        work_due_hours=work_due_by(view, milestone),
        spare_working_days=spare,
    )


def standings(view: PlanView) -> list[MilestoneStanding]:
    """Every milestone's standing, by due date."""
    return [standing_of(view, milestone) for milestone in view.milestones_by_due()]
