"""Rule 4 of docs/model.md for issues: each issue's reported values are what its slots say.

Rule code: reported_value.
"""

from __future__ import annotations

from api_schemas.request import Issue
from api_schemas.result import IssuePlan
from checker.calendar import ON_TIME
from checker.context import CheckContext
from checker.mismatch import hours_differ, lateness_mismatches, mismatch
from checker.timeline import format_units
from checker.violation import Violation


def _issue_mismatches(context: CheckContext, issue: Issue, plan: IssuePlan) -> list[Violation]:
    """Owner-independent reported fields of one issue against the request and its slots."""
    what = f"Issue {issue.id}"
    ids = [issue.id]
    found: list[Violation] = []
    if plan.priority != issue.priority:
        found.append(mismatch(what, "priority", plan.priority, issue.priority, ids))
    if plan.milestone != issue.milestone:
        found.append(mismatch(what, "milestone", plan.milestone, issue.milestone, ids))
    slot_units = sum(placed.end - placed.start for placed in context.slots[issue.id])
    if hours_differ(plan.hours, slot_units):
        found.append(
            Violation(
                "reported_value",
                f"{what} reports hours = {plan.hours:g} h but its slots add up to {format_units(slot_units)}.",
                ids,
            )
        )
    span = context.spans.get(issue.id)
    expected_start = span.start_instant if span is not None else None
    expected_finish = span.finish_instant if span is not None else None
    if plan.start != expected_start:
        found.append(mismatch(what, "start", plan.start, expected_start, ids))
    if plan.finish != expected_finish:
        found.append(mismatch(what, "finish", plan.finish, expected_finish, ids))
    deadline = context.deadline_of(issue)
    if plan.deadline != deadline:
        found.append(mismatch(what, "deadline", plan.deadline, deadline, ids))
    lateness = context.calendar.lateness(span.finish_date, deadline) if span is not None else ON_TIME
    found.extend(lateness_mismatches(what, ids, plan, lateness))
    return found


def check_issue_values(context: CheckContext) -> list[Violation]:
    """Priority, milestone, hours, start, finish, deadline, lateness and late flag of every issue."""
    found: list[Violation] = []
    if context.result.start_date != context.request.start_date:
        found.append(mismatch("The result", "start_date", context.result.start_date, context.request.start_date, []))
    if not context.has_schedule:
        return found
    for issue in context.request.issues:
        plan = context.plans.get(issue.id)
        if plan is not None:
            found.extend(_issue_mismatches(context, issue, plan))
    return found
