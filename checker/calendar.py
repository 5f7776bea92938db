"""Team and owner working days, lag release dates and lateness, computed directly from the request.

Written from docs/model.md alone and deliberately separate from the model's calendar code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays

from api_schemas.common import Weekday
from api_schemas.request import Calendar, Owner

#: Longest run of non-working days the checker will walk through before giving up (ten years).
MAX_DAYS_SEARCHED = 3660

ONE_DAY = timedelta(days=1)

#: `date.weekday()` number of each weekday, kept here so the checker relies on no helper of the contract.
WEEKDAY_NUMBERS: dict[Weekday, int] = {
    Weekday.MON: 0,
    Weekday.TUE: 1,
    Weekday.WED: 2,
    Weekday.THU: 3,
    Weekday.FRI: 4,
    Weekday.SAT: 5,
    Weekday.SUN: 6,
}


@dataclass(frozen=True)
class Lateness:
    """How far a finish date lies past a deadline, in team working days and in calendar days."""

    working_days: int
    calendar_days: int

    @property
    def late(self) -> bool:
        """True when the finish date is after the deadline."""
        return self.calendar_days > 0


ON_TIME = Lateness(working_days=0, calendar_days=0)


class CheckCalendar:
    """Answers which dates the team and each owner work, per the request's calendar."""

    def __init__(self, calendar: Calendar) -> None:
        self._weekdays = frozenset(WEEKDAY_NUMBERS[day] for day in calendar.working_weekdays)
        self._listed_holidays = frozenset(calendar.holidays)
        self._country_holidays: holidays.HolidayBase | None = None
        self.country_error: str | None = None
        if calendar.country is not None:
            try:
                self._country_holidays = holidays.country_holidays(calendar.country, subdiv=calendar.subdivision)
            except NotImplementedError as error:
                self.country_error = (
                    f"calendar.country {calendar.country!r} (subdivision {calendar.subdivision!r}) has no public "
                    f"holiday calendar ({error}); country holidays were ignored"
                )
        self._team_working: dict[date, bool] = {}
        self._owner_sets: dict[str, tuple[frozenset[int], frozenset[date]]] = {}

    def is_team_holiday(self, day: date) -> bool:
        """Tell whether a date is a calendar holiday or a public holiday of the calendar's country."""
        if day in self._listed_holidays:
            return True
        return self._country_holidays is not None and day in self._country_holidays

    def is_team_working_day(self, day: date) -> bool:
        """Tell whether the team works on a date: a worked weekday that is no team holiday."""
        known = self._team_working.get(day)
        if known is None:
            known = day.weekday() in self._weekdays and not self.is_team_holiday(day)
            self._team_working[day] = known
        return known

    def is_owner_working_day(self, owner: Owner, day: date) -> bool:
        """Tell whether the owner works on a date: its weekdays, no day off, no team holiday unless it works them."""
        return self.why_owner_is_off(owner, day) is None

    def why_owner_is_off(self, owner: Owner, day: date) -> str | None:
        """Say why the owner does not work on a date ('a day off', ...), or None when it does."""
        weekdays, days_off = self._owner_days(owner)
        if day.weekday() not in weekdays:
            return f"a weekday {owner.id} does not work"
        if day in days_off:
            return f"a day off of {owner.id}"
        if not owner.works_holidays and self.is_team_holiday(day):
            return f"a team holiday {owner.id} does not work"
        return None

    def _owner_days(self, owner: Owner) -> tuple[frozenset[int], frozenset[date]]:
        """Return the owner's worked weekday indices and days off as sets (cached per owner id)."""
        known = self._owner_sets.get(owner.id)
        if known is None:
            weekdays = (
                self._weekdays
                if owner.working_weekdays is None
                else frozenset(WEEKDAY_NUMBERS[day] for day in owner.working_weekdays)
            )
            known = (weekdays, frozenset(owner.days_off))
            self._owner_sets[owner.id] = known
        return known

    def nth_team_working_day_after(self, day: date, count: int) -> date | None:
        """Return the `count`-th team working day strictly after `day` (None if none within ten years)."""
        found = 0
        current = day
        for _ in range(MAX_DAYS_SEARCHED):
            current += ONE_DAY
            if self.is_team_working_day(current):
                found += 1
                if found == count:
                    return current
        return None

    def lateness(self, finish: date, deadline: date | None) -> Lateness:
        """Lateness of a finish date: working days in (deadline, finish], plus one if finish is not worked."""
        if deadline is None or finish <= deadline:
            return ON_TIME
        working = sum(
            1
            for offset in range(1, (finish - deadline).days + 1)
            if self.is_team_working_day(deadline + timedelta(days=offset))
        )
        if not self.is_team_working_day(finish):
            working += 1
        return Lateness(working_days=working, calendar_days=(finish - deadline).days)
