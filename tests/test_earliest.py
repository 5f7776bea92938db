"""Earliest-finish bounds never exceed what a valid schedule reaches (they bound the model's finish variables)."""

from __future__ import annotations

from hypothesis import given, settings

from api_schemas import PlanRequest
from solver.earliest import earliest_finishes
from solver.greedy import greedy_schedule
from solver.problem import prepare
from solver.schedule import global_span
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
