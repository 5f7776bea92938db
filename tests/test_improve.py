"""Squeaky-wheel rounds: never worse than their start, checker-clean, repeatable, and they fix what greedy misses."""

from __future__ import annotations

from hypothesis import given, settings

from api_schemas import PlanRequest, SolveStatus
from benchmarks.evaluation import checked_result, level_names
from solver.bounds.schedule_levels import level_values
from solver.budget.constants import MAX_ROUNDS
from solver.prepared.problem import prepare
from solver.starts.greedy import greedy_schedule, meets_hard_deadlines
from solver.starts.squeaky_wheel import lateness_floors, squeaky_wheel
from tests.strategies import medium_requests


def test_an_urgent_lower_priority_issue_moves_ahead_of_a_relaxed_higher_one() -> None:
    # One owner. The P1 issue is due in two weeks, the P2 issue tomorrow: the greedy does the P1 first and the
    # P2 ends a day late, although doing the P2 first keeps both on time.
    request = PlanRequest.model_validate(
        {
            "start_date": "2025-11-24",
            "owners": [{"id": "ann"}],
            "issues": [
                {"id": "relaxed", "estimate_hours": 8, "priority": "P1", "deadline": "2025-12-05"},
                {"id": "urgent", "estimate_hours": 8, "priority": "P2", "deadline": "2025-11-24"},
            ],
        }
    )
    problem = prepare(request)
    start = greedy_schedule(problem)
    assert start is not None
    assert level_values(problem, start)[:2] == [0, 1]
    improved = squeaky_wheel(problem, start, MAX_ROUNDS)
    assert improved.schedule is not None
    assert level_values(problem, improved.schedule)[:2] == [0, 0] == lateness_floors(problem)
    assert improved.rounds >= 1 and not improved.cut_short
    _, violations = checked_result(problem, improved.schedule, SolveStatus.FEASIBLE, level_names(problem))
    assert violations == []


def test_rounds_find_a_start_that_meets_a_hard_deadline_the_greedy_misses() -> None:
    # One owner: the greedy does the P1 issue on Monday and misses the P2 issue's hard Monday deadline.
    request = PlanRequest.model_validate(
        {
            "start_date": "2025-11-24",
            "owners": [{"id": "ann"}],
            "issues": [
                {"id": "p1", "estimate_hours": 8, "priority": "P1"},
                {"id": "p2", "estimate_hours": 8, "priority": "P2", "deadline": "2025-11-24", "hard_deadline": True},
            ],
        }
    )
    problem = prepare(request)
    start = greedy_schedule(problem)
    assert start is not None and not meets_hard_deadlines(problem, start)
    improved = squeaky_wheel(problem, start, MAX_ROUNDS)
    assert improved.schedule is not None and meets_hard_deadlines(problem, improved.schedule)
    _, violations = checked_result(problem, improved.schedule, SolveStatus.FEASIBLE, level_names(problem))
    assert violations == []


@settings(max_examples=40, deadline=None, derandomize=True)
@given(medium_requests())
def test_rounds_never_lose_to_their_start_and_repeat(request: PlanRequest) -> None:
    problem = prepare(request)
    start = greedy_schedule(problem)
    if start is None:
        return
    first = squeaky_wheel(problem, start, 30, seed=3)
    assert squeaky_wheel(problem, start, 30, seed=3).schedule == first.schedule
    if first.schedule is None:
        assert not meets_hard_deadlines(problem, start)
        return
    if meets_hard_deadlines(problem, start):
        assert level_values(problem, first.schedule) <= level_values(problem, start)
    assert level_values(problem, first.schedule)[: len(lateness_floors(problem))] >= lateness_floors(problem)
    assert meets_hard_deadlines(problem, first.schedule)
    _, violations = checked_result(problem, first.schedule, SolveStatus.FEASIBLE, level_names(problem))
    assert violations == []
