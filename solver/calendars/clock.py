"""A working-time clock: maps an owner's working quarter hours onto calendar time and back.

Each issue is one unbroken stretch on its owner's clock; the clock turns that stretch into dated slots.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api_schemas.common import UNITS_PER_DAY


@dataclass(frozen=True)
class Clock:
    """Working windows of one calendar signature over the horizon, in quarter hours."""

    units_per_day: int
    window_start: int
    working: tuple[bool, ...]
    working_days: tuple[int, ...] = field(init=False)
    cumulative: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        days = tuple(d for d, works in enumerate(self.working) if works)
        cumulative = [0]
        for works in self.working:
            cumulative.append(cumulative[-1] + (self.units_per_day if works else 0))
        object.__setattr__(self, "working_days", days)
        object.__setattr__(self, "cumulative", tuple(cumulative))

    @property
    def total_units(self) -> int:
        """Working quarter hours within the horizon."""
        return self.cumulative[-1]

    def day_of(self, unit: int) -> tuple[int, int]:
        """Day index and offset into that day's window of local working unit `unit`."""
        position = unit // self.units_per_day
        return self.working_days[position], unit - position * self.units_per_day

    def global_start(self, unit: int) -> int:
        """Instant (quarter hours since the plan start) at which local unit `unit` begins."""
        day, offset = self.day_of(unit)
        return day * UNITS_PER_DAY + self.window_start + offset

    def global_end(self, end_unit: int) -> int:
        """Instant at which a stretch ending at local `end_unit` (exclusive) ends."""
        day, offset = self.day_of(end_unit - 1)
        return day * UNITS_PER_DAY + self.window_start + offset + 1

    def end_day(self, end_unit: int) -> int:
        """Day index of the last unit of a stretch ending at local `end_unit` (exclusive)."""
        return self.day_of(end_unit - 1)[0]

    def first_unit_at_or_after(self, instant: int) -> int:
        """The first local unit starting at or after global `instant` (total_units when none)."""
        day = max(0, instant // UNITS_PER_DAY)
        if day >= len(self.working):
            return self.total_units
        base = self.cumulative[day]
        if not self.working[day]:
            return base
        offset = instant - day * UNITS_PER_DAY - self.window_start
        return base + min(max(offset, 0), self.units_per_day)

    def units_on_day(self, day: int) -> range:
        """Local units of day `day`: none on a day off or outside the horizon (a pin before the start too)."""
        if not 0 <= day < len(self.working) or not self.working[day]:
            return range(0)
        return range(self.cumulative[day], self.cumulative[day] + self.units_per_day)

    def pieces(self, start_unit: int, end_unit: int) -> list[tuple[int, int, int]]:
        """Split a stretch [start_unit, end_unit) into (day, start instant within the day, units) pieces."""
        pieces: list[tuple[int, int, int]] = []
        unit = start_unit
        while unit < end_unit:
            day, offset = self.day_of(unit)
            length = min(self.units_per_day - offset, end_unit - unit)
            pieces.append((day, self.window_start + offset, length))
            unit += length
        return pieces
