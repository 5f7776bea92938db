"""Why a date is missed: skills held by too few owners, pins and not-before dates after the due date."""

from __future__ import annotations

from api_schemas.recommendations import ReasonKind
from solver.planner import plan
from tests.test_recommend_support import make_request, target


def test_a_skill_held_by_one_owner_binds_though_the_team_has_the_hours() -> None:
    # Only ann has 'backend'; 24 h of backend work is due Tuesday. The team has 32 h by then, ann 16 h.
    request = make_request(
        [{"id": f"s{n}", "estimate_hours": 8, "priority": "P1", "milestone": "m", "skills": ["backend"]}
         for n in range(3)],
        milestones=[{"id": "m", "due": "2025-11-25"}],
        owners=[{"id": "ann", "skills": ["backend"]}, {"id": "bob"}],
    )
    why = {reason.kind: reason for reason in target(plan(request), "milestone:m").why}
    assert ReasonKind.CAPACITY not in why
    skill = why[ReasonKind.SKILL]
    assert (skill.hours, skill.available_hours, skill.ratio) == (24, 16, 1.5)
    assert skill.message == ("24 h of work due by then needs 'backend', which 1 owner has (ann): "
                             "16 h available: 150%")


def test_pins_and_not_before_dates_after_the_due_date_are_named() -> None:
    request = make_request(
        [
            {"id": "p", "estimate_hours": 2, "milestone": "m", "pinned_start": "2025-11-27"},
            {"id": "n", "estimate_hours": 2, "milestone": "m", "not_before": "2025-11-28"},
        ],
        milestones=[{"id": "m", "due": "2025-11-25"}],
    )
    why = target(plan(request), "milestone:m").why
    messages = [reason.message for reason in why]
    assert "p is pinned to start 2025-11-27, after the due date" in messages
    assert "n may not start before 2025-11-28, after the due date" in messages
