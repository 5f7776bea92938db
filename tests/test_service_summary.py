"""The validation summary's capacity arithmetic against a direct reading of docs/model.md."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import holidays

from api_schemas import PlanRequest
from service.request_summary import summarise_request
from solver.intake.limits import Limits

WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def capacity_by_the_book(request: PlanRequest, due: date) -> float:
    """Sum over owners of hours_per_day on each owner working day from start_date to due inclusive."""
    country = holidays.country_holidays(request.calendar.country) if request.calendar.country else {}
    team_days = [WEEK.index(day.value) for day in request.calendar.working_weekdays]
    total = 0.0
    day = request.start_date
    while day <= due:
        team_holiday = day in request.calendar.holidays or day in country
        for owner in request.owners:
            weekdays = [WEEK.index(d.value) for d in owner.working_weekdays] if owner.working_weekdays else team_days
            works = day.weekday() in weekdays and day not in owner.days_off
            if works and (owner.works_holidays or not team_holiday):
                total += owner.hours_per_day
        day += timedelta(days=1)
    return total


def random_request(seed: int, country: str | None) -> dict[str, Any]:
    rng = random.Random(seed)
    start = date(2025, 4, 21)

    def day(offset: int) -> str:
        return str(start + timedelta(days=offset))

    return {
        "start_date": str(start),
        "calendar": {"holidays": [day(rng.randrange(0, 90)) for _ in range(4)], "country": country},
        "owners": [
            {
                "id": f"owner-{n}",
                "hours_per_day": rng.choice([2.5, 6, 8, 24]),
                "working_weekdays": rng.choice([None, WEEK, WEEK[:3], ["sat", "sun"]]),
                "works_holidays": rng.random() < 0.3,
                "days_off": [day(rng.randrange(-3, 95)) for _ in range(rng.randrange(0, 5))],
            }
            for n in range(12)
        ],
        "milestones": [{"id": f"m{n}", "due": day(rng.randrange(-5, 90))} for n in range(8)]
        + [{"id": "undated"}],
        "issues": [
            {"id": f"i{n}", "estimate_hours": rng.choice([None, 1.5, 8]), "remaining_hours": rng.choice([None, 0, 1]),
             "milestone": f"m{rng.randrange(8)}"}
            for n in range(40)
        ],
    }


def test_capacity_and_work_due_match_the_model_definition() -> None:
    for seed, country in [(1, None), (2, None), (3, "JP")]:
        request = PlanRequest.model_validate(random_request(seed, country))
        summary = summarise_request(request, Limits())
        due_of = {m.id: m.due for m in request.milestones}
        for milestone in summary.milestones:
            if milestone.due is None:
                assert milestone.capacity_hours is None and milestone.work_hours_due is None
                continue
            assert milestone.capacity_hours == capacity_by_the_book(request, milestone.due), (seed, milestone.id)
            due_by = [
                issue.work_hours or 0 for issue in request.issues
                if issue.milestone and (due := due_of[issue.milestone]) is not None and due <= milestone.due
            ]
            assert milestone.work_hours_due == sum(due_by)
        dues = [m.due for m in summary.milestones if m.due is not None]
        assert dues == sorted(dues)
        estimated = [i for i in request.issues if i.work_hours is not None]
        assert summary.estimated_issues == len(estimated)
        assert summary.done_issues == sum(i.work_hours == 0 for i in estimated)


def test_due_dates_beyond_the_horizon_have_no_capacity() -> None:
    request = PlanRequest.model_validate(random_request(4, None))
    summary = summarise_request(request, Limits(max_horizon_days=30))
    for milestone in summary.milestones:
        beyond = milestone.due is not None and milestone.due > request.start_date + timedelta(days=30)
        assert (milestone.capacity_hours is None) == (beyond or milestone.due is None)
