"""The rules of a re-plan against a baseline (docs/model.md, "Living plans"), read from the docs alone.

Rule codes: in_progress (work in progress continues first on its owner, from the owner's first working quarter
hour of the plan), frozen (a baseline placement starting before `freeze_until` keeps its owner and slots, or the
result reports why not). Also the disruption values of the stability levels, for the objective rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from api_schemas.request import Owner, Stability
from api_schemas.result import IssuePlan, IssueStatus
from checker.context import CheckContext, is_planned, work_units
from checker.timeline import UNITS_PER_DAY, hours_to_units
from checker.violation import Violation


@dataclass(frozen=True)
class BaselineStart:
    """An issue's place in the baseline: owner and start instant (quarter hours since the plan start)."""

    owner: str
    start: int
    plan: IssuePlan


def _units_since_start(context: CheckContext, moment: datetime) -> int:
    origin = datetime.combine(context.request.start_date, time())
    return int((moment - origin).total_seconds() // 900)


def baseline_starts(context: CheckContext) -> dict[str, BaselineStart]:
    """Baseline issues that were placed (planned, with owner and start), the first entry of an id winning."""
    found: dict[str, BaselineStart] = {}
    for plan in context.request.baseline or []:
        if plan.status is IssueStatus.PLANNED and plan.owner is not None and plan.start is not None:
            found.setdefault(plan.id, BaselineStart(plan.owner, _units_since_start(context, plan.start), plan))
    return found


def _window(owner: Owner, context: CheckContext) -> tuple[int, int]:
    """The owner's daily window: [start, end) in quarter hours of the day (moved earlier to end by midnight)."""
    length = hours_to_units(owner.hours_per_day)
    workday = context.request.calendar.workday_start
    begin = min(workday.hour * 4 + workday.minute // 15, UNITS_PER_DAY - length)
    return begin, begin + length


def working_units_between(context: CheckContext, owner: Owner, first: int, second: int) -> int:
    """The owner's working quarter hours between two instants, counting only from the plan start on."""
    low, high = max(min(first, second), 0), max(max(first, second), 0)
    begin, end = _window(owner, context)
    total = 0
    if high <= low:
        return 0
    for day in range(low // UNITS_PER_DAY, (high - 1) // UNITS_PER_DAY + 1):
        if not context.calendar.is_owner_working_day(owner, context.request.start_date + timedelta(days=day)):
            continue
        base = day * UNITS_PER_DAY
        total += max(0, min(high, base + end) - max(low, base + begin))
    return total


def disruption_totals(context: CheckContext) -> tuple[int, int, int] | None:
    """(issues reassigned, issues moved, total start shift) over planned issues with a baseline place.

    None when the objective has no stability levels: no baseline, `stability: off`, or no planned issue placed in it.
    """
    if context.request.baseline is None or context.request.options.stability is Stability.OFF:
        return None
    starts = baseline_starts(context)
    measured = [issue for issue in context.planned_issues() if issue.id in starts]
    if not measured:
        return None
    reassigned = moved = shift = 0
    for issue in measured:
        span, plan, before = context.spans.get(issue.id), context.plans.get(issue.id), starts[issue.id]
        owner = context.owners.get(plan.owner) if plan is not None and plan.owner is not None else None
        if span is None or owner is None:
            continue
        reassigned += owner.id != before.owner
        moved += span.start != before.start
        shift += working_units_between(context, owner, before.start, span.start)
    return reassigned, moved, shift


def stability_first(context: CheckContext) -> bool:
    """True when the stability levels lead the objective (`options.stability: first`)."""
    return context.request.options.stability is Stability.FIRST


def _slots_of(plan: IssuePlan | None) -> list[tuple[object, ...]]:
    return [(s.date, s.start, s.hours) for s in plan.slots] if plan is not None else []


def check_in_progress(context: CheckContext) -> list[Violation]:
    """In-progress work runs on its owner before the owner's other work, the first from the owner's first window."""
    if not context.has_schedule:
        return []
    starts = baseline_starts(context)
    found: list[Violation] = []
    first_other: dict[str, int] = {}
    for plan_id, span in context.spans.items():
        issue, plan = context.issues[plan_id], context.plans[plan_id]
        if not issue.in_progress and plan.owner is not None:
            first_other[plan.owner] = min(first_other.get(plan.owner, span.start), span.start)
    earliest_in_progress: dict[str, int] = {}
    for issue in context.planned_issues():
        if not issue.in_progress:
            continue
        owner_id = issue.pinned_owner or (starts[issue.id].owner if issue.id in starts else None)
        planned, placed = context.plans.get(issue.id), context.spans.get(issue.id)
        if planned is None or placed is None:
            continue
        plan, span = planned, placed
        if owner_id is not None and plan.owner != owner_id:
            found.append(
                Violation("in_progress", f"{issue.id} is in progress on {owner_id} but planned on {plan.owner}.",
                          [issue.id])
            )
        if plan.owner is not None and span.start > first_other.get(plan.owner, span.start):
            found.append(
                Violation("in_progress", f"{issue.id} is in progress but {plan.owner} starts other work before it.",
                          [issue.id, plan.owner])
            )
        if plan.owner is not None:
            earliest_in_progress[plan.owner] = min(earliest_in_progress.get(plan.owner, span.start), span.start)
    for owner_id, start in earliest_in_progress.items():
        owner = context.owners.get(owner_id)
        if owner is not None and working_units_between(context, owner, 0, start) != 0:
            found.append(
                Violation("in_progress", f"{owner_id}'s work in progress does not continue from their first "
                          "working quarter hour of the plan.", [owner_id])
            )
    return found


def check_frozen(context: CheckContext) -> list[Violation]:
    """Baseline placements starting before `freeze_until` keep owner and slots, or a `freeze_exception` names them."""
    until = context.request.freeze_until
    if until is None or not context.has_schedule:
        return []
    cutoff = _units_since_start(context, until)
    excepted = {i for w in context.result.warnings if w.code == "freeze_exception" for i in w.ids}
    found: list[Violation] = []
    for issue_id, before in baseline_starts(context).items():
        issue = context.issues.get(issue_id)
        if before.start >= cutoff or issue is None or issue_id in excepted:
            continue
        keepable = before.start >= 0 and is_planned(issue) and not issue.in_progress
        if not keepable or work_units(issue) != hours_to_units(before.plan.hours):
            found.append(
                Violation("frozen", f"{issue_id} started before freeze_until in the baseline and cannot be kept "
                          "(started before the plan, done, in progress or hours changed), but no freeze_exception "
                          "reports it.", [issue_id])
            )
            continue
        plan = context.plans.get(issue_id)
        if plan is None or plan.owner != before.owner or _slots_of(plan) != _slots_of(before.plan):
            found.append(
                Violation("frozen", f"{issue_id} is frozen (its baseline start is before freeze_until) but its "
                          "owner or slots differ from the baseline.", [issue_id])
            )
    return found
