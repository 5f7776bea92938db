"""The dependency rule of `solver.prepared.rules`: its numbers, its team-time form and a calendar reading agree."""

from __future__ import annotations

import pytest

from api_schemas import PlanRequest
from api_schemas.common import UNITS_PER_DAY
from solver.prepared.problem import PreparedProblem, prepare
from solver.prepared.rules import release_team_day, released_after, team_time_release


def _problem(weekdays: list[str], holidays: list[str]) -> PreparedProblem:
    request = PlanRequest.model_validate(
        {
            "start_date": "2025-12-18",  # a Thursday, so holidays and a weekend come early
            "calendar": {"working_weekdays": weekdays, "holidays": holidays},
            "owners": [{"id": "ann", "working_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}],
            "issues": [
                {"id": "A", "estimate_hours": 200},
                {"id": "B", "estimate_hours": 4, "depends_on": [{"issue": "A", "lag_days": 3}]},
            ],
        }
    )
    return prepare(request)


CALENDARS = [
    (["mon", "tue", "wed", "thu", "fri"], ["2025-12-24", "2025-12-25", "2025-12-26", "2026-01-01"]),
    (["tue", "wed", "thu", "sat"], ["2025-12-27"]),
]


@pytest.mark.parametrize(("weekdays", "holidays"), CALENDARS)
@pytest.mark.parametrize("lag", [1, 2, 5])
def test_released_after_is_the_lag_th_team_working_day_after_the_end_day(
    weekdays: list[str], holidays: list[str], lag: int
) -> None:
    # The calendar's own reading (count working days after the end day), against the rule's numbers, for an end
    # at 10:00 and one at 24:00 on every day of the horizon, team working day or not.
    problem = _problem(weekdays, holidays)
    for day in range(problem.horizon_days):
        released = problem.team.nth_working_day_after(problem.date_of(day), lag)
        for clock_time in (40, UNITS_PER_DAY):
            end = day * UNITS_PER_DAY + clock_time
            expected = problem.day_index(released) * UNITS_PER_DAY + clock_time
            assert released_after(problem, end, day, lag) == expected
        assert released_after(problem, day * UNITS_PER_DAY + 40, day, 0) == day * UNITS_PER_DAY + 40


@pytest.mark.parametrize(("weekdays", "holidays"), CALENDARS)
@pytest.mark.parametrize("lag", [0, 1, 3])
def test_team_time_release_is_the_release_in_team_time_for_ends_on_team_days(
    weekdays: list[str], holidays: list[str], lag: int
) -> None:
    problem = _problem(weekdays, holidays)
    compared = 0
    for day in range(problem.horizon_days):
        end = day * UNITS_PER_DAY + 52
        release = released_after(problem, end, day, lag)
        if problem.team.is_working(problem.date_of(day)) and release <= problem.horizon_days * UNITS_PER_DAY:
            assert problem.team_time(release) == team_time_release(problem.team_time(end), lag)
            compared += 1
    assert compared >= 10


def test_release_team_day_counts_from_the_end_day() -> None:
    # Team working days 0, 1, 2, ...: an end on team day 4 (4 before it) with lag 1 releases on team day 5; an end
    # on a day off after team day 4 (5 before it) with lag 1 releases on team day 5 as well.
    assert release_team_day(4, 1, 1) == 5
    assert release_team_day(5, 0, 1) == 5
    assert release_team_day(5, 0, 3) == 7
