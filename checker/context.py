"""Everything the rules look up, prepared once: request and result by id, slots on the time line, spans.

Holds no rule itself; each rule module reads from a `CheckContext` and returns violations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from api_schemas.request import Issue, Milestone, Owner, PlanRequest
from api_schemas.result import IssuePlan, PlanResult, SolveStatus
from checker.calendar import CheckCalendar
from checker.timeline import IssueSpan, PlacedSlot, hours_to_units, place_slot, span_of

#: Statuses whose result carries a schedule to check in full.
SCHEDULE_STATUSES = frozenset({SolveStatus.OPTIMAL, SolveStatus.FEASIBLE})


def work_units(issue: Issue) -> int | None:
    """Quarter hours left on an issue: remaining hours when given, else the estimate (None when unknown)."""
    hours = issue.remaining_hours if issue.remaining_hours is not None else issue.estimate_hours
    return None if hours is None else hours_to_units(hours)


def is_planned(issue: Issue) -> bool:
    """Tell whether an issue is estimated with work left, so it must be scheduled."""
    units = work_units(issue)
    return units is not None and units > 0


@dataclass
class CheckContext:
    """Request and result indexed by id, the team calendar, each issue's slots and span, milestone members."""

    request: PlanRequest
    result: PlanResult
    calendar: CheckCalendar
    owners: dict[str, Owner] = field(default_factory=dict)
    issues: dict[str, Issue] = field(default_factory=dict)
    milestones: dict[str, Milestone] = field(default_factory=dict)
    plans: dict[str, IssuePlan] = field(default_factory=dict)
    slots: dict[str, list[PlacedSlot]] = field(default_factory=dict)
    spans: dict[str, IssueSpan] = field(default_factory=dict)
    members: dict[str, list[Issue]] = field(default_factory=dict)

    @property
    def has_schedule(self) -> bool:
        """True when the result's status promises a complete schedule (OPTIMAL or FEASIBLE)."""
        return self.result.status in SCHEDULE_STATUSES

    def deadline_of(self, issue: Issue) -> date | None:
        """Return the issue's deadline, else its milestone's due date, else None."""
        if issue.deadline is not None:
            return issue.deadline
        milestone = self.milestones.get(issue.milestone) if issue.milestone is not None else None
        return milestone.due if milestone is not None else None

    def planned_issues(self) -> list[Issue]:
        """Request issues with work left, in request order."""
        return [issue for issue in self.request.issues if is_planned(issue)]


def build_context(request: PlanRequest, result: PlanResult) -> CheckContext:
    """Index the request and the result; the first plan of an id wins (duplicates are reported as coverage)."""
    context = CheckContext(request=request, result=result, calendar=CheckCalendar(request.calendar))
    context.owners = {owner.id: owner for owner in reversed(request.owners)}
    context.issues = {issue.id: issue for issue in reversed(request.issues)}
    context.milestones = {milestone.id: milestone for milestone in reversed(request.milestones)}
    for issue in request.issues:
        if issue.milestone is not None:
            context.members.setdefault(issue.milestone, []).append(issue)
    for plan in result.issues:
        if plan.id in context.issues and plan.id not in context.plans:
            context.plans[plan.id] = plan
            placed = [place_slot(plan.id, slot, request.start_date) for slot in plan.slots]
            context.slots[plan.id] = placed
            span = span_of(placed, request.start_date)
            if span is not None:
                context.spans[plan.id] = span
    return context
