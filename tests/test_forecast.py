"""The Monte Carlo forecast against answers worked out independently here: convolution, products, exact plans."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from api_schemas.request import ForecastOptions, PlanRequest
from api_schemas.result import IssueStatus, PlanResult, SpreadSource
from checker.schedule_checker import check_schedule
from solver import plan
from solver.forecast import with_forecast
from solver.forecast.simulation import CHUNK_CELLS, chunk_size

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "examples" / "reference_backlog.json"
MONDAY = date(2025, 11, 24)
ALL_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
#: Grid of the numerical convolution, in hours.
STEP = 0.005


def _request(issues: list[dict[str, Any]], milestones: list[dict[str, Any]], owners: list[dict[str, Any]],
             weekdays: list[str] | None = None, samples: int = 20000, **extra: Any) -> PlanRequest:
    calendar = {"working_weekdays": weekdays} if weekdays is not None else {}
    return PlanRequest.model_validate({
        "start_date": MONDAY.isoformat(), "calendar": calendar, "owners": owners, "milestones": milestones,
        "issues": issues, "options": {"time_limit_s": 2, "forecast": {"samples": samples, "seed": 7}}, **extra,
    })


def _chain(prefix: str, ranges: list[tuple[float, float, float]], milestone: str, owner: str,
           deadlines: dict[int, date] | None = None) -> list[dict[str, Any]]:
    issues = []
    for index, (low, likely, high) in enumerate(ranges):
        issue: dict[str, Any] = {
            "id": f"{prefix}{index}", "estimate_hours": likely, "estimate_low_hours": low, "estimate_high_hours": high,
            "milestone": milestone, "pinned_owner": owner, "priority": "P1",
        }
        if index:
            issue["depends_on"] = [f"{prefix}{index - 1}"]
        if deadlines and index in deadlines:
            issue["deadline"] = deadlines[index].isoformat()
        issues.append(issue)
    return issues


def _planned(request: PlanRequest) -> PlanResult:
    result = plan(request, with_recommendations=False)
    assert result.checked and check_schedule(request, result) == []
    assert result.forecast is not None
    return result


def _triangular_masses(low: float, likely: float, high: float) -> np.ndarray:
    """Probability of each grid cell [k STEP, (k+1) STEP) under the triangular distribution, from its CDF."""
    edges = np.arange(0, high + 2 * STEP, STEP)

    def cdf(x: np.ndarray) -> np.ndarray:
        rising = (x - low) ** 2 / ((high - low) * (likely - low)) if likely > low else np.zeros_like(x)
        falling = 1 - (high - x) ** 2 / ((high - low) * (high - likely)) if high > likely else np.ones_like(x)
        return np.where(x <= low, 0.0, np.where(x >= high, 1.0, np.where(x <= likely, rising, falling)))

    return np.diff(cdf(edges))


def _sum_cdf(ranges: list[tuple[float, float, float]], hours: float) -> float:
    """P(sum of independent triangular durations <= hours), by numerical convolution of their cell masses."""
    masses = np.array([1.0])
    for low, likely, high in ranges:
        masses = np.convolve(masses, _triangular_masses(low, likely, high))
    # A sum of n cells indexed K lies in [K STEP, (K + n) STEP): its middle stands for it.
    middles = (np.arange(masses.size) + len(ranges) / 2) * STEP
    return float(masses[middles <= hours].sum())


def _within_three_standard_errors(estimate: float, exact: float, samples: int) -> bool:
    error = math.sqrt(max(exact * (1 - exact), 1e-12) / samples)
    return abs(estimate - exact) <= 3 * error + 2e-3  # plus the convolution grid's own error (well below 1e-3)


CHAIN = [(4.0, 8.0, 16.0), (5.0, 6.0, 12.0), (6.0, 10.0, 14.0)]


def test_a_chain_matches_the_convolution_of_its_durations() -> None:
    owners = [{"id": "ann", "hours_per_day": 8}]
    due = MONDAY + timedelta(days=3)  # four 8 h days: the chain is on time when its work fits in 32 h
    deadline = MONDAY + timedelta(days=1)  # the second issue: the first two fit in 16 h
    request = _request(_chain("c", CHAIN, "M", "ann", {1: deadline}), [{"id": "M", "due": due.isoformat()}],
                       owners, ALL_WEEK)
    result = _planned(request)
    milestone = result.milestones[0]
    exact = _sum_cdf(CHAIN, 32)
    assert 0.2 < exact < 0.95  # a chance the test can tell apart from 0 and 1
    assert milestone.p_on_time is not None
    assert _within_three_standard_errors(milestone.p_on_time, exact, 20000)
    second = next(issue for issue in result.issues if issue.id == "c1")
    assert second.p_late is not None
    assert _within_three_standard_errors(1 - second.p_late, _sum_cdf(CHAIN[:2], 16), 20000)
    # The median date is the first day whose capacity holds half the runs (when not too close to call).
    day = next(d for d in range(10) if _sum_cdf(CHAIN, 8 * (d + 1)) >= 0.5)
    if abs(_sum_cdf(CHAIN, 8 * (day + 1)) - 0.5) > 0.02:
        assert milestone.p50 == MONDAY + timedelta(days=day)


def test_two_owners_on_independent_chains_give_the_product_of_their_chances() -> None:
    first = [(3.0, 6.0, 12.0), (4.0, 8.0, 10.0)]
    second = [(2.0, 5.0, 9.0), (6.0, 9.0, 18.0)]
    owners = [{"id": "ann", "hours_per_day": 8}, {"id": "bob", "hours_per_day": 8}]
    due = MONDAY + timedelta(days=1)  # 16 h each
    issues = _chain("a", first, "M", "ann") + _chain("b", second, "M", "bob")
    result = _planned(_request(issues, [{"id": "M", "due": due.isoformat()}], owners, ALL_WEEK))
    exact = _sum_cdf(first, 16) * _sum_cdf(second, 16)
    assert 0.1 < exact < 0.9
    p_on_time = result.milestones[0].p_on_time
    assert p_on_time is not None and _within_three_standard_errors(p_on_time, exact, 20000)


def test_the_chain_that_always_finishes_last_is_always_critical() -> None:
    owners = [{"id": "ann", "hours_per_day": 8}, {"id": "bob", "hours_per_day": 8}]
    issues = _chain("long", [(15.0, 16.0, 17.0)] * 2, "M", "ann") + _chain("short", [(2.0, 4.0, 6.0)], "M", "bob")
    result = _planned(_request(issues, [{"id": "M", "due": (MONDAY + timedelta(days=9)).isoformat()}], owners,
                               samples=2000))
    criticality = {issue.id: issue.criticality for issue in result.issues}
    assert criticality == {"long0": 1.0, "long1": 1.0, "short0": 0.0}


def _assert_forecast_is_the_plan(result: PlanResult) -> None:
    """Every chance 0 or 1 and every date the plan's: what a forecast without spread must say."""
    checked = 0
    for milestone in result.milestones:
        if milestone.projected_finish is None or milestone.p50 is None:
            continue
        assert milestone.p50 == milestone.p85 == milestone.p95 == milestone.projected_finish
        assert milestone.forecast_finish == milestone.projected_finish
        if milestone.due is not None:
            assert milestone.p_on_time == (0.0 if milestone.late or milestone.due < result.start_date else 1.0)
            assert milestone.forecast_extension_working_days == milestone.lateness_working_days
        checked += 1
    for issue in result.issues:
        if issue.status == IssueStatus.PLANNED and issue.deadline is not None:
            assert issue.p_late == (1.0 if issue.late else 0.0), issue.id
    assert checked


def test_a_zero_width_range_gives_the_plan_exactly_on_the_reference_backlog() -> None:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    data["options"].update(time_limit_s=2, forecast={"samples": 500, "default_range": {"low": 1, "high": 1}})
    request = PlanRequest.model_validate(data)
    result = _planned(request)
    _assert_forecast_is_the_plan(result)
    # The same through each issue's own zero-width range.
    for issue in data["issues"]:
        if issue.get("estimate_hours"):
            issue["estimate_low_hours"] = issue["estimate_high_hours"] = issue["estimate_hours"]
    data["options"]["forecast"] = {"samples": 500}
    own = PlanRequest.model_validate(data)
    again = with_forecast(own, result)
    assert again.forecast is not None and again.forecast.spread.issues_with_team_spread == 0
    _assert_forecast_is_the_plan(again)


def test_a_zero_width_range_gives_the_plan_exactly_with_lags_calendars_and_agents() -> None:
    owners = [
        {"id": "lead", "hours_per_day": 6, "days_off": ["2025-11-26"]},
        {"id": "agent", "hours_per_day": 24, "working_weekdays": ALL_WEEK, "skills": ["code"]},
        {"id": "part", "hours_per_day": 4, "working_weekdays": ["mon", "wed", "fri"]},
    ]
    issues = [
        {"id": "a", "estimate_hours": 9, "milestone": "M1", "priority": "P0"},
        {"id": "b", "estimate_hours": 30, "skills": ["code"], "depends_on": [{"issue": "a", "lag_days": 1}],
         "milestone": "M1"},
        {"id": "c", "estimate_hours": 5, "depends_on": ["b"], "milestone": "M2", "pinned_owner": "part"},
        {"id": "d", "estimate_hours": 7.25, "not_before": "2025-11-27", "milestone": "M2", "priority": "P3"},
        {"id": "e", "estimate_hours": 3, "depends_on": [{"issue": "c", "lag_days": 2}], "milestone": "M2",
         "pinned_owner": "lead"},
        {"id": "f", "remaining_hours": 2.5, "estimate_hours": 6, "milestone": "M1"},
    ]
    milestones = [{"id": "M1", "due": "2025-11-26"}, {"id": "M2", "due": "2025-12-03"}]
    request = PlanRequest.model_validate({
        "start_date": MONDAY.isoformat(), "calendar": {"holidays": ["2025-11-28"]}, "owners": owners,
        "milestones": milestones, "issues": issues,
        "options": {"time_limit_s": 2, "forecast": {"samples": 300, "default_range": {"low": 1, "high": 1}}},
    })
    result = _planned(request)
    assert result.status.value == "OPTIMAL"
    _assert_forecast_is_the_plan(result)


def test_weekends_move_the_quantile_dates_by_whole_non_working_days() -> None:
    ranges = [(4.0, 8.0, 16.0)] * 4
    owners = [{"id": "ann", "hours_per_day": 8}]
    weekdays = [MONDAY + timedelta(days=d) for d in range(40) if (MONDAY + timedelta(days=d)).weekday() < 5]
    # The same chain on a 7-day and on a Mon-Fri calendar, due on its 5th working day in both.
    seven = _planned(_request(_chain("c", ranges, "M", "ann"), [{"id": "M", "due": (MONDAY + timedelta(days=4))
                                                                  .isoformat()}], owners, ALL_WEEK, samples=5000))
    five = _planned(_request(_chain("c", ranges, "M", "ann"), [{"id": "M", "due": weekdays[4].isoformat()}], owners,
                             samples=5000))
    by_day, by_working_day = seven.milestones[0], five.milestones[0]
    assert by_day.p_on_time == by_working_day.p_on_time
    assert by_day.p_on_time is not None and 0 < by_day.p_on_time < 1
    moved = 0
    for name in ("p50", "p85", "p95", "forecast_finish"):
        calendar_date, working_date = getattr(by_day, name), getattr(by_working_day, name)
        assert working_date == weekdays[(calendar_date - MONDAY).days]
        moved += (working_date - calendar_date).days
    assert moved > 0  # some date crossed a weekend: moved by whole days off, never by part of one
    assert five.forecast is not None and seven.forecast is not None
    shares_seven = [point.share for point in seven.forecast.milestones[0].finish_dates]
    shares_five = [point.share for point in five.forecast.milestones[0].finish_dates]
    assert shares_seven == shares_five
    assert all(point.date.weekday() < 5 for point in five.forecast.milestones[0].finish_dates)


def test_the_history_replaces_the_default_spread() -> None:
    owners = [{"id": "ann", "hours_per_day": 8}]
    issues = [{"id": f"i{n}", "estimate_hours": 8, "milestone": "M", "pinned_owner": "ann"} for n in range(3)]
    milestones = [{"id": "M", "due": "2025-11-28"}]
    doubled = _planned(_request(issues, milestones, owners, samples=500,
                                history=[{"estimate_hours": 10, "actual_hours": 20}]))
    forecast = doubled.forecast
    assert forecast is not None and forecast.spread.source == SpreadSource.HISTORY
    assert forecast.spread.history_records == 1 and forecast.notes  # one record: the forecast says it is rough
    milestone = doubled.milestones[0]
    # 48 h on 8 h Mon-Fri days from a Monday: the sixth working day, the next Monday.
    assert milestone.p50 == milestone.p95 == date(2025, 12, 1)
    assert milestone.p_on_time == 0.0 and milestone.forecast_extension_working_days == 1
    exact = [{"estimate_hours": 5, "actual_hours": 5}, {"estimate_hours": 3, "actual_hours": 3}]
    even = _planned(_request(issues, milestones, owners, samples=500, history=exact))
    assert even.milestones[0].p95 == even.milestones[0].projected_finish == date(2025, 11, 26)


def test_the_same_seed_gives_the_same_forecast_and_another_seed_another() -> None:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    request = PlanRequest.model_validate(data)
    result = plan(request, with_recommendations=False)
    first = with_forecast(request, result, ForecastOptions(samples=3000, seed=1))
    again = with_forecast(request, result, ForecastOptions(samples=3000, seed=1))
    other = with_forecast(request, result, ForecastOptions(samples=3000, seed=2))
    assert first.forecast is not None and again.forecast is not None and other.forecast is not None
    assert first.forecast.milestones == again.forecast.milestones
    assert [m.p_on_time for m in first.milestones] == [m.p_on_time for m in again.milestones]
    assert first.forecast.milestones != other.forecast.milestones


def test_chunks_bound_the_memory_whatever_the_backlog() -> None:
    assert chunk_size(2000, 10000) * 2000 <= CHUNK_CELLS
    assert chunk_size(10, 10000) == 10000
    assert chunk_size(10**6, 10000) == 64


def test_the_reference_week_plan_recommends_the_confident_extension_beside_the_exact_one() -> None:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    data["options"].update(time_limit_s=3, forecast={})
    request = PlanRequest.model_validate(data)
    result = plan(request)
    assert result.checked and result.recommendations is not None
    reconstruction = next(m for m in result.milestones if m.id == "reconstruction")
    assert reconstruction.lateness_working_days == 3 and reconstruction.p_on_time is not None
    assert reconstruction.forecast_finish is not None and reconstruction.forecast_extension_working_days is not None
    assert reconstruction.forecast_extension_working_days >= 3
    line = next(line for line in result.recommendations.summary if line.startswith("Miyabi Reconstruction"))
    exact = "extend to 2025-12-02 (+3 working days)"
    confident = (f"extend to {reconstruction.forecast_finish.isoformat()} "
                 f"(+{reconstruction.forecast_extension_working_days} working days) for 85 % confidence")
    assert exact in line and confident in line and line.index(exact) < line.index(confident)
    extension = next(c for c in result.recommendations.confidence_extensions if c.id == "reconstruction")
    assert extension.exact_working_days == 3 and extension.new_date == reconstruction.p85


@pytest.mark.parametrize("factor", [1.5, 3.0])
def test_every_estimate_scaled_alike_moves_a_single_issue_to_the_exact_day(factor: float) -> None:
    owners = [{"id": "ann", "hours_per_day": 8}]
    issues = [{"id": "x", "estimate_hours": 16, "milestone": "M"}]
    request = _request(issues, [{"id": "M", "due": "2025-11-25"}], owners, ALL_WEEK, samples=200,
                       history=[{"estimate_hours": 2, "actual_hours": 2 * factor}])
    milestone = _planned(request).milestones[0]
    hours = 16 * factor
    assert milestone.p50 == MONDAY + timedelta(days=math.ceil(hours / 8) - 1)


def test_both_clock_kinds_map_working_time_alike() -> None:
    from api_schemas.request import Calendar, Owner
    from solver.calendars.working_time import OwnerCalendar, TeamCalendar
    from solver.forecast.timeline import DayClock, TableClock

    team = TeamCalendar(Calendar(holidays=[date(2025, 11, 27)]))
    calendar = OwnerCalendar(Owner(id="a", hours_per_day=6.5, days_off=[date(2025, 12, 3)]), team)
    flags = np.array([calendar.is_working(MONDAY + timedelta(days=d)) for d in range(30)])
    table = TableClock(calendar.units_per_day, calendar.window_start_units, flags)
    days = DayClock(calendar.units_per_day, calendar.window_start_units, flags)
    rng = np.random.default_rng(3)
    instants = np.concatenate([rng.uniform(0, 96 * 28, 5000), np.arange(0, 96 * 28, 1.0)])
    assert np.allclose(table.first_unit(instants), days.first_unit(instants), rtol=0, atol=1e-9)
    ends = np.concatenate([rng.uniform(0.01, 26 * 20, 5000), np.arange(1, 26 * 20, 1.0)])
    for got, expected in zip(table.end_of(ends), days.end_of(ends), strict=True):
        assert np.allclose(got, expected, rtol=0, atol=1e-9)
    with pytest.raises(IndexError):
        days.first_unit(np.array([96.0 * 31]))


def test_a_spread_too_wide_for_the_horizon_is_a_note_not_an_error() -> None:
    from solver.forecast import simulation

    owners = [{"id": "ann", "hours_per_day": 0.25}]
    issues = [{"id": "x", "estimate_hours": 100, "estimate_low_hours": 100, "estimate_high_hours": 10000,
               "milestone": "M"}]
    request = _request(issues, [{"id": "M", "due": "2026-12-30"}], owners, samples=100)
    result = plan(request, with_recommendations=False)
    assert result.forecast is not None and result.forecast.milestones == []
    assert f"past {simulation.MAX_HORIZON_DAYS:,} days" in result.forecast.notes[0]
    assert result.milestones[0].p_on_time is None


def test_a_plan_in_pieces_is_followed_piece_by_piece() -> None:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    data["options"].update(time_limit_s=3, splittable=True,
                           forecast={"samples": 300, "default_range": {"low": 1, "high": 1}})
    request = PlanRequest.model_validate(data)
    result = _planned(request)
    split = [issue for issue in result.issues if len(issue.pieces) > 1]
    assert split, "the reference backlog is planned with a pause when splitting is allowed"
    _assert_forecast_is_the_plan(result)  # every piece where the plan puts it, every date the plan's
    spread = with_forecast(request, result, ForecastOptions(samples=2000))
    assert all(0 <= (issue.criticality or 0) <= 1 for issue in spread.issues)
    assert all(issue.criticality is not None for issue in split if issue.milestone)
