"""Overdue milestones: flagged with their earliest possible finish, and the chain that sets it."""

from __future__ import annotations

from datetime import date

from api_schemas import PlanRequest
from api_schemas.recommendations import ReasonKind, TargetStatus
from solver.planner import plan
from tests.test_recommend_support import make_request, meets, target, without

WEDNESDAY, THURSDAY = date(2025, 11, 26), date(2025, 11, 27)


def overdue_request() -> PlanRequest:
    # 'old' was due Fri 21, before the Monday start: a (4 h), then b (4 h) two working days after a ends.
    # z (P0, 8 h, due Monday) takes Monday, so the plan does a Tue 09-13 and b Thu 13-17. Going first, a
    # would end Mon 13:00 and b Wed 17:00: the earliest possible finish is Wed 26.
    return make_request(
        [
            {"id": "z", "estimate_hours": 8, "priority": "P0", "deadline": "2025-11-24"},
            {"id": "a", "estimate_hours": 4, "priority": "P2", "milestone": "old"},
            {"id": "b", "estimate_hours": 4, "priority": "P2", "milestone": "old",
             "depends_on": [{"issue": "a", "lag_days": 2}]},
        ],
        milestones=[{"id": "old", "due": "2025-11-21"}],
    )


def test_overdue_milestone_has_its_earliest_possible_finish() -> None:
    request = overdue_request()
    recommendation = target(plan(request), "milestone:old")
    assert recommendation.status == TargetStatus.OVERDUE
    overdue = recommendation.overdue
    assert overdue is not None
    assert (overdue.calendar_days_overdue, overdue.working_days_overdue) == (3, 0)
    assert (overdue.earliest_finish, overdue.planned_finish) == (WEDNESDAY, THURSDAY)
    assert overdue.earliest_finish_proven
    assert recommendation.summary.endswith("earliest possible finish 2025-11-26, planned 2025-11-27")
    # Without z in the way the plan reaches the earliest finish, and not earlier.
    assert meets(without(request, ["z"]), "milestone", "old", WEDNESDAY)
    assert not meets(without(request, ["z"]), "milestone", "old", date(2025, 11, 25))


def test_overdue_milestone_names_its_chain_and_lag() -> None:
    recommendation = target(plan(overdue_request()), "milestone:old")
    kinds = {reason.kind: reason for reason in recommendation.why}
    assert kinds[ReasonKind.CHAIN].ids == ["a", "b"]
    assert kinds[ReasonKind.LAG].message == "b waits 2 working days after a finishes"
    assert ReasonKind.CAPACITY not in kinds  # nothing can be available before a date already past
