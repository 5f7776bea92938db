"""Plan the reference backlog (the seed priority plan's facts) and check what a planner would read from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api_schemas import IssueStatus, MilestoneStatus, PlanRequest, PlanResult, SolveStatus
from checker.schedule_checker import check_schedule
from solver.planner import plan

REFERENCE = Path(__file__).resolve().parent.parent / "examples" / "reference_backlog.json"


@pytest.fixture(scope="module")
def request_() -> PlanRequest:
    return PlanRequest.model_validate(json.loads(REFERENCE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def result(request_: PlanRequest) -> PlanResult:
    return plan(request_)


def test_reference_plan_is_optimal_and_valid(request_: PlanRequest, result: PlanResult) -> None:
    assert result.status == SolveStatus.OPTIMAL
    assert check_schedule(request_, result) == []


def test_every_estimated_issue_is_planned(request_: PlanRequest, result: PlanResult) -> None:
    estimated = {issue.id for issue in request_.issues if issue.work_hours}
    planned = {issue.id for issue in result.issues if issue.status == IssueStatus.PLANNED}
    assert planned == estimated
    assert len(estimated) == 11  # 2 in M2, 3 in M3, 6 on the Reconstruction critical path


def test_unestimated_issues_are_unplanned_with_a_warning(request_: PlanRequest, result: PlanResult) -> None:
    unestimated = {issue.id for issue in request_.issues if issue.work_hours is None}
    assert {"#969", "#971", "#977", "#642", "#635", "#612"} <= unestimated
    statuses = {issue.id: issue.status for issue in result.issues}
    assert {statuses[issue_id] for issue_id in unestimated} == {IssueStatus.UNPLANNED}
    warned = {issue_id for warning in result.warnings if warning.code == "unplanned_issue" for issue_id in warning.ids}
    assert warned == unestimated


def test_m2_is_overdue(result: PlanResult) -> None:
    # Due 2025-11-19, four days before the plan starts, with #840 and #841 open.
    milestones = {milestone.id: milestone for milestone in result.milestones}
    assert milestones["M2"].status == MilestoneStatus.OVERDUE


def test_reconstruction_cannot_fit_before_its_due_date(request_: PlanRequest, result: PlanResult) -> None:
    # Work: #970 8 h + #972 4 h + #973 6 h + #974 8 h + #975 10 h + #976 6 h = 42 h (the rest is unestimated).
    # Capacity: the plan starts on Sunday 2025-11-23 (not worked); Mon 24, Tue 25, Wed 26 and Thu 27 are
    # the lead's working days up to the due date inclusive, 4 x 8 h = 32 h. 42 h > 32 h: late even alone.
    reconstruction = next(m for m in result.milestones if m.id == "reconstruction")
    estimates = [issue.work_hours or 0.0 for issue in request_.issues if issue.milestone == "reconstruction"]
    assert sum(estimates) == 42
    assert reconstruction.work_hours == 42
    assert reconstruction.capacity_hours_before_due == 32
    assert reconstruction.unplanned_issues == 3
    assert reconstruction.status == MilestoneStatus.LATE
    assert reconstruction.projected_finish is not None and reconstruction.due is not None
    assert reconstruction.projected_finish > reconstruction.due
