"""Shared wording of reported-value violations: a field that differs from what the schedule implies."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from api_schemas.result import IssuePlan, MilestonePlan
from checker.calendar import Lateness
from checker.timeline import UNITS_PER_HOUR
from checker.violation import Violation


def show(value: Any) -> str:
    """Write a reported or expected value as a planner reads it: ISO dates, 'HH:MM' times, 'none'."""
    if value is None:
        return "none"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def mismatch(what: str, field: str, reported: Any, expected: Any, ids: list[str]) -> Violation:
    """Report a field whose value differs from the one the schedule implies."""
    return Violation(
        "reported_value", f"{what} reports {field} = {show(reported)} but the schedule says {show(expected)}.", ids
    )


def hours_differ(reported: float, expected_units: int) -> bool:
    """Tell whether reported hours differ from a number of quarter hours."""
    return abs(reported * UNITS_PER_HOUR - expected_units) > 1e-9


def lateness_mismatches(
    what: str, ids: list[str], plan: IssuePlan | MilestonePlan, lateness: Lateness
) -> list[Violation]:
    """Working-day and calendar-day lateness and the late flag against the computed lateness."""
    found: list[Violation] = []
    if plan.lateness_working_days != lateness.working_days:
        found.append(mismatch(what, "lateness_working_days", plan.lateness_working_days, lateness.working_days, ids))
    if plan.lateness_calendar_days != lateness.calendar_days:
        found.append(mismatch(what, "lateness_calendar_days", plan.lateness_calendar_days, lateness.calendar_days, ids))
    if plan.late != lateness.late:
        found.append(mismatch(what, "late", plan.late, lateness.late, ids))
    return found
