"""Rules 1 and 2 of docs/model.md: every issue covered once, owners, and slots that fit owners' days.

Rule codes: coverage, owner, slot_grid, before_start, working_day, horizon, capacity, overlap.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from api_schemas.result import IssueStatus
from checker.context import CheckContext, is_planned, work_units
from checker.timeline import (
    UNITS_PER_DAY,
    PlacedSlot,
    clock_units,
    format_hours,
    format_units,
    hours_to_units,
    is_on_time_grid,
    is_on_unit_grid,
)
from checker.violation import Violation


def _expected_status(units: int | None, scheduled: bool) -> IssueStatus:
    """The status rule 1 gives an issue with `units` of work (None: no estimate), in a result with or without a plan."""
    if units is None:
        return IssueStatus.UNPLANNED
    if units == 0:
        return IssueStatus.DONE
    return IssueStatus.PLANNED if scheduled else IssueStatus.UNSCHEDULED


def _reason_violations(context: CheckContext) -> list[Violation]:
    """An unscheduled issue says why it has no place; no other issue gives such a reason."""
    found: list[Violation] = []
    for plan in context.plans.values():
        if plan.status == IssueStatus.UNSCHEDULED and not plan.unscheduled_reason:
            found.append(Violation("coverage", f"Issue {plan.id} is unscheduled but gives no reason.", [plan.id]))
        elif plan.status != IssueStatus.UNSCHEDULED and plan.unscheduled_reason is not None:
            found.append(
                Violation(
                    "coverage",
                    f"Issue {plan.id} is {plan.status.value} yet gives a reason for being unscheduled.",
                    [plan.id],
                )
            )
    return found


def _without_plan(context: CheckContext) -> list[Violation]:
    """A result without a plan schedules nothing: its issues are unscheduled, done or unplanned, with no slots."""
    found: list[Violation] = []
    status = context.result.status.value
    for listed in context.plans.values():
        expected = _expected_status(work_units(context.issues[listed.id]), scheduled=False)
        if listed.status != expected:
            found.append(
                Violation(
                    "coverage",
                    f"Issue {listed.id} is reported {listed.status.value} but must be {expected.value}: the result is "
                    f"{status} and carries no schedule.",
                    [listed.id],
                )
            )
        if listed.slots:
            found.append(
                Violation(
                    "coverage",
                    f"Issue {listed.id} has {len(listed.slots)} slot(s) although the result is "
                    f"{status} and carries no schedule.",
                    [listed.id],
                )
            )
    return found + _reason_violations(context)


def check_coverage(context: CheckContext) -> list[Violation]:
    """Check each request issue is listed once with the right status and slots adding up to its work.

    A result without a schedule (INFEASIBLE, UNKNOWN) is checked for the statuses and reasons of the issues it
    lists, and for carrying no slots.
    """
    if not context.has_schedule:
        return _without_plan(context)
    found: list[Violation] = []
    counts = Counter(plan.id for plan in context.result.issues)
    for issue in context.request.issues:
        if counts[issue.id] == 0:
            found.append(Violation("coverage", f"Issue {issue.id} is missing from the result.", [issue.id]))
        elif counts[issue.id] > 1:
            found.append(
                Violation("coverage", f"Issue {issue.id} appears {counts[issue.id]} times in the result.", [issue.id])
            )
    for plan_id in counts:
        if plan_id not in context.issues:
            found.append(
                Violation("coverage", f"The result lists issue {plan_id}, which the request lacks.", [plan_id])
            )
    for issue in context.request.issues:
        plan = context.plans.get(issue.id)
        if plan is None:
            continue
        units = work_units(issue)
        expected = _expected_status(units, scheduled=True)
        if plan.status != expected:
            found.append(
                Violation(
                    "coverage",
                    f"Issue {issue.id} is reported {plan.status.value} but must be {expected.value}.",
                    [issue.id],
                )
            )
        slot_units = sum(placed.end - placed.start for placed in context.slots[issue.id])
        if units is not None and units > 0 and slot_units != units:
            found.append(
                Violation(
                    "coverage",
                    f"Issue {issue.id} has slots totalling {format_units(slot_units)} but its work is "
                    f"{format_units(units)}.",
                    [issue.id],
                )
            )
        if (units is None or units == 0) and plan.slots:
            found.append(
                Violation(
                    "coverage",
                    f"Issue {issue.id} is {expected.value} yet has {len(plan.slots)} slot(s); it must have none.",
                    [issue.id],
                )
            )
    return found + _reason_violations(context)


def check_owners(context: CheckContext) -> list[Violation]:
    """Planned issues have one known owner; unplanned, done and unscheduled issues have none."""
    found: list[Violation] = []
    if not context.has_schedule:
        for listed in context.plans.values():
            if listed.owner is not None:
                found.append(
                    Violation(
                        "owner",
                        f"Issue {listed.id} is assigned to {listed.owner} although the result is "
                        f"{context.result.status.value} and carries no schedule; it must have no owner.",
                        [listed.id, listed.owner],
                    )
                )
        return found
    for issue in context.request.issues:
        plan = context.plans.get(issue.id)
        if plan is None:
            continue
        if is_planned(issue):
            if plan.owner is None:
                found.append(Violation("owner", f"Issue {issue.id} is planned but has no owner.", [issue.id]))
            elif plan.owner not in context.owners:
                found.append(
                    Violation(
                        "owner",
                        f"Issue {issue.id} is assigned to {plan.owner}, who is not an owner of the request.",
                        [issue.id, plan.owner],
                    )
                )
        elif plan.owner is not None:
            found.append(
                Violation(
                    "owner",
                    f"Issue {issue.id} has no work to plan but is assigned to {plan.owner}; it must have no owner.",
                    [issue.id, plan.owner],
                )
            )
    return found


def check_slots(context: CheckContext) -> list[Violation]:
    """Each slot on the grid, within its date, on or after the start date, on a working day of the owner."""
    found: list[Violation] = []
    start_date = context.request.start_date
    for plan in context.plans.values():
        owner = context.owners.get(plan.owner) if plan.owner is not None else None
        for placed in context.slots[plan.id]:
            slot = placed.slot
            where = (
                f"Issue {plan.id}'s slot on {slot.date.strftime('%A')} {slot.date.isoformat()} "
                f"at {slot.start.strftime('%H:%M')}"
            )
            if slot.hours <= 0 or not is_on_unit_grid(slot.hours):
                found.append(
                    Violation(
                        "slot_grid",
                        f"{where} lasts {slot.hours:g} h; slots last a positive whole number of quarter hours.",
                        [plan.id],
                    )
                )
            if not is_on_time_grid(slot.start):
                found.append(Violation("slot_grid", f"{where} does not start on a quarter hour.", [plan.id]))
            if clock_units(slot.start) + hours_to_units(slot.hours) > UNITS_PER_DAY:
                found.append(
                    Violation(
                        "slot_grid",
                        f"{where} lasts {format_hours(slot.hours)} and so runs past midnight (24:00).",
                        [plan.id],
                    )
                )
            if slot.date < start_date:
                found.append(
                    Violation(
                        "before_start",
                        f"{where} lies before the plan's start date {start_date.isoformat()}.",
                        [plan.id],
                    )
                )
            if slot.date > context.result.horizon_end:
                found.append(
                    Violation(
                        "horizon",
                        f"{where} lies after the reported horizon end {context.result.horizon_end.isoformat()}.",
                        [plan.id],
                    )
                )
            reason = context.calendar.why_owner_is_off(owner, slot.date) if owner is not None else None
            if owner is not None and reason is not None:
                found.append(
                    Violation(
                        "working_day",
                        f"{where} falls on {reason}.",
                        [plan.id, owner.id],
                    )
                )
    return found


def _slots_by_owner(context: CheckContext) -> dict[str, list[PlacedSlot]]:
    """All slots of each known owner, across its issues."""
    by_owner: dict[str, list[PlacedSlot]] = defaultdict(list)
    for plan in context.plans.values():
        if plan.owner is not None and plan.owner in context.owners:
            by_owner[plan.owner].extend(context.slots[plan.id])
    return by_owner


def check_capacity(context: CheckContext) -> list[Violation]:
    """Check an owner's slots on one date add up to at most its hours per day."""
    found: list[Violation] = []
    for owner_id, slots in _slots_by_owner(context).items():
        limit = hours_to_units(context.owners[owner_id].hours_per_day)
        per_day: dict[date, list[PlacedSlot]] = defaultdict(list)
        for placed in slots:
            per_day[placed.day].append(placed)
        for day, day_slots in sorted(per_day.items()):
            total = sum(placed.end - placed.start for placed in day_slots)
            if total > limit:
                issue_ids = sorted({placed.issue_id for placed in day_slots})
                found.append(
                    Violation(
                        "capacity",
                        f"{owner_id} is planned {format_units(total)} on {day.isoformat()} "
                        f"(issues {', '.join(issue_ids)}) but works {format_units(limit)} a day.",
                        [owner_id, *issue_ids],
                    )
                )
    return found


def check_overlap(context: CheckContext) -> list[Violation]:
    """No two slots of one owner overlap in time, whichever issues they belong to."""
    found: list[Violation] = []
    for owner_id, slots in _slots_by_owner(context).items():
        ordered = sorted(slots, key=lambda placed: (placed.start, placed.end))
        latest: PlacedSlot | None = None
        for placed in ordered:
            if latest is not None and placed.start < latest.end:
                found.append(
                    Violation(
                        "overlap",
                        f"{owner_id} has overlapping slots: issue {latest.issue_id} {latest.describe()} and "
                        f"issue {placed.issue_id} {placed.describe()}.",
                        [owner_id, *dict.fromkeys([latest.issue_id, placed.issue_id])],
                    )
                )
            if latest is None or placed.end > latest.end:
                latest = placed
    return found
