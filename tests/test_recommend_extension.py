"""Extensions: applied by re-planning they meet the date, and one working day less does not."""

from __future__ import annotations

from datetime import date

import pytest

from api_schemas import PlanRequest, PlanResult
from api_schemas.recommendations import TargetKind, TargetStatus
from checker.schedule_checker import check_schedule
from solver.planner import plan
from solver.recommend.budget import Budget
from solver.recommend.extension import compute_extension
from solver.recommend.targets import find_targets
from tests.test_recommend_support import explained, make_request, meets, moved_deadline, moved_due, target

TUESDAY, WEDNESDAY, THURSDAY = date(2025, 11, 25), date(2025, 11, 26), date(2025, 11, 27)


def competing_request() -> PlanRequest:
    # ann, 8 h Mon-Fri from 09:00. 'urgent' (due Mon) holds z, P0 4 h; 'm' (due Tue) holds a, b (8 h) and
    # c (6 h), P1. z must stay on Monday, so the 26 h of work run from Mon 09:00: 8 h by Monday evening,
    # 16 h Tuesday, 24 h Wednesday, 26 h on Thursday. So m can finish Thu 27 at the earliest: +2 working
    # days, +2 calendar days; by Wednesday only 24 h < 26 h fit.
    return make_request(
        [
            {"id": "z", "estimate_hours": 4, "priority": "P0", "milestone": "urgent"},
            {"id": "a", "estimate_hours": 8, "priority": "P1", "milestone": "m"},
            {"id": "b", "estimate_hours": 8, "priority": "P1", "milestone": "m"},
            {"id": "c", "estimate_hours": 6, "priority": "P1", "milestone": "m"},
        ],
        milestones=[{"id": "urgent", "due": "2025-11-24"}, {"id": "m", "due": "2025-11-25"}],
    )


def test_extension_is_the_first_date_that_works_and_a_day_less_does_not() -> None:
    request = competing_request()
    result = plan(request)
    assert result.recommendations is not None
    assert [t.key for t in result.recommendations.targets] == ["milestone:m"]
    extension = target(result, "milestone:m").extension
    assert extension is not None
    assert (extension.new_date, extension.working_days, extension.calendar_days) == (THURSDAY, 2, 2)
    assert extension.proven_minimal and extension.verified
    assert meets(moved_due(request, "m", THURSDAY), "milestone", "m", THURSDAY)
    assert not meets(moved_due(request, "m", WEDNESDAY), "milestone", "m", WEDNESDAY)


def test_an_issue_deadline_gets_its_own_extension_but_no_scope_cut() -> None:
    # q (P0) and p (P1) are 8 h each, both due Monday on their own deadlines: q goes first, p finishes
    # Tuesday. Moving p's deadline to Tuesday meets it; Monday is the current date, which it misses.
    request = make_request([
        {"id": "q", "estimate_hours": 8, "priority": "P0", "deadline": "2025-11-24"},
        {"id": "p", "estimate_hours": 8, "priority": "P1", "deadline": "2025-11-24"},
    ])
    result = plan(request)
    recommendation = target(result, "issue:p")
    assert (recommendation.kind, recommendation.status) == (TargetKind.ISSUE, TargetStatus.LATE)
    assert recommendation.scope_cut is None
    extension = recommendation.extension
    assert extension is not None and extension.new_date == TUESDAY and extension.working_days == 1
    assert extension.proven_minimal and extension.verified
    assert meets(moved_deadline(request, "p", TUESDAY), "issue", "p", TUESDAY)
    assert not meets(request, "issue", "p", date(2025, 11, 24))


def test_several_slipping_milestones_say_how_their_extensions_interact() -> None:
    # Two milestones due Monday, 16 h each, one 8 h owner: whatever the order, both are late.
    issues = [
        {"id": f"{m}{n}", "estimate_hours": 8, "priority": "P1", "milestone": m} for m in ("a", "b") for n in (1, 2)
    ]
    request = make_request(issues, milestones=[{"id": "a", "due": "2025-11-24"}, {"id": "b", "due": "2025-11-24"}])
    result = plan(request)
    assert result.recommendations is not None
    interaction = result.recommendations.interaction
    assert interaction is not None
    assert sorted(interaction.keys) == ["milestone:a", "milestone:b"]
    assert interaction.verified and interaction.proven
    assert interaction.message in result.recommendations.summary
    joint = {j.key: j.new_date for j in interaction.joint}
    both = moved_due(moved_due(request, "a", joint["milestone:a"]), "b", joint["milestone:b"])
    assert meets(both, "milestone", "a", joint["milestone:a"])
    assert meets(both, "milestone", "b", joint["milestone:b"])
    for key, day in joint.items():
        single = target(result, key).extension
        assert single is not None and day >= single.new_date


def test_recommendations_are_off_on_request_and_survive_json() -> None:
    request = competing_request()
    assert plan(request, with_recommendations=False).recommendations is None
    result = plan(request)
    assert type(result).model_validate_json(result.model_dump_json()) == result


def test_without_time_to_replan_the_plan_vouches_for_its_own_finish_and_nothing_is_claimed_minimal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request = competing_request()

    def no_replans(request: PlanRequest, *, warm_start: PlanResult | None = None) -> PlanResult:
        raise AssertionError("no time was left to re-plan")

    context = explained(request, monkeypatch, no_replans)
    (late,) = find_targets(request, context.result)
    assert late.planned_finish is not None and not check_schedule(request, context.result)
    extension, note = compute_extension(context, late, Budget.of(request.options, 0.0, len(context.problem.tasks)))
    assert note is None and extension is not None
    assert extension.new_date == late.planned_finish
    assert extension.verified and not extension.proven_minimal
