"""Rule 3 of docs/model.md: dependencies with lags, dates, pins, skills and hard deadlines.

Rule codes: dependency, not_before, pinned_start, pinned_owner, skills, hard_deadline.
"""

from __future__ import annotations

from api_schemas.request import Issue
from checker.context import CheckContext, is_planned
from checker.timeline import IssueSpan, day_start, describe_instant
from checker.violation import Violation


def release_of(context: CheckContext, predecessor: IssueSpan, lag_days: int) -> int | None:
    """Earliest start allowed by a finished predecessor, in units (None when no release day is found).

    Lag 0: its finish instant. Otherwise its finish clock time c on the lag-th team working day after its
    finish date; c = 24:00 lands at the start of the following day by the arithmetic itself.
    """
    if lag_days == 0:
        return predecessor.finish
    released_day = context.calendar.nth_team_working_day_after(predecessor.finish_date, lag_days)
    if released_day is None:
        return None
    return day_start(context.request.start_date, released_day) + predecessor.finish_clock


def _check_dependencies(context: CheckContext, issue: Issue, span: IssueSpan) -> list[Violation]:
    """Start after each planned predecessor's release; done ones are met, unplanned ones not enforced."""
    found: list[Violation] = []
    for dependency in issue.depends_on:
        predecessor = context.issues.get(dependency.issue)
        if predecessor is None or not is_planned(predecessor):
            continue
        predecessor_span = context.spans.get(predecessor.id)
        if predecessor_span is None:
            continue
        release = release_of(context, predecessor_span, dependency.lag_days)
        lag = f" with a lag of {dependency.lag_days} team working day(s)" if dependency.lag_days else ""
        if release is None:
            found.append(
                Violation(
                    "dependency",
                    f"Issue {issue.id} depends on {predecessor.id}{lag}, but no team working day follows "
                    f"{predecessor.id}'s finish {predecessor_span.describe_finish()} within ten years.",
                    [issue.id, predecessor.id],
                )
            )
        elif span.start < release:
            found.append(
                Violation(
                    "dependency",
                    f"Issue {issue.id} starts {span.describe_start()} but depends on {predecessor.id}{lag}, which "
                    f"finishes {predecessor_span.describe_finish()}, so it may start only from "
                    f"{describe_instant(context.request.start_date, release)}.",
                    [issue.id, predecessor.id],
                )
            )
    return found


def _check_dates(context: CheckContext, issue: Issue, span: IssueSpan) -> list[Violation]:
    """Not-before date, pinned start date and hard deadline of one issue."""
    found: list[Violation] = []
    if issue.not_before is not None and span.start < day_start(context.request.start_date, issue.not_before):
        found.append(
            Violation(
                "not_before",
                f"Issue {issue.id} starts {span.describe_start()}, before its not-before date "
                f"{issue.not_before.isoformat()}.",
                [issue.id],
            )
        )
    if issue.pinned_start is not None and span.start_date != issue.pinned_start:
        found.append(
            Violation(
                "pinned_start",
                f"Issue {issue.id} starts on {span.start_date.isoformat()} but is pinned to start on "
                f"{issue.pinned_start.isoformat()}.",
                [issue.id],
            )
        )
    deadline = context.deadline_of(issue)
    if issue.hard_deadline and deadline is not None and span.finish_date > deadline:
        found.append(
            Violation(
                "hard_deadline",
                f"Issue {issue.id} finishes {span.describe_finish()}, after its hard deadline {deadline.isoformat()}.",
                [issue.id],
            )
        )
    return found


def _check_assignment(context: CheckContext, issue: Issue) -> list[Violation]:
    """Pinned owner and required skills of one issue's owner."""
    found: list[Violation] = []
    plan = context.plans.get(issue.id)
    if plan is None or plan.owner is None:
        return found
    if issue.pinned_owner is not None and plan.owner != issue.pinned_owner:
        found.append(
            Violation(
                "pinned_owner",
                f"Issue {issue.id} is assigned to {plan.owner} but is pinned to {issue.pinned_owner}.",
                [issue.id, plan.owner, issue.pinned_owner],
            )
        )
    owner = context.owners.get(plan.owner)
    if owner is not None:
        missing = [skill for skill in issue.skills if skill not in owner.skills]
        if missing:
            found.append(
                Violation(
                    "skills",
                    f"Issue {issue.id} needs skill(s) {', '.join(missing)}, which its owner {owner.id} lacks.",
                    [issue.id, owner.id],
                )
            )
    return found


def check_constraints(context: CheckContext) -> list[Violation]:
    """Every rule-3 constraint of every planned issue of a schedule."""
    found: list[Violation] = []
    if not context.has_schedule:
        return found
    for issue in context.request.issues:
        if not is_planned(issue):
            continue
        found.extend(_check_assignment(context, issue))
        span = context.spans.get(issue.id)
        if span is not None:
            found.extend(_check_dependencies(context, issue, span))
            found.extend(_check_dates(context, issue, span))
    return found
