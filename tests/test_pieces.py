"""Interruptible work (docs/model.md, "Interruptible work"): hand-worked cases, the oracle with pieces, the checker.

The solver must agree with the exhaustive oracle with splitting on and off, split only where a split buys
something, and every rule of pieces must be one the independent checker rejects when broken.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings

from api_schemas import PlanForm, PlanRequest, PlanResult, SolveStatus
from checker.schedule_checker import check_schedule
from service.report.formats import week_plan_markdown
from solver.intake.validation import check_request
from solver.planner import plan
from tests.oracle import reported_objective, solve_exhaustively
from tests.strategies import tiny_split_requests

MONDAY = "2025-11-17"


def ab_request(split: bool, **issue_a: Any) -> PlanRequest:
    """The issue's case: one 8 h owner; A is P2, 16 h, due Wednesday; B is P0, 4 h, not before and due Tuesday."""
    return PlanRequest.model_validate(
        {
            "start_date": MONDAY,
            "owners": [{"id": "dev", "hours_per_day": 8}],
            "issues": [
                {"id": "A", "priority": "P2", "estimate_hours": 16, "deadline": "2025-11-19", **issue_a},
                {
                    "id": "B",
                    "priority": "P0",
                    "estimate_hours": 4,
                    "not_before": "2025-11-18",
                    "deadline": "2025-11-18",
                },
            ],
            "options": {"time_limit_s": 3, "splittable": split},
        }
    )


def assert_matches_oracle(req: PlanRequest, result: PlanResult) -> None:
    """The solver proves the oracle's optimum (pieces counted last in the pieces form), and the checker agrees."""
    best = solve_exhaustively(req)
    if best is None:
        assert result.status == SolveStatus.INFEASIBLE, result.model_dump_json()
        return
    assert result.status == SolveStatus.OPTIMAL, result.model_dump_json()
    assert [stage.value for stage in result.objective] == reported_objective(req, best.objective, best.pieces)
    assert check_schedule(req, result) == []


def hours(plan_result: PlanResult, issue_id: str) -> list[tuple[datetime, datetime, float]]:
    """An issue's reported pieces as (start, finish, hours)."""
    issue = next(issue for issue in plan_result.issues if issue.id == issue_id)
    return [(piece.start, piece.finish, piece.hours) for piece in issue.pieces]


def test_pausing_a_for_b_puts_everything_on_time() -> None:
    # Unbroken: Monday stays empty (A cannot fit before B's Tuesday) and A ends Thursday 13:00, a day late.
    # In pieces: A Monday 09-17, B Tuesday 09-13, A again Tuesday 13:00 to Wednesday 13:00: nothing late, and
    # A's finish moves from Thursday 13:00 to Wednesday 13:00 (P2 finish 340 -> 244 team quarter hours).
    whole = plan(ab_request(False), with_recommendations=False)
    split = plan(ab_request(True), with_recommendations=False)
    assert whole.form is PlanForm.UNBROKEN and split.form is PlanForm.PIECES
    assert [issue.lateness_working_days for issue in whole.issues] == [1, 0]
    assert [issue.lateness_working_days for issue in split.issues] == [0, 0]
    assert hours(split, "A") == [
        (datetime(2025, 11, 17, 9), datetime(2025, 11, 17, 17), 8.0),
        (datetime(2025, 11, 18, 13), datetime(2025, 11, 19, 13), 8.0),
    ]
    assert [(s.name, s.value) for s in split.objective][-2:] == [
        ("P2 finish (team quarter hours)", 244),
        ("pieces (pieces)", 3),
    ]
    assert_matches_oracle(ab_request(False), whole)
    assert_matches_oracle(ab_request(True), split)


def test_no_split_where_it_buys_nothing() -> None:
    # Shortest first (B 09-13, A 13:00 to next day 13:00) is optimal for the finish sum, and no pause helps:
    # splitting is allowed, yet every issue comes in one piece.
    req = PlanRequest.model_validate(
        {
            "start_date": MONDAY,
            "owners": [{"id": "dev", "hours_per_day": 8}],
            "issues": [
                {"id": "A", "priority": "P1", "estimate_hours": 8},
                {"id": "B", "priority": "P1", "estimate_hours": 4},
                {"id": "C", "priority": "P2", "estimate_hours": 6, "deadline": "2025-11-21", "splittable": False},
            ],
            "options": {"time_limit_s": 3, "splittable": True, "min_chunk_hours": 2, "max_pieces": 2},
        }
    )
    result = plan(req, with_recommendations=False)
    assert all(len(issue.pieces) == 1 for issue in result.issues)
    assert result.objective[-1].name == "pieces (pieces)" and result.objective[-1].value == 3
    assert_matches_oracle(req, result)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(tiny_split_requests())
@example(ab_request(True, min_chunk_hours=4, max_pieces=2))
def test_solver_matches_exhaustive_search_with_pieces(req: PlanRequest) -> None:
    assert_matches_oracle(req, plan(req, with_recommendations=False))


def with_twin_owners(req: PlanRequest) -> PlanRequest:
    """The request with a second owner identical to the first (and none pinned): owners the model may order."""
    first = req.owners[0]
    owners = [first, first.model_copy(update={"id": f"{first.id}-twin"})]
    issues = [issue.model_copy(update={"pinned_owner": None}) for issue in req.issues]
    return req.model_copy(update={"owners": owners, "issues": issues})


@settings(max_examples=25, deadline=None, derandomize=True)
@given(tiny_split_requests())
def test_interchangeable_owners_in_pieces_match_exhaustive_search(req: PlanRequest) -> None:
    # In pieces owners are not pooled; the model hands out identical owners in the order of their first issue.
    assert_matches_oracle(with_twin_owners(req), plan(with_twin_owners(req), with_recommendations=False))


# --- the checker's rejections --------------------------------------------------------------------------------


def split_plan() -> tuple[PlanRequest, PlanResult]:
    """The A/B case in pieces, checked clean."""
    req = ab_request(True)
    result = plan(req, with_recommendations=False)
    assert check_schedule(req, result) == []
    return req, result


def rules_broken(req: PlanRequest, result: PlanResult) -> set[str]:
    return {violation.rule for violation in check_schedule(req, result)}


def test_checker_rejects_a_piece_on_another_owner() -> None:
    req, result = split_plan()
    issue = result.issues[0]
    issue.pieces[1] = issue.pieces[1].model_copy(update={"owner": "other"})
    assert rules_broken(req, result) == {"pieces"}


def test_checker_rejects_a_piece_shorter_than_the_minimum() -> None:
    req, result = split_plan()
    assert rules_broken(ab_request(True, min_chunk_hours=9), result) == {"pieces"}
    assert req.options.min_chunk_hours == 2


def test_checker_rejects_more_pieces_than_allowed() -> None:
    _, result = split_plan()
    assert rules_broken(ab_request(True, max_pieces=1), result) == {"pieces"}


def test_checker_rejects_pieces_of_an_issue_that_is_not_splittable() -> None:
    _, result = split_plan()
    assert rules_broken(ab_request(True, splittable=False), result) == {"pieces"}
    # ...and an 'unbroken' form that has a split in it.
    req, result = split_plan()
    assert "pieces" in rules_broken(req, result.model_copy(update={"form": PlanForm.UNBROKEN}))


def test_checker_rejects_work_before_not_before() -> None:
    # A's first piece is on Monday; from Tuesday on, that is work before its not-before date.
    _, result = split_plan()
    assert rules_broken(ab_request(True, not_before="2025-11-18"), result) == {"not_before"}


def test_checker_rejects_a_successor_starting_before_the_last_piece_ends() -> None:
    # B starts Tuesday 09:00, before A's last piece ends on Wednesday 13:00.
    req, result = split_plan()
    data = req.model_dump(mode="json")
    data["issues"][1]["depends_on"] = [{"issue": "A"}]
    assert rules_broken(PlanRequest.model_validate(data), result) == {"dependency"}


def test_checker_rejects_reported_pieces_the_slots_do_not_give() -> None:
    req, result = split_plan()
    issue = result.issues[0]
    issue.pieces[1] = issue.pieces[1].model_copy(update={"hours": 7.0})
    assert rules_broken(req, result) == {"reported_value"}


def test_reference_week_plan_in_pieces_leaves_the_lead_no_idle_hour() -> None:
    # Unbroken, the lead waits on Tuesday 09:00-11:00 (#841 waits for its approval and #970 may not start and
    # pause), and the week plan says so; in pieces #970 starts, pauses for #841 and resumes: every working day
    # before the lead's last one is full, P1 work is less late, and the week plan shows the parts.
    data = json.loads((Path(__file__).parent.parent / "examples" / "reference_backlog.json").read_text())
    data.setdefault("options", {}).update({"splittable": True, "time_limit_s": 30})
    req = PlanRequest.model_validate(data)
    result = plan(req, with_recommendations=False)
    assert result.status == SolveStatus.OPTIMAL and result.form is PlanForm.PIECES
    lead = next(owner for owner in result.owners if owner.id == req.owners[0].id)
    last = max(slot.date for issue in result.issues if issue.owner == lead.id for slot in issue.slots)
    assert [day.date for day in lead.days if day.date < last and day.hours < day.capacity] == []
    split_text = week_plan_markdown(req, result)
    assert "(part 1 of 2)" in split_text and "(part 2 of 2)" in split_text and "Idle working time" not in split_text

    whole_req = req.model_copy(update={"options": req.options.model_copy(update={"splittable": False})})
    whole = plan(whole_req, with_recommendations=False)
    assert [s.value for s in result.objective][:4] < [s.value for s in whole.objective][:4]
    whole_text = week_plan_markdown(whole_req, whole)
    line = next(line for line in whole_text.splitlines() if line.startswith("- Miyabi Project Lead is free"))
    assert "Tue 2025-11-25 09:00-11:00 (2 h)" in line and "#970 could start" in line and "splittable" in line


def test_piece_limits_out_of_range_are_named_problems() -> None:
    data = ab_request(True).model_dump(mode="json")
    data["options"].update({"max_pieces": 0, "min_chunk_hours": 0.1})
    data["issues"][0]["max_pieces"] = 99
    request, problems = check_request(data)
    assert request is None
    where = {tuple(problem.loc) for problem in problems}
    assert {("options", "max_pieces"), ("options", "min_chunk_hours"), ("issues", 0, "max_pieces")} <= where, where
    assert all(problem.message for problem in problems)


def test_a_large_backlog_in_pieces_with_a_passed_deadline_is_infeasible_with_its_fix() -> None:
    """Above 50 issues with splitting on, a conflict no split removes is INFEASIBLE with its fix, not UNKNOWN.

    The unbroken twin's infeasibility proves nothing of the pieces, so the model in pieces is asked (as up to 50
    issues): a hard deadline before the plan starts fails there at once.
    """
    issues: list[dict[str, Any]] = [{"id": f"#{n}", "estimate_hours": 4} for n in range(55)]
    issues[3].update(deadline="2025-11-14", hard_deadline=True)
    req = PlanRequest.model_validate(
        {
            "start_date": MONDAY,
            "owners": [{"id": "a"}, {"id": "b"}],
            "issues": issues,
            "options": {"time_limit_s": 3, "splittable": True},
        }
    )
    result = plan(req)
    assert result.status == SolveStatus.INFEASIBLE, result.status
    assert result.recommendations is not None and result.recommendations.infeasibility is not None
    found = result.recommendations.infeasibility
    assert [[(c.kind.value, c.ids[0]) for c in found_set.conflicts] for found_set in found.sets] == [
        [("hard_deadline", "#3")]
    ]
    assert found.complete and found.smallest
