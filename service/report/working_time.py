"""Working time of a request's team and owners, as a report needs it: worked dates and next working instants.

Built on the planner's own calendars so a report never disagrees with the plan about which days are worked.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import islice

from api_schemas.common import UNITS_PER_HOUR
from api_schemas.request import PlanRequest
from solver.calendars.working_time import OwnerCalendar, TeamCalendar

#: A quarter hour, the planner's unit of time.
_UNIT = timedelta(minutes=60 // UNITS_PER_HOUR)
#: How far ahead `next_working_instant` and `first_team_working_days` look before giving up.
_LOOKAHEAD_DAYS = 800


class WorkingTime:
    """Which dates the team and each owner work, and each owner's daily window."""

    def __init__(self, request: PlanRequest) -> None:
        self.team = TeamCalendar(request.calendar)
        self._owners = {owner.id: OwnerCalendar(owner, self.team) for owner in request.owners}

    def first_team_working_days(self, start: date, count: int) -> list[date]:
        """The first `count` team working days on or after `start` (within `_LOOKAHEAD_DAYS`)."""
        days = self.team.working_days_after(start - timedelta(days=1), start + timedelta(days=_LOOKAHEAD_DAYS))
        return list(islice(days, count))

    def owner_works(self, owner: str, day: date) -> bool:
        """True when `owner` works on `day` (False for an owner the request does not have)."""
        calendar = self._owners.get(owner)
        return calendar is not None and calendar.is_working(day)

    def window(self, owner: str, day: date) -> tuple[datetime, datetime] | None:
        """The owner's working window on `day`, or None when the owner does not work that day."""
        calendar = self._owners.get(owner)
        if calendar is None or not calendar.is_working(day):
            return None
        opens = datetime.combine(day, time()) + calendar.window_start_units * _UNIT
        return opens, opens + calendar.units_per_day * _UNIT

    def next_working_instant(self, owner: str, instant: datetime) -> datetime:
        """The first instant at or after `instant` at which `owner` can work (a window's end counts as past it)."""
        day = instant.date()
        for _ in range(_LOOKAHEAD_DAYS):
            window = self.window(owner, day)
            if window is not None and instant < window[1]:
                return max(instant, window[0])
            day += timedelta(days=1)
        return instant

    def release(self, finish: datetime, lag_days: int) -> datetime:
        """When a dependent may start after a prerequisite finishing at `finish` with a lag (docs/model.md, rule 3)."""
        if lag_days == 0:
            return finish
        finish_day, clock = finish.date(), finish - datetime.combine(finish.date(), time())
        if clock == timedelta(0):  # a finish at 24:00 is reported as 00:00 of the next day
            finish_day -= timedelta(days=1)
            clock = timedelta(days=1)
        shifted = self.team.nth_working_day_after(finish_day, lag_days)
        return datetime.combine(shifted, time()) + clock
