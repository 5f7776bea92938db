"""Team working-day counts of the solver's calendar against a day-by-day count, on random weekdays and holidays.

The service's reports and what-if differences and the recommendations count with these, so they are checked here.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from api_schemas import PlanRequest, Weekday
from api_schemas.request import Calendar
from service.report.working_time import WorkingTime
from solver.calendars.working_time import TeamCalendar

FIRST = date(2025, 3, 1)
DAYS = 60


@st.composite
def _calendars(draw: st.DrawFn) -> Calendar:
    weekdays = draw(st.lists(st.sampled_from(list(Weekday)), min_size=1, max_size=7, unique=True))
    holidays = draw(st.lists(st.integers(0, DAYS), max_size=20, unique=True))
    return Calendar(working_weekdays=weekdays, holidays=[FIRST + timedelta(days=d) for d in holidays])


def _worked(team: TeamCalendar, after: date, until: date) -> list[date]:
    """Team working days in (after, until], one day at a time."""
    days = (after + timedelta(days=offset) for offset in range(1, (until - after).days + 1))
    return [day for day in days if team.is_working(day)]


@settings(max_examples=100, deadline=None, derandomize=True)
@given(_calendars(), st.integers(0, DAYS), st.integers(0, DAYS), st.integers(0, 5))
def test_counts_match_the_day_by_day_count(calendar: Calendar, first: int, second: int, n: int) -> None:
    team = TeamCalendar(calendar)
    after, until = FIRST + timedelta(days=first), FIRST + timedelta(days=second)
    worked = _worked(team, after, until)
    assert list(team.working_days_after(after, until)) == worked
    assert team.working_days_between(after, until) == len(worked)
    assert team.signed_working_days(after, until) == len(worked) - len(_worked(team, until, after))
    later = _worked(team, after, after + timedelta(days=400))
    assert team.nth_working_day_after(after, n) == (later[n - 1] if n else after)


def test_signed_working_days_count_either_direction() -> None:
    team = TeamCalendar(Calendar())
    friday, monday, next_friday = date(2025, 3, 7), date(2025, 3, 10), date(2025, 3, 14)
    assert team.signed_working_days(friday, monday) == 1
    assert team.signed_working_days(monday, friday) == -1
    assert team.signed_working_days(friday, next_friday) == 5
    assert team.signed_working_days(monday, monday) == 0
    assert team.signed_working_days(date(2025, 3, 8), date(2025, 3, 9)) == 0  # Saturday to Sunday


def test_a_report_lists_the_first_working_days_from_the_start_within_its_lookahead() -> None:
    request = PlanRequest.model_validate(
        {
            "start_date": "2025-03-08",  # a Saturday
            "calendar": {"working_weekdays": ["mon"], "holidays": ["2025-03-10", "2025-03-17"]},
            "owners": [{"id": "a"}],
            "issues": [],
        }
    )
    working_time = WorkingTime(request)
    assert working_time.first_team_working_days(date(2025, 3, 8), 2) == [date(2025, 3, 24), date(2025, 3, 31)]
    assert working_time.first_team_working_days(date(2025, 3, 24), 1) == [date(2025, 3, 24)]
    assert working_time.first_team_working_days(date(2025, 3, 8), 0) == []
    assert len(working_time.first_team_working_days(date(2025, 3, 8), 1000)) == 113  # Mondays within 800 days
