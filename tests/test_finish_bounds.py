"""Finish-level bounds never exceed what a schedule reaches, and ordering interchangeable issues loses no optimum.

Both are checked against the exhaustive oracle on tiny random requests, among them requests with copied issues
(where the bounds are tight and the ordering constraints bite).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from api_schemas import PlanRequest, SolveStatus
from checker.schedule_checker import check_schedule
from solver.bounds.earliest_finish import earliest_finishes
from solver.bounds.finish_sums import finish_sums, group_bound
from solver.bounds.preemptive_finishes import PreemptiveBounds, capacity_segments, srpt_completions
from solver.bounds.schedule_levels import level_floors, problem_levels
from solver.levels import RANKS
from solver.model import build_model
from solver.planner import plan
from solver.prepared.problem import prepare
from solver.prepared.schedule import Placement
from solver.prepared.symmetry import canonical, identical_classes
from tests.oracle import (
    OracleCalendar,
    all_schedules,
    issue_values,
    piece_schedules,
    planned_issues,
    reported_objective,
    solve_exhaustively,
    splits_any,
)
from tests.strategies import TINY, Shape, plan_requests, tiny_requests, tiny_split_requests
from tests.test_oracle import assert_matches_oracle

MONDAY = "2025-11-24"
WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _request(owners: list[dict[str, Any]], issues: list[dict[str, Any]], time_limit_s: float = 5) -> PlanRequest:
    return PlanRequest.model_validate(
        {"start_date": MONDAY, "owners": owners, "issues": issues, "options": {"time_limit_s": time_limit_s}}
    )


def _ones(count: int, priority: str = "P1") -> list[dict[str, Any]]:
    return [{"id": f"#{n}", "estimate_hours": 1, "priority": priority} for n in range(count)]


@st.composite
def _with_copies(draw: st.DrawFn, shape: Shape) -> PlanRequest:
    """A tiny request with one or two issues copied (same fields, same successors), each copy at a random place."""
    request = draw(plan_requests(shape))
    issues = [issue.model_dump() for issue in request.issues]
    for copy in range(draw(st.integers(1, 2))):
        original = issues[draw(st.integers(0, len(issues) - 1))]
        twin = {**original, "id": f"{original['id']}c{copy}"}
        for issue in issues:
            issue["depends_on"] = [
                *issue["depends_on"],
                *({**dep, "issue": twin["id"]} for dep in issue["depends_on"] if dep["issue"] == original["id"]),
            ]
        issues.insert(draw(st.integers(0, len(issues))), twin)
    return PlanRequest.model_validate({**request.model_dump(), "issues": issues})


def tiny_requests_with_copies() -> st.SearchStrategy[PlanRequest]:
    """Requests of at most 5 issues, of which one or two are copies of another."""
    return _with_copies(Shape(**{**TINY.__dict__, "max_issues": 3}))


def _assert_no_schedule_beats_the_bounds(request: PlanRequest) -> None:
    """Every schedule the oracle enumerates has each rank's finish sum, and each prefix of ranks, above its bound."""
    problem = prepare(request)
    earliest = earliest_finishes(problem)
    bounds = finish_sums(problem, earliest)
    own, prefix = bounds.own, bounds.prefix
    issues = {issue.id: issue for issue in planned_issues(request)}
    rank_of = {task.issue.id: task.rank for task in problem.tasks}
    calendar = OracleCalendar(request)
    for schedule in itertools.islice(all_schedules(request, calendar), 20000):
        sums = [0] * RANKS
        for issue_id, stretch in schedule.items():
            sums[rank_of[issue_id]] += issue_values(request, calendar, issues[issue_id], stretch)[1]
        assert all(total >= bound for total, bound in zip(sums, own, strict=True)), (sums, own)
        assert all(sum(sums[: rank + 1]) >= prefix[rank] for rank in range(RANKS)), (sums, prefix)
    best = solve_exhaustively(request)
    if best is not None:
        values = reported_objective(request, best.objective)
        floors = level_floors(problem, earliest, values)
        assert all(floor <= value for floor, value in zip(floors, values, strict=True)), (floors, values)
        assert len(floors) == len(problem_levels(problem))


def _assert_no_schedule_beats_the_preemptive_order(request: PlanRequest) -> None:
    """In every schedule the oracle enumerates, the k-th smallest finish of each rank (and of all issues) is at least
    the k-th SRPT completion of the preemptive relaxation with release dates (solver.bounds.preemptive_finishes)."""
    problem = prepare(request)
    earliest = earliest_finishes(problem)
    latest = (problem.horizon_days + 1) * 96
    preemptive = PreemptiveBounds(problem, problem.team_time, latest)
    groups = [[t for t in problem.tasks if t.rank == rank] for rank in range(RANKS)] + [list(problem.tasks)]
    bounds = [preemptive.sorted_finishes(group, earliest) for group in groups if group]
    ids = [[task.issue.id for task in group] for group in groups if group]
    issues = {issue.id: issue for issue in planned_issues(request)}
    calendar = OracleCalendar(request)
    for schedule in itertools.islice(all_schedules(request, calendar), 20000):
        finish = {i: issue_values(request, calendar, issues[i], stretch)[1] for i, stretch in schedule.items()}
        for members, lowest in zip(ids, bounds, strict=True):
            finishes = sorted(finish[i] for i in members)
            assert all(f >= b for f, b in zip(finishes, lowest, strict=True)), (finishes, lowest)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(tiny_requests())
def test_no_schedule_of_the_oracle_beats_the_preemptive_order_statistics(request: PlanRequest) -> None:
    _assert_no_schedule_beats_the_preemptive_order(request)


def test_srpt_shares_a_machine_by_least_work_left() -> None:
    # Two owners from 0 to 4, one from 4 to 8: work 3 at 0, work 2 at 1, work 1 at 5.
    segments = [(0, 4, 2), (4, 8, 1)]
    # 0-1: the 3 runs at rate 2 (1 left); 1-1.5: the 2 and the 1 left share as least-first: 1 done at 1.5,
    # 2 done at 2.5; the last is released at 5, done at 6. Rounded up to quarter hours: 2, 3, 6.
    assert srpt_completions(segments, [(0, 3), (1, 2), (5, 1)]) == [2, 3, 6]
    # Work the segments cannot hold gets no completion.
    assert srpt_completions(segments, [(0, 20)]) == []


def test_capacity_segments_count_every_owner_of_a_pool() -> None:
    owners = [{"id": f"a{k}", "hours_per_day": 24, "working_weekdays": WEEK} for k in range(3)] + [{"id": "p"}]
    problem = prepare(_request(owners, _ones(2)))
    segments = capacity_segments(problem, range(len(problem.resources)))
    # Monday: three agents all day, the person from 09:00 to 17:00 as well.
    assert segments[:3] == [(0, 36, 3), (36, 68, 4), (68, 96 + 36, 3)]


# One 8 h owner: a 12 h issue from Monday, two 1 h issues not before Tuesday. SRPT on the relaxation finishes them
# Tuesday 10:00, 11:00 and 15:00 (136 + 140 + 156); the order statistics alone gave 428, the best plan (a unbroken
# from Monday 09:00, then b and c) reaches 148 + 152 + 156 = 456.
RELEASED_LATER = _request(
    [{"id": "o"}],
    [
        {"id": "a", "estimate_hours": 12, "priority": "P1"},
        {"id": "b", "estimate_hours": 1, "priority": "P1", "not_before": "2025-11-25"},
        {"id": "c", "estimate_hours": 1, "priority": "P1", "not_before": "2025-11-25"},
    ],
)


def test_release_dates_raise_the_finish_bound() -> None:
    problem = prepare(RELEASED_LATER)
    earliest = earliest_finishes(problem)
    assert finish_sums(problem, earliest).own[1] == 136 + 140 + 156
    best = solve_exhaustively(RELEASED_LATER)
    assert best is not None and reported_objective(RELEASED_LATER, best.objective)[-1] == 148 + 152 + 156
    _assert_no_schedule_beats_the_preemptive_order(RELEASED_LATER)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(tiny_requests())
def test_no_schedule_of_the_oracle_beats_the_finish_bounds(request: PlanRequest) -> None:
    _assert_no_schedule_beats_the_bounds(request)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(tiny_split_requests())
def test_no_schedule_in_pieces_of_the_oracle_beats_the_finish_bounds(request: PlanRequest) -> None:
    # The bounds the model in pieces gets (B_r, P_r, the static floors) must hold for plans in pieces too: of the
    # first i issues to finish, each owner still did all the work of its share before the last of them finished.
    problem = prepare(request)
    earliest = earliest_finishes(problem)
    bounds = finish_sums(problem, earliest)
    issues = {issue.id: issue for issue in planned_issues(request)}
    rank_of = {task.issue.id: task.rank for task in problem.tasks}
    calendar = OracleCalendar(request)
    for schedule, _ in itertools.islice(piece_schedules(request, calendar), 20000):
        sums = [0] * RANKS
        for issue_id, stretch in schedule.items():
            sums[rank_of[issue_id]] += issue_values(request, calendar, issues[issue_id], stretch)[1]
        assert all(total >= bound for total, bound in zip(sums, bounds.own, strict=True)), (sums, bounds.own)
        assert all(sum(sums[: rank + 1]) >= bounds.prefix[rank] for rank in range(RANKS)), (sums, bounds.prefix)
    best = solve_exhaustively(request)
    if best is not None:
        values = reported_objective(request, best.objective, best.pieces if splits_any(request) else None)
        floors = level_floors(problem, earliest, values)
        assert all(floor <= value for floor, value in zip(floors, values, strict=True)), (floors, values)


# Three 1 h issues on two 8 h owners: the order-statistic bound is the optimum (40 + 40 + 44 for P1).
TWO_OWNERS = _request([{"id": "a"}, {"id": "b", "skills": ["x"]}], _ones(3))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(tiny_requests_with_copies())
@example(TWO_OWNERS)
def test_no_schedule_of_the_oracle_beats_the_finish_bounds_with_copied_issues(request: PlanRequest) -> None:
    _assert_no_schedule_beats_the_bounds(request)


# A copy listed after the issue that waits for it with a lag: the serial bound counted the lag before the copy's
# work, so the horizon was two days short and the request was reported INFEASIBLE (the oracle plans it).
COPY_LISTED_LATER = PlanRequest.model_validate(
    {
        "start_date": "2025-11-17",
        "calendar": {"country": "JP"},
        "owners": [{"id": "o0", "hours_per_day": 2, "working_weekdays": ["tue", "wed", "thu"], "works_holidays": True}],
        "milestones": [{"id": "m0", "due": "2025-11-17"}],
        "issues": [
            {"id": "i0", "estimate_hours": 16, "priority": "P0", "milestone": "m0", "deadline": "2025-11-17"},
            {"id": "i1", "estimate_hours": 0.25, "priority": "P0", "milestone": "m0",
             "depends_on": [{"issue": "i0", "lag_days": 2}, {"issue": "i0c0", "lag_days": 2}]},
            {"id": "i0c0", "estimate_hours": 16, "priority": "P0", "milestone": "m0", "deadline": "2025-11-17"},
        ],
        "options": {"time_limit_s": 5, "seed": 0},
    }
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(tiny_requests_with_copies())
@example(COPY_LISTED_LATER)
def test_ordering_copied_issues_keeps_the_oracles_optimum(request: PlanRequest) -> None:
    assert_matches_oracle(request, plan(request, with_recommendations=False))


def test_the_bound_of_identical_works_is_the_optimum_and_of_unequal_ones_below_it() -> None:
    # Works 1 h on one 8 h owner from 09:00: finishes 10:00, 11:00, ... (40, 44, ...); then Tuesday 96 + 40, ...
    problem = prepare(_request([{"id": "o"}], _ones(12)))
    earliest = earliest_finishes(problem)
    assert group_bound(problem, problem.tasks, earliest) == sum(36 + 4 * k for k in range(1, 9)) + sum(
        96 + 36 + 4 * k for k in range(1, 5)
    )
    # Works 1, 1, 2 h on two owners: sorted finishes 1, 1, 3 or 1, 2, 2 (sum 5 h past 09:00); the bound is 1, 1, 2.
    unequal = [{"id": "a", "estimate_hours": 1}, {"id": "b", "estimate_hours": 1}, {"id": "c", "estimate_hours": 2}]
    problem = prepare(_request([{"id": "o"}, {"id": "p", "skills": ["x"]}], unequal))
    assert group_bound(problem, problem.tasks, earliest_finishes(problem)) == 3 * 36 + 4 * (1 + 1 + 2)


def test_more_important_work_raises_the_prefix_bound() -> None:
    # One owner, ten 1 h P0 issues and one 1 h P1 issue: P0 finishes sum to 10:00 + ... + 17:00 + Tue 10:00, 11:00.
    issues = [*_ones(10, "P0"), {"id": "late", "estimate_hours": 1, "priority": "P1"}]
    problem = prepare(_request([{"id": "o"}], issues))
    earliest = earliest_finishes(problem)
    p0 = sum(36 + 4 * k for k in range(1, 9)) + (96 + 40) + (96 + 44)
    sums = finish_sums(problem, earliest)
    assert sums.own[:2] == [p0, 40]
    assert sums.prefix[1] == p0 + 96 + 48
    assert level_floors(problem, earliest, [0, 0, p0, 0])[3] == 96 + 48


TEAMS: dict[str, list[dict[str, Any]]] = {
    "one owner": [{"id": "o"}],
    "three owners": [{"id": f"o{k}"} for k in range(3)],
    "three different people": [{"id": "o", "skills": ["x"]}, {"id": "p", "skills": ["y"]}, {"id": "q"}],
    "a pool of agents": [{"id": f"a{k}", "hours_per_day": 24, "working_weekdays": WEEK} for k in range(3)],
    "people of 8, 6 and 4 hours": [{"id": "a"}, {"id": "b", "hours_per_day": 6}, {"id": "c", "hours_per_day": 4}],
}


@pytest.mark.parametrize("name", list(TEAMS))
def test_twelve_identical_issues_per_owner_are_proven_optimal(name: str) -> None:
    owners = TEAMS[name]
    request = _request(owners, _ones(12 * len(owners)), time_limit_s=10)
    result = plan(request, with_recommendations=False)
    assert result.status == SolveStatus.OPTIMAL, [(stage.value, stage.bound) for stage in result.objective]
    assert all(stage.bound == stage.value for stage in result.objective)
    assert check_schedule(request, result) == []


@pytest.mark.parametrize(
    ("owners", "first", "copies"),
    [
        ([{"id": "o"}], [3, 2, 5], 12),
        ([{"id": "a"}, {"id": "b", "hours_per_day": 6}, {"id": "c", "hours_per_day": 4}], [3, 2, 5, 7], 24),
    ],
)
def test_identical_issues_behind_other_work_are_proven_optimal(
    owners: list[dict[str, Any]], first: list[float], copies: int
) -> None:
    # P1 work of different sizes goes first, so the P2 level's bound is loose; ordering the copies makes the search
    # prove it (without, neither plan was proven in 10 s).
    issues = [{"id": f"a{n}", "estimate_hours": hours, "priority": "P1"} for n, hours in enumerate(first)]
    request = _request(owners, [*issues, *_ones(copies, "P2")], time_limit_s=10)
    result = plan(request, with_recommendations=False)
    assert result.status == SolveStatus.OPTIMAL, [(stage.value, stage.bound) for stage in result.objective]
    assert check_schedule(request, result) == []


def test_copies_form_classes_and_an_issue_waited_for_differently_does_not() -> None:
    issues = [
        {"id": "a", "estimate_hours": 2},
        {"id": "b", "estimate_hours": 2},
        {"id": "c", "estimate_hours": 2},
        {"id": "d", "estimate_hours": 1, "depends_on": ["a", "b"]},
        {"id": "e", "estimate_hours": 1, "depends_on": ["a", "b"]},
    ]
    problem = prepare(_request([{"id": "o"}], issues))
    classes = identical_classes(problem)
    assert [each.tasks for each in classes] == [(0, 1), (3, 4)]
    assert [(each.clock, each.gap) for each in classes] == [(0, 8), (0, 4)]
    # Reversed starts are handed back in index order, so the hint meets the ordering constraints.
    schedule = {index: Placement(0, 0, start) for index, start in enumerate([8, 0, 16, 28, 24])}
    ordered = canonical(problem, classes, schedule)
    assert [ordered[index].start for index in range(5)] == [0, 8, 16, 24, 28]
    plan_model = build_model(problem, symmetry=True)
    plan_model.hint(schedule)
    assert plan_model.complete_hint(5.0) is not None
