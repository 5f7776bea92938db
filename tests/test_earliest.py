"""Earliest-finish bounds never exceed what a valid schedule reaches (they bound the model's finish variables)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings

from api_schemas import PlanRequest
from solver.bounds.earliest_finish import earliest_finishes
from solver.prepared.problem import prepare
from solver.prepared.schedule import global_span
from solver.starts.greedy import greedy_schedule
from tests.oracle import OracleCalendar, all_schedules, issue_values, planned_issues
from tests.strategies import medium_requests, tiny_requests


def _assert_bounds_hold(request: PlanRequest) -> None:
    problem = prepare(request)
    schedule = greedy_schedule(problem)
    if schedule is None:
        return
    for task, earliest in zip(problem.tasks, earliest_finishes(problem), strict=True):
        _, end, end_day = global_span(problem, task, schedule[task.index])
        assert problem.team_time(end) >= earliest.team_time, task.issue.id
        table = problem.lateness_table(task)
        assert (table[end_day] if table is not None else 0) >= earliest.lateness, task.issue.id


@settings(max_examples=60, deadline=None, derandomize=True)
@given(medium_requests())
def test_greedy_plans_respect_the_earliest_finishes(request: PlanRequest) -> None:
    _assert_bounds_hold(request)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(tiny_requests())
def test_tiny_greedy_plans_respect_the_earliest_finishes(request: PlanRequest) -> None:
    _assert_bounds_hold(request)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(tiny_requests())
def test_no_schedule_of_the_oracle_beats_the_earliest_finishes(request: PlanRequest) -> None:
    """Every schedule the exhaustive oracle enumerates, late finishes of lag predecessors included."""
    problem = prepare(request)
    bounds = dict(zip((task.issue.id for task in problem.tasks), earliest_finishes(problem), strict=True))
    issues = {issue.id: issue for issue in planned_issues(request)}
    calendar = OracleCalendar(request)
    for schedule in itertools.islice(all_schedules(request, calendar), 5000):
        for issue_id, stretch in schedule.items():
            lateness, team_time = issue_values(request, calendar, issues[issue_id], stretch)
            assert lateness >= bounds[issue_id].lateness, issue_id
            assert team_time >= bounds[issue_id].team_time, issue_id


def test_a_lag_after_a_later_finish_counts_from_the_owners_window() -> None:
    # From a Friday: a (8 h) by a 09:00-17:00 owner who also works Saturdays, then b (1 h, lag 1). Ending a on
    # Saturday releases b on Monday, but not before 09:15 (the earliest a Saturday finish can be): b ends at
    # Monday 10:15 at the earliest, team time 96 + 41 (the oracle's optimum for this request is the same).
    request = PlanRequest.model_validate(
        {
            "start_date": "2025-11-28",
            "owners": [{"id": "ann", "working_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat"]}],
            "issues": [
                {"id": "a", "estimate_hours": 8, "priority": "P0"},
                {"id": "b", "estimate_hours": 1, "priority": "P0", "depends_on": [{"issue": "a", "lag_days": 1}]},
            ],
        }
    )
    assert earliest_finishes(prepare(request))[1].team_time == 96 + 41
