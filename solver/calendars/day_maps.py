"""Increasing day sequences written as a weekly pattern minus a few skipped days.

The model needs calendar facts as CP-SAT terms: the day a working-day position falls on, how many team
working days lie before a day. A table indexed by position costs CP-SAT about one literal per day in
presolve (a 500-issue backlog grew from 40k to 320k variables); a weekly pattern plus a few skips (holidays,
days off) costs a handful of variables per stretch, whatever the horizon (docs/model.md, "Formulation").
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class Skips:
    """Positions in a subsequence mapped to indices in its base: index = position + entries skipped before it."""

    #: (first position after the skipped entries, how many base entries are skipped there), increasing.
    steps: tuple[tuple[int, int], ...]

    @classmethod
    def between(cls, base: Sequence[int], days: Sequence[int]) -> Skips:
        """The skips that turn `base` (increasing) into its subsequence `days`; ValueError if it is not one."""
        counts: dict[int, int] = {}
        cursor = 0
        for position, day in enumerate(days):
            while cursor < len(base) and base[cursor] < day:
                counts[position] = counts.get(position, 0) + 1
                cursor += 1
            if cursor == len(base) or base[cursor] != day:
                raise ValueError(f"day {day} is not in the base sequence")
            cursor += 1
        return cls(tuple(sorted(counts.items())))

    def index(self, position: int) -> int:
        """Base index of `position`."""
        return position + sum(count for threshold, count in self.steps if position >= threshold)


@dataclass(frozen=True)
class WeeklyPattern:
    """Every day whose offset from the plan start, modulo 7, is in `offsets`: day = 7 * week + offsets[slot]."""

    offsets: tuple[int, ...]

    @property
    def per_week(self) -> int:
        """Pattern days per week."""
        return len(self.offsets)

    def days(self, until: int) -> list[int]:
        """Pattern days before day `until`."""
        return [day for day in range(until) if day % DAYS_PER_WEEK in self.offsets]

    def day(self, index: int) -> int:
        """The `index`-th pattern day (0-based)."""
        week, slot = divmod(index, self.per_week)
        return DAYS_PER_WEEK * week + self.offsets[slot]

    def count_before(self, day: int) -> int:
        """Pattern days strictly before `day` (day >= 0)."""
        week, offset = divmod(day, DAYS_PER_WEEK)
        return self.per_week * week + sum(1 for o in self.offsets if o < offset)


@dataclass(frozen=True)
class DayMap:
    """An increasing list of day indices as a weekly pattern with some pattern days skipped.

    Exact for positions of the list it was built from; beyond its last day it continues the pattern.
    """

    pattern: WeeklyPattern
    skips: Skips
    #: Pattern days up to the last listed day that are not in the list (holidays, days off), increasing.
    skipped_days: tuple[int, ...]
    length: int

    @classmethod
    def of(cls, days: Sequence[int]) -> DayMap:
        """The map of `days` (non-empty, increasing, >= 0), checked against the list it replaces."""
        pattern = WeeklyPattern(tuple(sorted({day % DAYS_PER_WEEK for day in days})))
        base = pattern.days(days[-1] + 1)
        listed = set(days)
        day_map = cls(pattern, Skips.between(base, days), tuple(d for d in base if d not in listed), len(days))
        if any(day_map.day(position) != day for position, day in enumerate(days)):
            raise AssertionError("day map does not reproduce its days")  # pragma: no cover - a bug, not input
        return day_map

    def day(self, position: int) -> int:
        """Day index of `position`."""
        return self.pattern.day(self.skips.index(position))

    def count_before(self, day: int) -> int:
        """Listed days strictly before `day` (exact up to the last listed day + 1, pattern-based after it)."""
        return self.pattern.count_before(day) - bisect_right(self.skipped_days, day - 1)
