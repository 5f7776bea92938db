"""Living plans (docs/model.md): re-plans against a baseline, stability levels, freezes, in-progress work, changes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from api_schemas import PlanRequest
from api_schemas.changes import ChangeKind, ChangeReasonCode
from api_schemas.result import PlanResult, SolveStatus
from checker import check_schedule
from solver import InvalidRequestError, plan
from solver.intake.validation import check_request
from tests.oracle import solve_with_baseline
from tests.strategies import TINY, plan_requests, tiny_requests_in_hours

REFERENCE = Path(__file__).resolve().parents[1] / "examples" / "reference_backlog.json"
SMALL = TINY.__class__(**{**TINY.__dict__, "max_issues": 4})


def places(result: PlanResult) -> dict[str, tuple[str | None, Any]]:
    return {issue.id: (issue.owner, issue.start) for issue in result.issues}


def with_baseline(request: PlanRequest, baseline: PlanResult, **options: Any) -> PlanRequest:
    data = json.loads(request.model_dump_json())
    data["baseline"] = json.loads(baseline.model_dump_json())
    data["options"].update(options)
    return PlanRequest.model_validate(data)


def lateness(result: PlanResult) -> list[int]:
    return [stage.value for stage in result.objective if "lateness" in stage.name]


def reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    data["options"] = {"time_limit_s": 3}
    return data


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_requests_in_hours())
def test_own_plan_as_baseline_returns_the_identical_plan(request: PlanRequest) -> None:
    first = plan(request, with_recommendations=False)
    assume(first.status is SolveStatus.OPTIMAL)
    again = plan(with_baseline(request, first), with_recommendations=False)
    assert places(again) == places(first)
    assert again.changes is not None and again.changes.counts.moved == again.changes.counts.reassigned == 0
    assert check_schedule(with_baseline(request, first), again) == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tiny_requests_in_hours(), st.integers(1, 10))
def test_a_later_due_date_with_nothing_late_changes_nothing(request: PlanRequest, days: int) -> None:
    assume(request.milestones and any(m.due for m in request.milestones))
    first = plan(request, with_recommendations=False)
    assume(first.status is SolveStatus.OPTIMAL and not any(lateness(first)))
    data = json.loads(request.model_dump_json())
    for milestone in data["milestones"]:
        if milestone["due"]:
            milestone["due"] = (datetime.fromisoformat(milestone["due"]) + timedelta(days=days)).date().isoformat()
    later = PlanRequest.model_validate(data)
    again = plan(with_baseline(later, first), with_recommendations=False)
    assert places(again) == places(first)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_requests(SMALL), st.data())
def test_default_ranking_never_costs_lateness(request: PlanRequest, data: st.DataObject) -> None:
    first = plan(request, with_recommendations=False)
    assume(first.status is SolveStatus.OPTIMAL)
    changed = json.loads(request.model_dump_json())
    issue = changed["issues"][data.draw(st.integers(0, len(changed["issues"]) - 1))]
    if issue["estimate_hours"]:
        issue["estimate_hours"] = round(issue["estimate_hours"] * 6) / 4  # +50 %, on the quarter hour
    issue["priority"] = data.draw(st.sampled_from(["P0", "P1", "P2", "P3"]))
    variant = PlanRequest.model_validate(changed)
    cold = plan(variant, with_recommendations=False)
    warm = plan(with_baseline(variant, first), with_recommendations=False)
    assume(cold.status is SolveStatus.OPTIMAL)
    assert warm.status is SolveStatus.OPTIMAL
    assert lateness(warm) == lateness(cold)
    moved = [c for c in warm.changes.issues if c.kind in (ChangeKind.MOVED, ChangeKind.REASSIGNED)]  # type: ignore[union-attr]
    assert all(change.reasons for change in moved)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_requests(SMALL), st.data())
def test_solver_matches_the_oracle_on_the_stability_levels(request: PlanRequest, data: st.DataObject) -> None:
    first = plan(request, with_recommendations=False)
    assume(first.status is SolveStatus.OPTIMAL)
    changed = json.loads(request.model_dump_json())
    issue = changed["issues"][data.draw(st.integers(0, len(changed["issues"]) - 1))]
    if issue["estimate_hours"]:
        issue["estimate_hours"] += data.draw(st.sampled_from([0.5, 1, 2]))
    variant = with_baseline(PlanRequest.model_validate(changed), first)
    best = solve_with_baseline(variant)
    result = plan(variant, with_recommendations=False)
    if best is None:
        assert result.status is SolveStatus.INFEASIBLE
        return
    assert result.status is SolveStatus.OPTIMAL, result.model_dump_json()
    assert [stage.value for stage in result.objective] == best[0]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_requests_in_hours(), st.integers(0, 5 * 96))
def test_freezes_hold(request: PlanRequest, cut: int) -> None:
    first = plan(request, with_recommendations=False)
    assume(first.status is SolveStatus.OPTIMAL)
    until = datetime.combine(request.start_date, datetime.min.time()) + timedelta(minutes=15 * cut)
    data = json.loads(with_baseline(request, first).model_dump_json())
    data["freeze_until"] = until.isoformat()
    data["issues"][-1]["estimate_hours"] = (data["issues"][-1]["estimate_hours"] or 1) + 2
    frozen_request = PlanRequest.model_validate(data)
    again = plan(frozen_request, with_recommendations=False)
    assert check_schedule(frozen_request, again) == []
    # A hard deadline the longer estimate can no longer meet around the frozen work leaves no plan: nothing to hold.
    assume(again.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE))
    excepted = {i for w in again.warnings if w.code == "freeze_exception" for i in w.ids}
    before = {issue.id: issue for issue in first.issues}
    for issue in again.issues:
        earlier = before[issue.id]
        if earlier.start is not None and earlier.start < until and issue.id not in excepted:
            assert (issue.owner, issue.slots) == (earlier.owner, earlier.slots)
    assert check_schedule(frozen_request, again) == []


def test_reference_estimate_change_moves_only_what_it_pushes() -> None:
    data = reference()
    first = plan(PlanRequest.model_validate(data), with_recommendations=False)
    for issue in data["issues"]:
        if issue["id"] == "M3-landing":
            issue["estimate_hours"] = 3
    cold = plan(PlanRequest.model_validate(data), with_recommendations=False)
    warm = plan(with_baseline(PlanRequest.model_validate(data), first), with_recommendations=False)
    moved = [i for i, place in places(warm).items() if place != places(first)[i]]
    assert len(moved) < len([i for i, place in places(cold).items() if place != places(first)[i]])
    assert warm.changes is not None
    reasons = [r for c in warm.changes.issues for r in c.reasons]
    assert {r.code for r in reasons} == {ChangeReasonCode.ESTIMATE}
    assert all("M3-landing" in r.ids for r in reasons)


def test_stability_first_keeps_the_baseline_before_lateness() -> None:
    data = reference()
    first = plan(PlanRequest.model_validate(data), with_recommendations=False)
    data["issues"].append({"id": "urgent", "estimate_hours": 8, "priority": "P0", "deadline": data["start_date"]})
    first_rank = plan(with_baseline(PlanRequest.model_validate(data), first, stability="first"),
                      with_recommendations=False)
    default = plan(with_baseline(PlanRequest.model_validate(data), first), with_recommendations=False)
    assert first_rank.objective[0].name.startswith("stability reassigned")
    assert first_rank.changes is not None and first_rank.changes.counts.moved == 0
    assert lateness(default) <= lateness(first_rank)
    off = plan(with_baseline(PlanRequest.model_validate(data), first, stability="off"), with_recommendations=False)
    assert not any(stage.name.startswith("stability") for stage in off.objective)
    assert off.changes is not None and off.changes.counts.added == 1


def test_in_progress_continues_at_the_start_and_resumes_after_a_day_off() -> None:
    data = reference()
    first = plan(PlanRequest.model_validate(data), with_recommendations=False)
    free = {issue["id"] for issue in data["issues"] if not issue.get("depends_on")}
    target = next(i for i in first.issues if i.id in free and i.start is not None and i.start.hour != 9)
    owner = target.owner
    data["baseline"] = json.loads(first.model_dump_json())["issues"]
    for issue in data["issues"]:
        if issue["id"] == target.id:
            issue["in_progress"], issue["remaining_hours"] = True, 1
    for person in data["owners"]:
        if person["id"] == owner:
            person["days_off"] = [*person.get("days_off", []), data["start_date"]]
    request = PlanRequest.model_validate(data)
    result = plan(request, with_recommendations=False)
    placed = next(i for i in result.issues if i.id == target.id)
    assert placed.owner == owner and placed.hours == 1
    assert placed.start is not None and placed.start.date() > request.start_date
    others = [i for i in result.issues if i.owner == owner and i.id != target.id and i.start is not None]
    starts = [other.start for other in others if other.start is not None]
    assert all(placed.start < start for start in starts)
    assert any(w.code == "in_progress_resumes_later" and target.id in w.ids for w in result.warnings)
    assert check_schedule(request, result) == []


def test_in_progress_without_an_owner_is_a_clear_problem() -> None:
    data = reference()
    data["issues"][0]["in_progress"] = True
    with pytest.raises(InvalidRequestError) as raised:
        plan(PlanRequest.model_validate(data))
    assert [p.code for p in raised.value.problems] == ["in_progress_without_owner"]
    data["issues"][0]["in_progress"] = False
    data["freeze_until"] = "2025-11-25T00:00:00"
    with pytest.raises(InvalidRequestError) as raised:
        plan(PlanRequest.model_validate(data))
    assert [p.code for p in raised.value.problems] == ["freeze_without_baseline"]


def test_whole_result_and_issue_list_are_both_accepted_as_baseline() -> None:
    data = reference()
    first = plan(PlanRequest.model_validate(data), with_recommendations=False)
    whole = {**data, "baseline": json.loads(first.model_dump_json())}
    listed = {**data, "baseline": json.loads(first.model_dump_json())["issues"]}
    assert PlanRequest.model_validate(whole).baseline == PlanRequest.model_validate(listed).baseline


def test_removed_done_and_new_issues_are_reported() -> None:
    data = reference()
    first = plan(PlanRequest.model_validate(data), with_recommendations=False)
    needed = {d if isinstance(d, str) else d["issue"] for i in data["issues"] for d in i.get("depends_on", [])}
    gone = next(i["id"] for i in data["issues"] if i["id"] not in needed)
    data["issues"] = [i for i in data["issues"] if i["id"] != gone]
    done = data["issues"][0]["id"]
    data["issues"][0]["remaining_hours"] = 0
    data["issues"].append({"id": "new", "estimate_hours": 2})
    result = plan(with_baseline(PlanRequest.model_validate(data), first), with_recommendations=False)
    assert result.changes is not None
    kinds = {c.id: c.kind for c in result.changes.issues}
    assert kinds[gone] is ChangeKind.REMOVED and kinds[done] is ChangeKind.DONE and kinds["new"] is ChangeKind.ADDED
    counts = result.changes.counts
    assert (counts.removed, counts.done, counts.added) == (1, 1, 1)


def replanned_with_freeze_and_progress() -> tuple[PlanRequest, PlanResult]:
    data = reference()
    first = plan(PlanRequest.model_validate(data), with_recommendations=False)
    data["baseline"] = json.loads(first.model_dump_json())["issues"]
    data["freeze_until"] = "2025-11-26T00:00:00"
    data["issues"][0]["in_progress"] = True
    request = PlanRequest.model_validate(data)
    return request, plan(request, with_recommendations=False)


def rules_broken(request: PlanRequest, result: PlanResult) -> set[str]:
    return {violation.rule for violation in check_schedule(request, result)}


def test_checker_catches_a_frozen_placement_that_moved_and_a_wrong_stability_value() -> None:
    request, result = replanned_with_freeze_and_progress()
    assert check_schedule(request, result) == []
    assert request.baseline is not None
    frozen = next(c.id for c in result.changes.issues if c.frozen)  # type: ignore[union-attr]
    before = next(i for i in request.baseline if i.id == frozen)
    issues = [
        i.model_copy(update={"slots": [s.model_copy(update={"date": s.date + timedelta(days=7)}) for s in i.slots]})
        if i.id == frozen else i
        for i in result.issues
    ]
    moved = result.model_copy(update={"issues": issues})
    assert "frozen" in rules_broken(request, moved)
    assert before.slots != issues[[i.id for i in issues].index(frozen)].slots
    stages = [s.model_copy(update={"value": s.value + 1, "bound": s.bound + 1}) if s.name.startswith("stability moved")
              else s for s in result.objective]
    assert "objective" in rules_broken(request, result.model_copy(update={"objective": stages}))


def test_checker_catches_in_progress_work_after_other_work() -> None:
    request, result = replanned_with_freeze_and_progress()
    started = request.issues[0].id
    plan_of = {i.id: i for i in result.issues}
    owner = plan_of[started].owner
    later = [i for i in result.issues if i.owner == owner and i.id != started and i.slots]
    assert later
    swapped = [
        i.model_copy(update={"slots": [s.model_copy(update={"date": s.date + timedelta(days=14)}) for s in i.slots]})
        if i.id == started else i
        for i in result.issues
    ]
    assert "in_progress" in rules_broken(request, result.model_copy(update={"issues": swapped}))


def test_week_plan_lists_the_changes_since_the_last_plan() -> None:
    from service.report import ReportFormat, render

    data = reference()
    first = plan(PlanRequest.model_validate(data), with_recommendations=False)
    for issue in data["issues"]:
        if issue["id"] == "M3-landing":
            issue["estimate_hours"] = 3
    request = with_baseline(PlanRequest.model_validate(data), first)
    text = render(ReportFormat.MD, request, plan(request, with_recommendations=False), 7).decode()
    section = text.split("## Changes since the last plan", 1)[1].split("\n## ", 1)[0]
    assert "1 moved" in section and "M3-landing grew from 2 h to 3 h" in section
    cold = render(ReportFormat.MD, PlanRequest.model_validate(data), first, 7).decode()
    assert "Changes since the last plan" not in cold


def test_a_frozen_issue_split_in_the_baseline_is_an_exception_that_says_so() -> None:
    # Frozen work is kept as one run; an issue the baseline split is then an exception, and the reason names the
    # split (not a change of working time, which did not happen).
    monday = datetime(2027, 1, 4)
    request = PlanRequest.model_validate({
        "start_date": monday.date(),
        "owners": [{"id": "ann", "hours_per_day": 8}],
        "issues": [{"id": "a", "estimate_hours": 4}, {"id": "b", "estimate_hours": 8}],
        "options": {"splittable": True, "time_limit_s": 2},
        "freeze_until": (monday + timedelta(days=2)).isoformat(),
        "baseline": [
            {"id": "a", "status": "planned", "priority": "P2", "owner": "ann", "hours": 4,
             "start": (monday + timedelta(hours=13)).isoformat(),
             "slots": [{"date": monday.date(), "start": "13:00", "hours": 2},
                       {"date": (monday + timedelta(days=1)).date(), "start": "09:00", "hours": 2}]},
        ],
    })
    result = plan(request, with_recommendations=False)
    exceptions = [w for w in result.warnings if w.code == "freeze_exception"]
    assert [w.ids for w in exceptions] == [["a"]]
    assert "split into pieces" in exceptions[0].message and "working time" not in exceptions[0].message
    assert check_schedule(request, result) == []
    # Slots off the owner's working time are still a change of working time.
    data = json.loads(request.model_dump_json())
    data["owners"][0]["days_off"] = [(monday + timedelta(days=1)).date().isoformat()]
    away = plan(PlanRequest.model_validate(data), with_recommendations=False)
    [message] = [w.message for w in away.warnings if w.code == "freeze_exception"]
    assert "working time changed" in message


def _frozen_chain(lag_days: int = 0, first_hours: float = 4) -> PlanRequest:
    """One 8 h owner: #1 (4 h) then #2 (4 h, waiting for #1), both on Monday."""
    return PlanRequest.model_validate({
        "start_date": "2025-11-24", "owners": [{"id": "a"}], "options": {"time_limit_s": 2},
        "issues": [{"id": "#1", "estimate_hours": first_hours, "priority": "P0"},
                   {"id": "#2", "estimate_hours": 4, "depends_on": [{"issue": "#1", "lag_days": lag_days}]}],
    })


@pytest.mark.parametrize(("change", "why"), [
    ({"first_hours": 6}, "it waits for #1, which is not kept where it was"),
    ({"lag_days": 1}, "it would start before #1 is done and 1 working day(s) have passed"),
])
def test_a_frozen_issue_moves_with_a_predecessor_that_cannot_stay(change: dict[str, Any], why: str) -> None:
    first = plan(_frozen_chain(), with_recommendations=False)
    assert [issue.start for issue in first.issues] == [datetime(2025, 11, 24, 9), datetime(2025, 11, 24, 13)]
    request = with_baseline(_frozen_chain(**change), first)
    request = request.model_copy(update={"freeze_until": datetime(2025, 11, 25)})
    again = plan(request, with_recommendations=False)
    assert again.status is SolveStatus.OPTIMAL and again.checked
    exceptions = {w.ids[0]: w.message for w in again.warnings if w.code == "freeze_exception"}
    assert why in exceptions["#2"]
    second = {issue.id: issue for issue in again.issues}
    assert second["#2"].start is not None and second["#1"].finish is not None
    assert second["#2"].start >= second["#1"].finish
    assert check_schedule(request, again) == []


def test_a_plan_request_given_as_the_baseline_is_one_problem_saying_so() -> None:
    # `capplan plan backlog.json --baseline backlog.json` listed 29 problems, one per field a plan lacks.
    data = reference()
    data["baseline"] = reference()
    request, problems = check_request(data)
    assert request is None
    [problem] = problems
    assert problem.loc == ["baseline"] and "is a plan request" in problem.message
