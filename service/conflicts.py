"""What the solver will refuse in a request that parses: rules no plan can meet, found without solving.

`/v1/plans` accepts such a request and answers INFEASIBLE with the conflicts it finds; `validate` (HTTP and
`capplan validate`) names them up front so a planner fixes the backlog before planning it:
- a hard deadline (the issue's deadline, else its milestone's due date) before the plan's start date;
- a pinned start before the start date or the issue's not-before date;
- a pinned start on a day nobody who may take the issue works (its pinned owner's days off, weekdays,
  holidays; without a pinned owner, every owner's).
Issues with no work left are done and never conflict.
"""

from __future__ import annotations

from api_schemas.problems import Problem
from api_schemas.request import Issue, PlanRequest
from solver.calendars.working_time import OwnerCalendar, TeamCalendar
from solver.prepared.problem import deadline_of


def certain_conflicts(request: PlanRequest) -> list[Problem]:
    """Every rule of `request` that no plan can satisfy, one problem each, naming the issue and the field."""
    team = TeamCalendar(request.calendar)
    calendars = {owner.id: OwnerCalendar(owner, team) for owner in request.owners}
    dues = {milestone.id: milestone.due for milestone in request.milestones}
    found: list[Problem] = []
    for index, issue in enumerate(request.issues):
        if not issue.work_hours:
            continue
        deadline = deadline_of(issue, dues)
        if issue.hard_deadline and deadline is not None and deadline < request.start_date:
            where = "deadline" if issue.deadline is not None else f"milestone {issue.milestone}'s due date"
            found.append(_problem(index, issue, "hard_deadline", "hard_deadline_before_start",
                                  f"Issue {issue.id} has a hard deadline ({where}, {deadline}) before the plan "
                                  f"starts on {request.start_date}: no plan can meet it."))
        found.extend(_pin_conflicts(index, issue, request, team, calendars))
    return found


def _pin_conflicts(
    index: int, issue: Issue, request: PlanRequest, team: TeamCalendar, calendars: dict[str, OwnerCalendar]
) -> list[Problem]:
    day = issue.pinned_start
    if day is None:
        return []
    if day < request.start_date:
        return [_problem(index, issue, "pinned_start", "pinned_start_before_start",
                         f"Issue {issue.id} is pinned to start on {day}, before the plan starts on "
                         f"{request.start_date}.")]
    if issue.not_before is not None and day < issue.not_before:
        return [_problem(index, issue, "pinned_start", "pinned_start_before_not_before",
                         f"Issue {issue.id} is pinned to start on {day}, before its not-before date "
                         f"{issue.not_before}.")]
    owners = [issue.pinned_owner] if issue.pinned_owner in calendars else list(calendars)
    if any(calendars[owner].is_working(day) for owner in owners):
        return []
    who = f"its pinned owner {issue.pinned_owner} does not work" if issue.pinned_owner in calendars else (
        "no owner works")
    reason = "a team holiday" if team.is_holiday(day) else f"a {day:%A}"
    return [_problem(index, issue, "pinned_start", "pinned_start_not_working",
                     f"Issue {issue.id} is pinned to start on {day} ({reason}), a day {who}.")]


def _problem(index: int, issue: Issue, field: str, code: str, message: str) -> Problem:
    return Problem(loc=["issues", index, field], code=code, message=message, ids=[issue.id])
