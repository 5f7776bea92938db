"""Quarter-hour arithmetic on slots: where each slot lies on the plan's time line and what an issue spans.

A unit is a quarter hour; instants are counted in units since `start_date` 00:00, so the finish value
of the objective is simply the end instant of an issue's last slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from api_schemas.result import Slot

UNITS_PER_HOUR = 4
UNITS_PER_DAY = 96
MINUTES_PER_UNIT = 15


def hours_to_units(hours: float) -> int:
    """Nearest whole number of quarter hours (callers check the grid separately)."""
    return round(hours * UNITS_PER_HOUR)


def is_on_unit_grid(hours: float) -> bool:
    """Tell whether an amount of hours is a whole number of quarter hours."""
    return abs(hours * UNITS_PER_HOUR - round(hours * UNITS_PER_HOUR)) <= 1e-9


def is_on_time_grid(clock: time) -> bool:
    """Tell whether a clock time is on a quarter hour (no seconds)."""
    return clock.minute % MINUTES_PER_UNIT == 0 and clock.second == 0 and clock.microsecond == 0


def clock_units(clock: time) -> int:
    """Quarter hours from midnight to a clock time, rounded down to the grid."""
    return (clock.hour * 60 + clock.minute) // MINUTES_PER_UNIT


def format_hours(hours: float) -> str:
    """Hours as a planner writes them: '8 h', '7.5 h'."""
    return f"{hours:g} h"


def format_units(units: int) -> str:
    """Quarter hours as hours: '8 h', '7.5 h'."""
    return format_hours(units / UNITS_PER_HOUR)


def format_clock(units: int) -> str:
    """Clock time of a unit within a day: '09:00', up to '24:00'."""
    return f"{units // UNITS_PER_HOUR:02d}:{units % UNITS_PER_HOUR * MINUTES_PER_UNIT:02d}"


def describe_instant(plan_start: date, units: int) -> str:
    """Write an instant on the time line as 'YYYY-MM-DD HH:MM'."""
    day = plan_start + timedelta(days=units // UNITS_PER_DAY)
    return f"{day.isoformat()} {format_clock(units % UNITS_PER_DAY)}"


def day_start(plan_start: date, day: date) -> int:
    """Return the instant 00:00 of a date, in units since the plan start."""
    return (day - plan_start).days * UNITS_PER_DAY


@dataclass(frozen=True)
class PlacedSlot:
    """A slot of one issue on the plan's time line, in units since the plan start."""

    issue_id: str
    slot: Slot
    start: int
    end: int

    @property
    def day(self) -> date:
        """The slot's date."""
        return self.slot.date

    def describe(self) -> str:
        """E.g. '2025-11-25 09:00-13:00 (4 h)'."""
        start_clock = clock_units(self.slot.start)
        end_clock = start_clock + (self.end - self.start)
        return (
            f"{self.slot.date.isoformat()} {format_clock(start_clock)}-{format_clock(end_clock)} "
            f"({format_hours(self.slot.hours)})"
        )


def place_slot(issue_id: str, slot: Slot, plan_start: date) -> PlacedSlot:
    """Put a slot on the plan's time line."""
    start = day_start(plan_start, slot.date) + clock_units(slot.start)
    return PlacedSlot(issue_id=issue_id, slot=slot, start=start, end=start + hours_to_units(slot.hours))


@dataclass(frozen=True)
class IssueSpan:
    """Start and finish of an issue's slots, in units since the plan start."""

    plan_start: date
    start: int
    finish: int

    @property
    def start_date(self) -> date:
        """Date of the first slot."""
        return self.plan_start + timedelta(days=self.start // UNITS_PER_DAY)

    @property
    def finish_date(self) -> date:
        """Date F of the last slot (a slot ending at 24:00 finishes on its own date)."""
        return self.plan_start + timedelta(days=(self.finish - 1) // UNITS_PER_DAY)

    @property
    def finish_clock(self) -> int:
        """Clock time c of the finish on its date, in units, within (0, 96]."""
        return self.finish - (self.finish_date - self.plan_start).days * UNITS_PER_DAY

    def describe_start(self) -> str:
        """E.g. '2025-11-25 09:00'."""
        return describe_instant(self.plan_start, self.start)

    def describe_finish(self) -> str:
        """E.g. '2025-11-25 24:00': the finish on its own date F."""
        return f"{self.finish_date.isoformat()} {format_clock(self.finish_clock)}"

    def instant(self, units: int) -> datetime:
        """Return the datetime of an instant on the time line (24:00 is midnight of the next date)."""
        return datetime.combine(self.plan_start, time()) + timedelta(minutes=units * MINUTES_PER_UNIT)

    @property
    def start_instant(self) -> datetime:
        """When work on the issue starts."""
        return self.instant(self.start)

    @property
    def finish_instant(self) -> datetime:
        """When work on the issue ends."""
        return self.instant(self.finish)


def span_of(slots: list[PlacedSlot], plan_start: date) -> IssueSpan | None:
    """Return the span from the earliest slot start to the latest slot end (None without slots)."""
    if not slots:
        return None
    return IssueSpan(plan_start=plan_start, start=min(s.start for s in slots), finish=max(s.end for s in slots))
