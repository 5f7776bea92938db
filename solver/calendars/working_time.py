"""Working-day arithmetic of the team and of each owner (weekdays, holidays, days off, daily windows)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate, islice

import holidays

from api_schemas.common import UNITS_PER_DAY, UNITS_PER_HOUR
from api_schemas.request import Calendar, Owner


@lru_cache(maxsize=64)
def _country_holidays(country: str, subdivision: str | None) -> holidays.HolidayBase:
    """The `holidays` calendar of a country; it expands to new years on demand."""
    return holidays.country_holidays(country, subdiv=subdivision)


class TeamCalendar:
    """Team working days: calendar weekdays minus explicit and country holidays."""

    def __init__(self, calendar: Calendar) -> None:
        self.weekdays = frozenset(day.number for day in calendar.working_weekdays)
        self.explicit_holidays = frozenset(calendar.holidays)
        self.country = _country_holidays(calendar.country, calendar.subdivision) if calendar.country else None
        self.window_start_units = calendar.workday_start.hour * UNITS_PER_HOUR + calendar.workday_start.minute // 15

    def is_holiday(self, day: date) -> bool:
        """True for explicit holidays and the country's public holidays."""
        return day in self.explicit_holidays or (self.country is not None and day in self.country)

    def is_working(self, day: date) -> bool:
        """True when the team works on `day`."""
        return day.weekday() in self.weekdays and not self.is_holiday(day)

    def working_days_after(self, after: date, until: date | None = None) -> Iterator[date]:
        """Team working days in (after, until], in order (endless without `until`): every count below walks these."""
        current = after
        while until is None or current < until:
            current += timedelta(days=1)
            if self.is_working(current):
                yield current

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th team working day strictly after `day` (n >= 1; `day` itself for n = 0)."""
        return next(islice(self.working_days_after(day), n - 1, None)) if n > 0 else day

    def working_days_between(self, after: date, until: date) -> int:
        """Team working days in (after, until]; 0 when until <= after."""
        return sum(1 for _ in self.working_days_after(after, until))

    def signed_working_days(self, before: date, after: date) -> int:
        """Team working days from `before` to `after`: those in (before, after], negated when `after` is earlier."""
        return self.working_days_between(before, after) - self.working_days_between(after, before)

    def lateness_working_days(self, deadline: date, finish: date) -> int:
        """Working-day lateness per docs/model.md: working days in (deadline, finish], +1 if finish is off."""
        if finish <= deadline:
            return 0
        return self.working_days_between(deadline, finish) + (0 if self.is_working(finish) else 1)


class OwnerCalendar:
    """An owner's working days and daily window, on top of the team calendar."""

    def __init__(self, owner: Owner, team: TeamCalendar) -> None:
        weekdays = owner.working_weekdays
        self.weekdays = frozenset(d.number for d in weekdays) if weekdays is not None else team.weekdays
        self.days_off = frozenset(owner.days_off)
        self.works_holidays = owner.works_holidays
        self.team = team
        self.units_per_day = round(owner.hours_per_day * UNITS_PER_HOUR)
        self.window_start_units = min(team.window_start_units, UNITS_PER_DAY - self.units_per_day)

    def is_working(self, day: date) -> bool:
        """True when the owner works on `day`."""
        if day.weekday() not in self.weekdays or day in self.days_off:
            return False
        return self.works_holidays or not self.team.is_holiday(day)

    def signature(self, start: date, days: int) -> tuple[int, int, tuple[bool, ...]]:
        """What makes two owners' working time identical over a horizon (for pooling)."""
        pattern = tuple(self.is_working(start + timedelta(days=d)) for d in range(days))
        return self.units_per_day, self.window_start_units, pattern


def team_capacity_until(owners: list[OwnerCalendar], start: date, dues: list[date]) -> dict[date, float]:
    """Hours the whole team can work from `start` to each due date inclusive (0 for dues before the start).

    Owners sharing working weekdays and holiday rule share one count of working days; each owner's days
    off are then taken back, so large teams over long horizons stay linear in days plus owners.
    """
    last = max(dues, default=start)
    if not dues or last < start or not owners:
        return dict.fromkeys(dues, 0.0)
    team = owners[0].team
    days = [start + timedelta(days=offset) for offset in range((last - start).days + 1)]
    holiday = [team.is_holiday(day) for day in days]
    hours_by_rule: defaultdict[tuple[frozenset[int], bool], float] = defaultdict(float)
    lost: list[tuple[date, float]] = []  # (a day off that would have been worked, hours lost)
    for owner in owners:
        hours = owner.units_per_day / UNITS_PER_HOUR
        hours_by_rule[owner.weekdays, owner.works_holidays] += hours
        for day in owner.days_off:
            on_weekday = day.weekday() in owner.weekdays
            if start <= day <= last and on_weekday and (owner.works_holidays or not team.is_holiday(day)):
                lost.append((day, hours))
    per_day = [0.0] * len(days)
    for (weekdays, works_holidays), hours in hours_by_rule.items():
        for index, day in enumerate(days):
            if day.weekday() in weekdays and (works_holidays or not holiday[index]):
                per_day[index] += hours
    cumulative = list(accumulate(per_day))
    lost.sort()
    lost_days = [day for day, _ in lost]
    lost_totals = [0.0, *accumulate(hours for _, hours in lost)]
    return {
        due: cumulative[(due - start).days] - lost_totals[bisect_right(lost_days, due)] if due >= start else 0.0
        for due in dues
    }
