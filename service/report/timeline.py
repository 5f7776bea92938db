"""The plan laid out in time: slot rows per day, priority tiers, and what closes by the end of each week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from api_schemas.result import IssuePlan, IssueStatus, MilestonePlan
from service.report.plan_view import PlanView, SlotView

#: Days in a planning week, counted from the plan's start date.
WEEK_DAYS = 7
#: Team working days counted as "now" (the next 24-48 hours).
NOW_WORKING_DAYS = 2


@dataclass(frozen=True)
class DayRow:
    """One slot of the day-by-day table and what it completes (issues done, milestones complete)."""

    slot: SlotView
    completes: list[str]


def day_rows(view: PlanView, first: date, last: date) -> list[DayRow]:
    """Every slot from `first` to `last`, with what finishes at its end."""
    completion = {m.id: view.milestone_completion(m.id) for m in view.result.milestones}
    last_issue_of = {
        milestone_id: max(
            (issue for issue in view.members(milestone_id) if issue.finish is not None),
            key=lambda issue: (issue.finish, issue.id),
            default=None,
        )
        for milestone_id in completion
    }
    rows: list[DayRow] = []
    for slot in view.slots_between(first, last):
        completes: list[str] = []
        if slot.is_last:
            completes.append(f"{slot.issue.id} done")
            milestone_id = slot.issue.milestone
            if (
                milestone_id is not None
                and completion.get(milestone_id) == slot.day
                and last_issue_of.get(milestone_id) is slot.issue
            ):
                completes.append(f"{view.milestone_name(milestone_id)} complete")
        rows.append(DayRow(slot=slot, completes=completes))
    return rows


def week_bounds(view: PlanView, week: int) -> tuple[date, date]:
    """First and last date of plan week `week` (1 = the seven days from the start date)."""
    first = view.start_date + timedelta(days=WEEK_DAYS * (week - 1))
    return first, first + timedelta(days=WEEK_DAYS - 1)


# --- priority tiers ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    """Planned issues that start within a period (`last` None: open-ended)."""

    name: str
    first: date
    last: date | None
    issues: list[IssuePlan]


def tiers(view: PlanView) -> list[Tier]:
    """Now (the first two team working days), the rest of week 1, and later; by planned start."""
    working = view.working_time.first_team_working_days(view.start_date, NOW_WORKING_DAYS)
    now_last = working[-1] if working else view.start_date
    _, week_last = week_bounds(view, 1)
    week_last = max(week_last, now_last)
    planned = view.planned
    start_date = {issue.id: issue.slots[0].date for issue in planned}
    after_now = now_last + timedelta(days=1)
    return [
        Tier("now", view.start_date, now_last, [i for i in planned if start_date[i.id] <= now_last]),
        Tier("this week", after_now, week_last, [i for i in planned if now_last < start_date[i.id] <= week_last]),
        Tier("later", week_last + timedelta(days=1), None, [i for i in planned if start_date[i.id] > week_last]),
    ]


# --- success criteria --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneProgress:
    """How much of a milestone is closed by a date: issues and estimated hours."""

    milestone: MilestonePlan | None
    closed: list[IssuePlan]
    issues: int
    closed_hours: float
    hours: float


@dataclass(frozen=True)
class WeekGoal:
    """What the plan closes by the end of one week: per milestone, and the issues closing that week."""

    week: int
    first: date
    last: date
    progress: list[MilestoneProgress]
    closing: list[IssuePlan]


def _progress(view: PlanView, milestone: MilestonePlan | None, members: list[IssuePlan], by: date) -> MilestoneProgress:
    closed = [issue for issue in members if view.closed_by(issue, by)]
    estimated = [issue for issue in members if issue.status != IssueStatus.UNPLANNED]
    return MilestoneProgress(
        milestone=milestone,
        closed=closed,
        issues=len(members),
        closed_hours=sum(issue.hours for issue in closed),
        hours=sum(issue.hours for issue in estimated),
    )


def week_goal(view: PlanView, week: int) -> WeekGoal:
    """Success criteria of a week: each milestone's closed share at its end, and what closes during it."""
    first, last = week_bounds(view, week)
    progress = [_progress(view, m, view.members(m.id), last) for m in view.milestones_by_due()]
    loose = [issue for issue in view.result.issues if issue.milestone is None]
    if loose:
        progress.append(_progress(view, None, loose, last))
    closing = [
        issue
        for issue in view.planned
        if (finish := view.finish_date(issue)) is not None and first <= finish <= last
    ]
    closing.sort(key=lambda issue: (issue.finish, issue.id))
    return WeekGoal(week=week, first=first, last=last, progress=progress, closing=closing)
