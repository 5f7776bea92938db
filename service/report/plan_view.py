"""One plan seen from a report: the request and its result side by side, indexed by id.

A report needs facts the result alone does not carry (dependencies, lags, estimates), so every report
function takes a `PlanView` of both. Nothing here formats text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from api_schemas.request import Issue, PlanRequest
from api_schemas.result import IssuePlan, IssueStatus, MilestonePlan, PlanResult, Slot
from service.report.working_time import WorkingTime


def part_label(issue: IssuePlan, instant: datetime) -> str:
    """Which piece of a split issue holds `instant`: 'part 2 of 3'; '' for an issue done in one piece."""
    pieces = issue.pieces
    if len(pieces) < 2:
        return ""
    part = next((piece.part for piece in pieces if piece.start <= instant < piece.finish), pieces[-1].part)
    return f"part {part} of {len(pieces)}"


@dataclass(frozen=True)
class SlotView:
    """One slot with its issue, as a row of a schedule."""

    issue: IssuePlan
    owner: str
    slot: Slot

    @property
    def day(self) -> date:
        """The date of the slot."""
        return self.slot.date

    @property
    def starts(self) -> datetime:
        """Start instant of the slot."""
        return datetime.combine(self.slot.date, self.slot.start)

    @property
    def ends(self) -> datetime:
        """End instant of the slot (00:00 of the next day for a slot ending at midnight)."""
        return self.starts + timedelta(hours=self.slot.hours)

    @property
    def part(self) -> str:
        """'part 2 of 3' when the issue is paused and resumed (docs/model.md, pieces), else ''."""
        return part_label(self.issue, self.starts)

    @property
    def is_last(self) -> bool:
        """True when the issue is finished at the end of this slot."""
        return self.issue.slots[-1] == self.slot


@dataclass
class PlanView:
    """The request and result of one plan, with the lookups reports use.

    `planned` holds the scheduled issues in order of start; `unplanned` those without an estimate.
    """

    request: PlanRequest
    result: PlanResult
    working_time: WorkingTime = field(init=False)
    issues: dict[str, IssuePlan] = field(init=False)
    requested: dict[str, Issue] = field(init=False)
    milestones: dict[str, MilestonePlan] = field(init=False)
    dependents: dict[str, list[str]] = field(init=False)
    planned: list[IssuePlan] = field(init=False)
    unplanned: list[IssuePlan] = field(init=False)

    def __post_init__(self) -> None:
        self.working_time = WorkingTime(self.request)
        self.issues = {issue.id: issue for issue in self.result.issues}
        self.requested = {issue.id: issue for issue in self.request.issues}
        self.milestones = {milestone.id: milestone for milestone in self.result.milestones}
        self.dependents = {}
        for issue in self.request.issues:
            for dependency in issue.depends_on:
                self.dependents.setdefault(dependency.issue, []).append(issue.id)
        scheduled = [issue for issue in self.result.issues if issue.status == IssueStatus.PLANNED and issue.slots]
        self.planned = sorted(scheduled, key=lambda issue: (issue.start or datetime.max, issue.id))
        self.unplanned = [issue for issue in self.result.issues if issue.status == IssueStatus.UNPLANNED]

    @property
    def start_date(self) -> date:
        """The plan's first date."""
        return self.result.start_date

    def milestone_name(self, milestone_id: str | None) -> str:
        """Display name of a milestone (its id when it has no name; '—' for none)."""
        if milestone_id is None:
            return "—"
        milestone = self.milestones.get(milestone_id)
        return (milestone.name if milestone is not None and milestone.name else None) or milestone_id

    def milestones_by_due(self) -> list[MilestonePlan]:
        """Milestones sorted by due date (those without one last), then as requested."""
        order = {milestone.id: position for position, milestone in enumerate(self.result.milestones)}
        return sorted(
            self.result.milestones,
            key=lambda m: (m.due is None, m.due or date.max, order[m.id]),
        )

    def members(self, milestone_id: str) -> list[IssuePlan]:
        """Issues of a milestone, in request order."""
        return [issue for issue in self.result.issues if issue.milestone == milestone_id]

    def slots_between(self, first: date, last: date) -> list[SlotView]:
        """Every slot dated from `first` to `last` inclusive, by date, owner and start time."""
        rows = [
            SlotView(issue=issue, owner=issue.owner or "", slot=slot)
            for issue in self.planned
            for slot in issue.slots
            if first <= slot.date <= last
        ]
        return sorted(rows, key=lambda row: (row.day, row.owner, row.slot.start, row.issue.id))

    def finish_date(self, issue: IssuePlan) -> date | None:
        """The date an issue's last slot is on (None when it has no slots)."""
        return issue.slots[-1].date if issue.slots else None

    def closed_by(self, issue: IssuePlan, day: date) -> bool:
        """True when the issue is done already or its last slot is on or before `day`."""
        if issue.status == IssueStatus.DONE:
            return True
        finish = self.finish_date(issue)
        return finish is not None and finish <= day

    def milestone_completion(self, milestone_id: str) -> date | None:
        """The date the milestone's last issue finishes, or None while an issue is unplanned or unscheduled."""
        members = self.members(milestone_id)
        if any(issue.status == IssueStatus.UNPLANNED for issue in members):
            return None
        finishes = [self.finish_date(issue) for issue in members if issue.status == IssueStatus.PLANNED]
        if any(finish is None for finish in finishes) or not finishes:
            return None
        return max(finish for finish in finishes if finish is not None)


def midnight(day: date) -> datetime:
    """00:00 of `day`."""
    return datetime.combine(day, time())
