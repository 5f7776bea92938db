"""Piece filling (`solver.starts.piece_fill`): how pieces reach backlogs the full model does not search.

A filled plan must pass the independent checker and be lexicographically no worse than the plan it fills, on any
request; it must find the pause that pays on the issue's A/B case by itself; and a backlog above 50 issues with
splitting on must come back in pieces, split where that pays.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from api_schemas import PlanForm, PlanRequest, SolveStatus
from checker.schedule_checker import check_schedule
from solver.bounds.schedule_levels import level_values
from solver.planner import plan, prepare_searched, prepare_with_start
from solver.prepared.schedule import global_span, on_owners
from solver.result import build_result
from solver.search.lexicographic import SearchOutcome
from solver.search.pieces import in_pieces, static_levels
from solver.starts.greedy import meets_hard_deadlines
from tests.strategies import medium_requests, tiny_split_requests
from tests.test_pieces import MONDAY, ab_request


def checked_fill(req: PlanRequest) -> tuple[list[int], list[int]] | None:
    """The greedy start's level values before and after filling (in pieces), no issue later, the plan checked clean."""
    twin, start, in_pieces_problem = prepare_searched(req)
    if start is None or not meets_hard_deadlines(twin, start):
        return None  # no plan to fill (the start's rounds repair a missed hard deadline first)
    problem = in_pieces_problem() if in_pieces_problem is not None else twin
    before = on_owners(twin, problem, start)
    after = in_pieces(problem, twin, start)
    for task in problem.tasks:  # every issue ends no later (lag releases included: docs/model.md, "Search")
        assert global_span(problem, task, after[task.index])[1] <= global_span(problem, task, before[task.index])[1]
    result = build_result(problem, SearchOutcome(SolveStatus.FEASIBLE, after, static_levels(problem, after), 0.0))
    assert check_schedule(req, result) == [], result.model_dump_json()
    return level_values(problem, before), level_values(problem, after)


def splitting_on(req: PlanRequest, min_chunk_hours: float, max_pieces: int) -> PlanRequest:
    """The request with every issue splittable by default."""
    options = {"splittable": True, "min_chunk_hours": min_chunk_hours, "max_pieces": max_pieces}
    return req.model_copy(update={"options": req.options.model_copy(update=options)})


@settings(max_examples=15, deadline=None, derandomize=True)
@given(medium_requests(), st.sampled_from([1.0, 2.0, 3.5]), st.integers(2, 4))
def test_a_filled_plan_is_valid_and_never_worse(req: PlanRequest, chunk: float, most: int) -> None:
    values = checked_fill(splitting_on(req, chunk, most))
    if values is not None:
        before, after = values
        assert after <= before


@settings(max_examples=30, deadline=None, derandomize=True)
@given(tiny_split_requests())
def test_a_filled_tiny_plan_is_valid_and_never_worse(req: PlanRequest) -> None:
    values = checked_fill(req)
    if values is not None:
        assert values[1] <= values[0]


def test_filling_finds_the_pause_of_the_ab_case() -> None:
    # The unbroken start leaves Monday empty (A cannot fit before B's Tuesday); filling puts A's first piece there.
    values = checked_fill(ab_request(True))
    assert values is not None
    before, after = values
    # Levels: P0 lateness, P2 lateness, P0 finish, P2 finish, pieces. A is on time in pieces, as the full model finds.
    assert before == [0, 1, 148, 340, 2]
    assert after == [0, 0, 148, 244, 3]


def ab_team(pairs: int, splittable: bool) -> PlanRequest:
    """`pairs` owners, each with the A/B case of its own: 2 x `pairs` issues."""
    owners: list[dict[str, Any]] = []
    issues: list[dict[str, Any]] = []
    for n in range(pairs):
        owners.append({"id": f"dev{n}", "hours_per_day": 8})
        issues.append({"id": f"A{n}", "priority": "P2", "estimate_hours": 16, "deadline": "2025-11-19",
                       "pinned_owner": f"dev{n}"})
        issues.append({"id": f"B{n}", "priority": "P0", "estimate_hours": 4, "not_before": "2025-11-18",
                       "deadline": "2025-11-18", "pinned_owner": f"dev{n}"})
    options = {"time_limit_s": 2, "splittable": splittable, "min_chunk_hours": 2, "max_pieces": 3}
    return PlanRequest.model_validate({"start_date": MONDAY, "owners": owners, "issues": issues, "options": options})


def test_a_backlog_above_fifty_issues_is_planned_in_pieces() -> None:
    # 60 issues: the neighbourhood search plans the unbroken twin, and filling pauses every A for its B.
    whole = plan(ab_team(30, False), with_recommendations=False)
    split = plan(ab_team(30, True), with_recommendations=False)
    assert whole.form is PlanForm.UNBROKEN and split.form is PlanForm.PIECES
    assert sum(issue.lateness_working_days or 0 for issue in whole.issues) == 30
    assert all(not issue.late for issue in split.issues)
    assert sorted(len(issue.pieces) for issue in split.issues) == [1] * 30 + [2] * 30
    assert split.objective[-1].name == "pieces (pieces)" and split.objective[-1].value == 90
    assert split.checked


def test_owners_only_unsplit_issues_can_have_stay_pooled() -> None:
    # The agents can do only unsplit issues (the splittable one needs "design"): they stay one pool of two, while
    # the designer, who may get the splittable issue, is an owner of their own.
    req = PlanRequest.model_validate(
        {
            "start_date": MONDAY,
            "owners": [
                {"id": "agent-a", "hours_per_day": 8, "skills": ["code"]},
                {"id": "agent-b", "hours_per_day": 8, "skills": ["code"]},
                {"id": "designer", "hours_per_day": 8, "skills": ["code", "design"]},
            ],
            "issues": [
                {"id": "A", "priority": "P2", "estimate_hours": 16, "skills": ["design"], "splittable": True},
                {"id": "B", "priority": "P0", "estimate_hours": 4, "skills": ["design"], "not_before": "2025-11-18"},
                *({"id": f"c{n}", "priority": "P1", "estimate_hours": 6, "skills": ["code"]} for n in range(4)),
            ],
            "options": {"time_limit_s": 2, "min_chunk_hours": 2},
        }
    )
    problem, _ = prepare_with_start(req)
    assert sorted(resource.owner_ids for resource in problem.resources) == [("agent-a", "agent-b"), ("designer",)]
    result = plan(req, with_recommendations=False)
    assert result.form is PlanForm.PIECES and result.checked
    assert [len(issue.pieces) for issue in result.issues if issue.id == "A"] == [2]  # paused for B, as in A/B
