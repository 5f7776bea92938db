"""Working time as numpy arrays over the forecast's horizon: owner clocks and team lag releases, vectorised.

The same rules as `solver.calendars.clock.Clock` (docs/model.md, "Calendars"), on continuous working time: a
duration is any positive number of quarter hours, so sampled durations are never rounded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from api_schemas.common import UNITS_PER_DAY
from solver.calendars.working_time import OwnerCalendar, TeamCalendar

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


def _working_flags(is_working: Callable[[date], bool], start: date, days: int) -> NDArray[np.bool_]:
    """Whether each of `days` days from `start` is worked."""
    return np.fromiter((is_working(start + timedelta(days=d)) for d in range(days)), dtype=bool, count=days)


class Clock(Protocol):
    """Instants (quarter hours since the plan start) and an owner's local working time, mapped both ways."""

    def first_unit(self, instant: Floats) -> Floats:
        """The first local working time at or after each instant (`Clock.first_unit_at_or_after`).

        An instant past the horizon raises IndexError (the simulation's sign to try a longer one).
        """
        ...

    def end_of(self, end_local: Floats) -> tuple[Floats, NDArray[np.integer[Any]]]:
        """End instant and end day of stretches ending at local working time `end_local` (> 0; `Clock.global_end`).

        A stretch ending past the horizon raises IndexError.
        """
        ...


@dataclass(frozen=True)
class DayClock:
    """One owner calendar over `days` days as per-day arrays: little memory, a few more steps per call."""

    units_per_day: int
    window_start: int
    working: NDArray[np.bool_]
    cumulative: Ints = field(init=False)
    working_days: Ints = field(init=False)

    def __post_init__(self) -> None:
        cumulative = np.concatenate(([0], np.cumsum(self.working.astype(np.int64) * self.units_per_day)))
        object.__setattr__(self, "cumulative", cumulative)
        object.__setattr__(self, "working_days", np.flatnonzero(self.working).astype(np.int64))

    def first_unit(self, instant: Floats) -> Floats:
        """See `Clock.first_unit`: the day's working time before it, plus the part of its window already begun."""
        day = np.floor_divide(instant, UNITS_PER_DAY).astype(np.int64)
        inside = np.clip(instant - day * UNITS_PER_DAY - self.window_start, 0.0, float(self.units_per_day))
        local: Floats = np.where(self.working[day], inside, 0.0) + self.cumulative[day]
        return local

    def end_of(self, end_local: Floats) -> tuple[Floats, Ints]:
        """See `Clock.end_of`: the working day holding the stretch's last moment, and the time into its window."""
        position = np.ceil(end_local / self.units_per_day).astype(np.int64) - 1
        day = self.working_days[position]
        return day * UNITS_PER_DAY + self.window_start + (end_local - position * self.units_per_day), day


@dataclass(frozen=True)
class TableClock:
    """One owner calendar over `days` days as lookup tables at every quarter hour: fewer steps per call.

    Windows start and end on quarter hours, so both maps are linear between whole quarter hours: the table's
    value plus the fraction gives them exactly. Values stay below 2^24, so float32 holds them exactly.
    """

    units_per_day: int
    window_start: int
    working: NDArray[np.bool_]
    #: Local working time at or after each whole instant, and its growth over the next quarter hour (0 or 1).
    local_at: NDArray[np.float32] = field(init=False)
    local_slope: NDArray[np.int8] = field(init=False)
    #: End instant and end day of a stretch ending at each whole local unit (index 0 unused).
    end_instant: NDArray[np.float32] = field(init=False)
    end_day: NDArray[np.int32] = field(init=False)

    def __post_init__(self) -> None:
        days, per_day = len(self.working), self.units_per_day
        cumulative = np.concatenate(([0], np.cumsum(self.working.astype(np.int64) * per_day)))
        instants = np.arange(days * UNITS_PER_DAY + 1, dtype=np.int64)
        day = np.minimum(instants // UNITS_PER_DAY, days - 1)
        offset = np.clip(instants - day * UNITS_PER_DAY - self.window_start, 0, per_day)
        local = cumulative[day] + np.where(self.working[day], offset, 0)
        local[-1] = cumulative[-1]
        working_days = np.flatnonzero(self.working).astype(np.int64)
        units = np.arange(int(cumulative[-1]) + 1, dtype=np.int64)
        position = np.maximum(units - 1, 0) // per_day
        end_day = working_days[np.minimum(position, max(len(working_days) - 1, 0))] if len(working_days) else units * 0
        end_instant = end_day * UNITS_PER_DAY + self.window_start + units - position * per_day
        object.__setattr__(self, "local_at", local.astype(np.float32))
        object.__setattr__(self, "local_slope", np.diff(local).astype(np.int8))
        object.__setattr__(self, "end_instant", end_instant.astype(np.float32))
        object.__setattr__(self, "end_day", end_day.astype(np.int32))

    def first_unit(self, instant: Floats) -> Floats:
        """See `Clock.first_unit`."""
        whole = instant.astype(np.int64)
        return self.local_at[whole] + (instant - whole) * self.local_slope[whole]

    def end_of(self, end_local: Floats) -> tuple[Floats, NDArray[np.integer[Any]]]:
        """See `Clock.end_of`: the stretch's last quarter hour is the one ending at ceil(end_local)."""
        whole = np.ceil(end_local).astype(np.int64)
        return self.end_instant[whole] - (whole - end_local), self.end_day[whole]


#: Quarter-hour table cells (about 13 bytes each) all clocks may take; past it, clocks use per-day arrays.
TABLE_CELLS = 8_000_000


def clocks_of(calendars: Sequence[OwnerCalendar], start: date, days: int) -> list[Clock]:
    """The clocks of owner calendars over `days` days: tables while they fit in `TABLE_CELLS`, else per-day arrays."""
    kind: type[TableClock] | type[DayClock] = (
        TableClock if len(calendars) * days * UNITS_PER_DAY <= TABLE_CELLS else DayClock
    )
    return [
        kind(calendar.units_per_day, calendar.window_start_units, _working_flags(calendar.is_working, start, days))
        for calendar in calendars
    ]


class TeamLags:
    """Days from each finish day to the L-th team working day after it, per lag (`rules.released_after`'s reading)."""

    def __init__(self, team: TeamCalendar, start: date, days: int, longest_lag: int) -> None:
        self.days = days
        flags = list(_working_flags(team.is_working, start, days))
        needed = int(np.sum(flags)) + longest_lag + 1
        day = days
        while sum(flags) < needed:
            flags.append(team.is_working(start + timedelta(days=day)))
            day += 1
        working = np.asarray(flags, dtype=bool)
        self._team_days = np.flatnonzero(working).astype(np.int64)
        self._through = np.cumsum(working[:days].astype(np.int64))  # team working days in [0, d]
        self._shifts: dict[int, Ints] = {}

    def shift(self, lag: int) -> Ints:
        """Per finish day d < days: days from d to the lag-th team working day strictly after d."""
        if lag not in self._shifts:
            self._shifts[lag] = self._team_days[self._through + lag - 1] - np.arange(self.days, dtype=np.int64)
        return self._shifts[lag]

    def release(self, end_instant: Floats, end_day: NDArray[np.integer[Any]], lag: int) -> Floats:
        """Earliest start of a successor waiting `lag` team working days after work ending at `end_instant`."""
        if lag == 0:
            return end_instant
        released: Floats = end_instant + UNITS_PER_DAY * self.shift(lag)[end_day]
        return released
