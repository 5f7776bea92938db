"""Working time as numpy arrays over the forecast's horizon: owner clocks and team lag releases, vectorised.

The same rules as `solver.calendars.clock.Clock` (docs/model.md, "Calendars"), on continuous working time: a
duration is any positive number of quarter hours, so sampled durations are never rounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from api_schemas.common import UNITS_PER_DAY
from solver.calendars.working_time import OwnerCalendar, TeamCalendar

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


def _working_flags(is_working: Callable[[date], bool], start: date, days: int) -> NDArray[np.bool_]:
    """Whether each of `days` days from `start` is worked."""
    return np.fromiter((is_working(start + timedelta(days=d)) for d in range(days)), dtype=bool, count=days)


@dataclass(frozen=True)
class ClockArrays:
    """One owner calendar over `days` days as lookup tables between instants and local working time.

    Windows start and end on quarter hours, so both maps are linear between whole quarter hours: a table at
    every quarter hour plus the fraction gives them exactly, in a few vectorised steps.
    """

    units_per_day: int
    window_start: int
    working: NDArray[np.bool_]
    #: Local working time at or after each whole instant, and its growth over the next quarter hour (0 or 1).
    local_at: Floats = field(init=False)
    local_slope: Floats = field(init=False)
    #: End instant and end day of a stretch ending at each whole local unit (index 0 unused).
    end_instant: Floats = field(init=False)
    end_day: Ints = field(init=False)

    def __post_init__(self) -> None:
        days, per_day = len(self.working), self.units_per_day
        cumulative = np.concatenate(([0], np.cumsum(self.working.astype(np.int64) * per_day)))
        instants = np.arange(days * UNITS_PER_DAY + 1, dtype=np.int64)
        day = np.minimum(instants // UNITS_PER_DAY, days - 1)
        offset = np.clip(instants - day * UNITS_PER_DAY - self.window_start, 0, per_day)
        local = (cumulative[day] + np.where(self.working[day], offset, 0)).astype(np.float64)
        local[-1] = cumulative[-1]
        working_days = np.flatnonzero(self.working).astype(np.int64)
        units = np.arange(int(cumulative[-1]) + 1, dtype=np.int64)
        position = np.maximum(units - 1, 0) // per_day
        end_day = working_days[np.minimum(position, max(len(working_days) - 1, 0))] if len(working_days) else units * 0
        end_instant = (end_day * UNITS_PER_DAY + self.window_start + units - position * per_day).astype(np.float64)
        object.__setattr__(self, "local_at", local)
        object.__setattr__(self, "local_slope", np.diff(local))
        object.__setattr__(self, "end_instant", end_instant)
        object.__setattr__(self, "end_day", end_day)

    @classmethod
    def of(cls, calendar: OwnerCalendar, start: date, days: int) -> ClockArrays:
        """The tables of an owner calendar from `start` for `days` days."""
        flags = _working_flags(calendar.is_working, start, days)
        return cls(calendar.units_per_day, calendar.window_start_units, flags)

    def first_unit(self, instant: Floats) -> Floats:
        """The first local working time at or after each instant (`Clock.first_unit_at_or_after`).

        An instant past the tables raises IndexError (the simulation's sign to try a longer horizon).
        """
        whole = instant.astype(np.int64)
        return self.local_at[whole] + (instant - whole) * self.local_slope[whole]

    def end_of(self, end_local: Floats) -> tuple[Floats, Ints]:
        """End instant and end day of stretches ending at local working time `end_local` (> 0; `Clock.global_end`).

        The stretch's last quarter hour is the one ending at ceil(end_local); a stretch past the tables raises
        IndexError.
        """
        whole = np.ceil(end_local).astype(np.int64)
        return self.end_instant[whole] - (whole - end_local), self.end_day[whole]


class TeamLags:
    """Days from each finish day to the L-th team working day after it, per lag (`PreparedProblem.release_after`)."""

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

    def release(self, end_instant: Floats, end_day: Ints, lag: int) -> Floats:
        """Earliest start of a successor waiting `lag` team working days after work ending at `end_instant`."""
        if lag == 0:
            return end_instant
        return end_instant + UNITS_PER_DAY * self.shift(lag)[end_day]
