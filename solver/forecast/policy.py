"""The plan as a policy: each owner's order of work, the dependencies and releases every sample follows.

Read from the request and its result alone (owners, starts, hours), so any checked plan can be forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from api_schemas.common import UNITS_PER_DAY, UNITS_PER_HOUR
from api_schemas.request import Issue, PlanRequest
from api_schemas.result import IssuePlan, IssueStatus, PlanResult
from solver.calendars.working_time import OwnerCalendar, TeamCalendar


@dataclass(frozen=True)
class PolicyTask:
    """One piece of a planned issue's work as the simulation runs it (an unsplit issue is one piece).

    Indices refer to the policy's processing order; `issue` indexes `Policy.issues`. Only an issue's first piece
    waits for its dependencies and releases; its later pieces follow their owner's order.
    """

    issue: int
    work: int
    owner: int
    clock: int
    owner_prev: int
    deps: tuple[tuple[int, int], ...]
    release: int


@dataclass(frozen=True)
class PolicyIssue:
    """A planned issue: its request, its pieces' tasks, its deadline (day index) and its milestone's index."""

    issue: Issue
    tasks: tuple[int, ...]
    deadline_day: int | None
    milestone: int

    @property
    def last(self) -> int:
        """The task of its last piece, whose finish is the issue's."""
        return self.tasks[-1]


@dataclass(frozen=True)
class MilestoneRef:
    """A milestone the forecast reports on, with its due date as a day index (None without one)."""

    id: str
    due: date | None
    due_day: int | None
    members: tuple[int, ...]


@dataclass(frozen=True)
class Policy:
    """Planned pieces in an order that puts every dependency and owner predecessor first, and their calendars.

    `milestones[].members` index `issues`.
    """

    start: date
    team: TeamCalendar
    clocks: tuple[OwnerCalendar, ...]
    tasks: tuple[PolicyTask, ...]
    issues: tuple[PolicyIssue, ...]
    milestones: tuple[MilestoneRef, ...]
    last_day: int

    @property
    def longest_lag(self) -> int:
        """The longest lag of any simulated dependency, in team working days."""
        return max((lag for task in self.tasks for _, lag in task.deps), default=0)


def _instant(start: date, moment: datetime) -> int:
    """Quarter hours from `start` 00:00 to `moment`."""
    delta = moment - datetime.combine(start, datetime.min.time())
    return int(delta.total_seconds()) // (60 * 60 // UNITS_PER_HOUR)


def _clock_key(calendar: OwnerCalendar) -> tuple[object, ...]:
    return (
        calendar.units_per_day,
        calendar.window_start_units,
        calendar.weekdays,
        calendar.days_off,
        calendar.works_holidays,
    )


def _release(issue: Issue, start: date) -> int:
    """The first instant the issue may start: the plan start, its not-before date, its pinned date."""
    days = [(day - start).days for day in (issue.not_before, issue.pinned_start) if day is not None]
    return max([0, *days]) * UNITS_PER_DAY


def _pieces(plan: IssuePlan) -> list[tuple[datetime, int]]:
    """Start and work (quarter hours) of each piece of a planned issue; one piece when the result has none."""
    if plan.pieces:
        return [(piece.start, round(piece.hours * UNITS_PER_HOUR)) for piece in plan.pieces]
    assert plan.start is not None
    return [(plan.start, round(plan.hours * UNITS_PER_HOUR))]


def build_policy(request: PlanRequest, result: PlanResult) -> Policy:
    """The policy of `result`, a plan of `request` with a schedule (every planned issue has an owner and slots)."""
    start = request.start_date
    team = TeamCalendar(request.calendar)
    requested = {issue.id: issue for issue in request.issues}
    planned = [p for p in result.issues if p.status == IssueStatus.PLANNED and p.start is not None and p.owner]
    pieces = sorted(
        ((_instant(start, at), issue, part, work) for issue, plan in enumerate(planned)
         for part, (at, work) in enumerate(_pieces(plan))),
        key=lambda piece: (piece[0], piece[1], piece[2]),
    )
    task_of = {(issue, part): index for index, (_, issue, part, _) in enumerate(pieces)}
    piece_count = [len(_pieces(plan)) for plan in planned]
    position = {plan.id: index for index, plan in enumerate(planned)}
    owners = {owner.id: owner for owner in request.owners}
    calendars: dict[str, OwnerCalendar] = {}
    clock_index: dict[tuple[object, ...], int] = {}
    clocks: list[OwnerCalendar] = []
    owner_index: dict[str, int] = {}
    last_of_owner: dict[str, int] = {}
    tasks: list[PolicyTask] = []
    for index, (_, issue_index, part, work) in enumerate(pieces):
        plan = planned[issue_index]
        issue = requested[plan.id]
        owner_id = plan.owner or ""
        calendar = calendars.get(owner_id) or calendars.setdefault(owner_id, OwnerCalendar(owners[owner_id], team))
        clock = clock_index.setdefault(_clock_key(calendar), len(clocks))
        if clock == len(clocks):
            clocks.append(calendar)
        deps = []
        for dependency in issue.depends_on if part == 0 else ():
            before = position.get(dependency.issue)
            if before is None:
                continue  # done (met) or unestimated (not enforced, as in the plan)
            last = task_of[(before, piece_count[before] - 1)]
            if last >= index:
                raise ValueError(f"{plan.id} starts before {dependency.issue}, which it depends on: not a valid plan")
            deps.append((last, dependency.lag_days))
        tasks.append(
            PolicyTask(
                issue=issue_index,
                work=work,
                owner=owner_index.setdefault(owner_id, len(owner_index)),
                clock=clock,
                owner_prev=last_of_owner.get(owner_id, -1),
                deps=tuple(deps),
                release=_release(issue, start) if part == 0 else 0,
            )
        )
        last_of_owner[owner_id] = index
    milestone_index = {m.id: index for index, m in enumerate(request.milestones)}
    issues = tuple(
        PolicyIssue(
            issue=requested[plan.id],
            tasks=tuple(task_of[(issue_index, part)] for part in range(piece_count[issue_index])),
            deadline_day=(plan.deadline - start).days if plan.deadline is not None else None,
            milestone=milestone_index.get(plan.milestone, -1) if plan.milestone else -1,
        )
        for issue_index, plan in enumerate(planned)
    )
    members: dict[int, list[int]] = {}
    for index, planned_issue in enumerate(issues):
        if planned_issue.milestone >= 0:
            members.setdefault(planned_issue.milestone, []).append(index)
    milestones = tuple(
        MilestoneRef(
            id=m.id,
            due=m.due,
            due_day=(m.due - start).days if m.due is not None else None,
            members=tuple(members.get(index, ())),
        )
        for index, m in enumerate(request.milestones)
    )
    last_day = max(((p.slots[-1].date - start).days for p in planned if p.slots), default=0)
    return Policy(start, team, tuple(clocks), tuple(tasks), issues, milestones, last_day)
