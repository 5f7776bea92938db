"""The search in pieces' first stage (docs/model.md, "Search"): only the start's split issues split, then all.

The stage's model is restricted (its proofs hold for its own plans only), so the plan it gives must still be searched
on from the full model in pieces: the solver keeps agreeing with the exhaustive oracle, including where the
optimum pauses an issue the start did not.
"""

from __future__ import annotations

from dataclasses import replace
from unittest.mock import patch

from hypothesis import example, given, settings

from api_schemas import PlanRequest, SolveStatus
from checker.schedule_checker import check_schedule
from solver.planner import plan, prepare_searched
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule
from solver.search.pieces import in_pieces, split_as_started
from tests.strategies import tiny_split_requests
from tests.test_pieces import ab_request, assert_matches_oracle


def with_filler(req: PlanRequest) -> PlanRequest:
    """The A/B case with a third splittable issue C (P3, 8 h, not before Thursday) that the filled start keeps whole."""
    data = req.model_dump(mode="json")
    filler = {"id": "C", "priority": "P3", "estimate_hours": 8, "not_before": "2025-11-20", "splittable": True}
    data["issues"].append(filler)
    return PlanRequest.model_validate(data)


def filled_start(req: PlanRequest) -> tuple[PreparedProblem, Schedule]:
    """The problem in pieces and the unbroken greedy start moved onto it and filled, as the search in pieces gets it."""
    twin, start, in_pieces_problem = prepare_searched(req)
    assert start is not None and in_pieces_problem is not None
    problem = in_pieces_problem()
    return problem, in_pieces(problem, twin, start)


def test_only_the_issues_the_start_splits_stay_splittable() -> None:
    req = with_filler(ab_request(True, min_chunk_hours=4, max_pieces=2))
    problem, start = filled_start(req)
    split = {index for index, placement in start.items() if len(placement.runs) > 1}
    assert [problem.tasks[index].issue.id for index in split] == ["A"]
    staged = split_as_started(problem, start)
    assert staged is not None and staged.restricted
    assert {task.issue.id for task in staged.tasks if task.pieces.splits} == {"A"}
    assert {task.issue.id for task in problem.tasks if task.pieces.splits} == {"A", "B", "C"}


def test_no_first_stage_when_the_start_splits_nothing() -> None:
    req = ab_request(True, not_before="2025-11-18")  # A cannot start before B: nothing to fill
    problem, start = filled_start(req)
    assert split_as_started(problem, start) is None


def test_the_plan_after_the_first_stage_is_proven_over_every_plan_in_pieces() -> None:
    # C (Thursday on) is planned Thursday 09-17 whatever A and B do; A and B as in the A/B case, all on time.
    req = with_filler(ab_request(True, min_chunk_hours=4, max_pieces=2))
    result = plan(req, with_recommendations=False)
    assert result.status == SolveStatus.OPTIMAL and check_schedule(req, result) == []
    assert [issue.lateness_working_days for issue in result.issues] == [0, 0, 0]
    assert [len(issue.pieces) for issue in result.issues] == [2, 1, 1]
    assert [(s.name, s.value) for s in result.objective][-3:] == [
        ("P2 finish (team quarter hours)", 244),
        ("P3 finish (team quarter hours)", 3 * 96 + 68),
        ("pieces (pieces)", 4),
    ]


def unsplit_first(problem: PreparedProblem, start: Schedule) -> PreparedProblem | None:
    """A first stage that lets no issue split: its optimum is the unbroken one, often worse than in pieces."""
    del start
    if not any(task.pieces.splits for task in problem.tasks):
        return None
    tasks = [replace(task, pieces=replace(task.pieces, most=1)) for task in problem.tasks]
    return replace(problem, tasks=tasks, restricted=True)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(tiny_split_requests())
@example(ab_request(True, min_chunk_hours=4, max_pieces=2))
def test_a_first_stage_proves_nothing_of_the_plan_in_pieces(req: PlanRequest) -> None:
    # Whatever the first stage's model allows, its levels are not the plan's: with a stage that splits nothing the
    # solver still proves the oracle's optimum over every plan in pieces (the A/B case pauses A only then).
    with patch("solver.planner.split_as_started", unsplit_first):
        assert_matches_oracle(req, plan(req, with_recommendations=False))


@settings(max_examples=20, deadline=None, derandomize=True)
@given(tiny_split_requests())
def test_solver_with_a_third_splittable_issue_matches_exhaustive_search(req: PlanRequest) -> None:
    if len(req.issues) > 2:
        return  # the oracle's cost grows fast with issues: three at most
    req = with_filler(req)
    assert_matches_oracle(req, plan(req, with_recommendations=False))
