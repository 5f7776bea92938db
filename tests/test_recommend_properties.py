"""On random tiny requests, every recommendation that says it was verified meets its date when applied."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from api_schemas import PlanRequest, SolveStatus
from api_schemas.recommendations import TargetKind, TargetRecommendation
from solver.intake.validation import validate_request
from solver.planner import plan
from tests.strategies import tiny_requests
from tests.test_recommend_support import (
    make_request,
    meets,
    moved_deadline,
    moved_due,
    with_extra_owners,
    with_longer_days,
    without,
)


def _tightened(drawn: tuple[PlanRequest, int]) -> PlanRequest:
    """The request with its estimated issues (hard deadlines aside) in one milestone due soon after the start."""
    request, days = drawn
    data = request.model_dump()
    data["milestones"] = [*data["milestones"], {"id": "tight", "due": request.start_date + timedelta(days=days)}]
    for issue in data["issues"]:
        if issue["estimate_hours"] and not issue["hard_deadline"] and not issue["deadline"]:
            issue["milestone"] = "tight"
    return PlanRequest.model_validate(data)


#: Tiny requests with a milestone that is often missed.
tight_requests = st.tuples(tiny_requests(), st.integers(0, 4)).map(_tightened)


def _moved(request: PlanRequest, target: TargetRecommendation) -> PlanRequest:
    assert target.extension is not None
    if target.kind == TargetKind.MILESTONE:
        return moved_due(request, target.id, target.extension.new_date)
    return moved_deadline(request, target.id, target.extension.new_date)


def _check(request: PlanRequest, target: TargetRecommendation) -> None:
    kind = target.kind.value
    if target.extension is not None:
        assert target.extension.new_date > target.due
        if target.extension.verified:
            assert meets(_moved(request, target), kind, target.id, target.extension.new_date)
    cut = target.scope_cut
    if cut is not None:
        deferred = {issue.id for issue in cut.deferred}
        for issue in request.issues:  # work that depends on a deferred issue is deferred too
            if issue.work_hours and any(dependency.issue in deferred for dependency in issue.depends_on):
                assert issue.id in deferred
        if cut.verified:
            assert meets(without(request, deferred), kind, target.id, target.due)
    capacity = target.capacity
    if capacity is not None and capacity.extra_owners is not None and capacity.extra_owners.verified:
        changed = request
        for group in capacity.extra_owners.groups:
            changed = with_extra_owners(changed, group.count, group.hours_per_day, group.skills)
        assert meets(changed, kind, target.id, target.due)
    if capacity is not None and capacity.extra_hours is not None and capacity.extra_hours.verified:
        extra = capacity.extra_hours
        assert meets(with_longer_days(request, extra.owners, extra.hours_per_day), kind, target.id, target.due)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(tight_requests)
def test_verified_recommendations_meet_their_dates(request: PlanRequest) -> None:
    result = plan(request)
    assert result.recommendations is not None
    if result.status == SolveStatus.INFEASIBLE:
        assert result.recommendations.infeasibility is not None
        return
    for target in result.recommendations.targets:
        _check(request, target)
        assert target.summary.startswith(f"{target.name or target.id}: ")


def test_extra_owners_of_two_groups_are_added_with_distinct_ids() -> None:
    # A capacity recommendation may name two owner groups (two skill sets); `_check` applies them one by one, which
    # once added 'new-0' twice and made the verifying re-plan a 422 ("Owner id 'new-0' is used more than once").
    request = make_request([{"id": "a", "estimate_hours": 4, "skills": ["x"]}], owners=[
        {"id": "ann", "hours_per_day": 8, "skills": ["x", "y"]}
    ])
    changed = with_extra_owners(with_extra_owners(request, 2, 8, ["x"]), 1, 6, ["y"])
    assert [owner.id for owner in changed.owners] == ["ann", "new-0", "new-1", "new-2"]
    assert validate_request(changed) == []
