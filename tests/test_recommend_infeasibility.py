"""Infeasible requests: a smallest set of conflicting constraints, each needed (dropping it gives a plan)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from api_schemas import PlanRequest, SolveStatus
from api_schemas.recommendations import ConflictKind
from solver.planner import plan
from tests.test_recommend_support import make_request, replan

#: How a planner drops each kind of constraint from an issue.
RELAX: dict[ConflictKind, Callable[[dict[str, Any]], None]] = {
    ConflictKind.PINNED_START: lambda issue: issue.update(pinned_start=None),
    ConflictKind.PINNED_OWNER: lambda issue: issue.update(pinned_owner=None),
    ConflictKind.HARD_DEADLINE: lambda issue: issue.update(hard_deadline=False),
    ConflictKind.NOT_BEFORE: lambda issue: issue.update(not_before=None),
    ConflictKind.SKILLS: lambda issue: issue.update(skills=[]),
}

CASES: dict[str, tuple[PlanRequest, set[tuple[ConflictKind, str]]]] = {
    # Saturday 2025-11-29 is not one of ann's working days.
    "pin on a day off": (
        make_request([{"id": "#841", "estimate_hours": 4, "pinned_start": "2025-11-29"},
                      {"id": "x", "estimate_hours": 2, "deadline": "2025-11-24", "hard_deadline": True}]),
        {(ConflictKind.PINNED_START, "#841")},
    ),
    # May not start before Wednesday, must finish by Tuesday.
    "not before after the deadline": (
        make_request([{"id": "a", "estimate_hours": 1, "not_before": "2025-11-26", "deadline": "2025-11-25",
                       "hard_deadline": True}]),
        {(ConflictKind.NOT_BEFORE, "a"), (ConflictKind.HARD_DEADLINE, "a")},
    ),
    # Only bob has 'infra' and he is off Monday and Tuesday; the work is due Tuesday. ann is free.
    "skill held by an absent owner": (
        make_request(
            [{"id": "a", "estimate_hours": 2, "skills": ["infra"], "deadline": "2025-11-25", "hard_deadline": True}],
            owners=[{"id": "ann"}, {"id": "bob", "skills": ["infra"], "days_off": ["2025-11-24", "2025-11-25"]}],
        ),
        {(ConflictKind.SKILLS, "a"), (ConflictKind.HARD_DEADLINE, "a")},
    ),
    # p and q, 6 h each, both pinned to ann and both due Monday: she has 8 h. Without either owner pin bob
    # takes one; without either deadline one waits for Tuesday. All four are needed for the conflict.
    "two issues pinned to one owner on one day": (
        make_request([
            {"id": issue, "estimate_hours": 6, "pinned_owner": "ann", "deadline": "2025-11-24", "hard_deadline": True}
            for issue in ("p", "q")
        ], owners=[{"id": "ann"}, {"id": "bob"}]),
        {(ConflictKind.PINNED_OWNER, "p"), (ConflictKind.PINNED_OWNER, "q"), (ConflictKind.HARD_DEADLINE, "p"),
         (ConflictKind.HARD_DEADLINE, "q")},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_conflict_is_named_and_each_part_of_it_is_needed(name: str) -> None:
    request, expected = CASES[name]
    result = plan(request)
    assert result.status == SolveStatus.INFEASIBLE
    assert result.recommendations is not None
    infeasibility = result.recommendations.infeasibility
    assert infeasibility is not None and infeasibility.smallest
    found = {(conflict.kind, conflict.ids[0]) for conflict in infeasibility.conflicts}
    assert found == expected
    assert result.infeasibility == [conflict.message for conflict in infeasibility.conflicts]
    for kind, issue_id in found:
        data = request.model_dump()
        RELAX[kind](next(issue for issue in data["issues"] if issue["id"] == issue_id))
        relaxed = replan(PlanRequest.model_validate(data))
        assert relaxed.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), (kind, issue_id)


def test_a_pin_on_a_day_off_says_who_does_not_work_then() -> None:
    request, _ = CASES["pin on a day off"]
    result = plan(request)
    assert result.infeasibility == ["#841 is pinned to start 2025-11-29, a Saturday, which ann does not work"]


def test_a_deadline_the_lagged_chain_cannot_meet_names_the_chain() -> None:
    # a ends Monday 11:00 at the earliest; a lag of 2 lets b start Wednesday 11:00, after its Tuesday deadline.
    request = make_request([
        {"id": "a", "estimate_hours": 2},
        {"id": "b", "estimate_hours": 2, "deadline": "2025-11-25", "hard_deadline": True,
         "depends_on": [{"issue": "a", "lag_days": 2}]},
    ])
    result = plan(request)
    assert result.infeasibility == [
        "b must finish by 2025-11-25 (Tuesday, hard deadline), which its chain a -> b cannot meet before 2025-11-26"
    ]
