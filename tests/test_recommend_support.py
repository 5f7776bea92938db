"""Helpers of the recommendation tests: small requests, changes applied by hand, and re-planning checks.

The changes are written here rather than taken from `solver.recommend`, so a recommendation is checked
against the request as a planner would edit it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest

from api_schemas import PlanRequest, PlanResult, SolveStatus
from api_schemas.recommendations import Recommendations, TargetRecommendation
from checker.schedule_checker import check_schedule
from solver import planner
from solver.planner import plan, prepare_with_start
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule
from solver.recommend.context import Context, PlanFunction, Planning

MONDAY = date(2025, 11, 24)


def make_request(issues: list[dict[str, Any]], **fields: Any) -> PlanRequest:
    """A request starting on MONDAY with one 8 h Mon-Fri owner 'ann' unless `fields` say otherwise."""
    data: dict[str, Any] = {
        "start_date": MONDAY,
        "owners": [{"id": "ann", "hours_per_day": 8}],
        "issues": issues,
        "options": {"time_limit_s": 20},
    }
    data.update(fields)
    return PlanRequest.model_validate(data)


def explained(request: PlanRequest, monkeypatch: pytest.MonkeyPatch, replans: PlanFunction) -> Context:
    """The context `plan(request)` hands its recommenders (caught on the way), re-planning with `replans`."""
    caught: dict[str, Any] = {}

    def catch(request: PlanRequest, problem: PreparedProblem, schedule: Schedule, result: PlanResult, *_: Any) -> Any:
        caught.update(problem=problem, schedule=schedule, result=result)
        return Recommendations(complete=True, seconds=0.0)

    monkeypatch.setattr(planner, "recommend", catch)
    plan(request)
    monkeypatch.undo()
    result = caught["result"].model_copy(update={"recommendations": None})
    return Context(request, caught["problem"], caught["schedule"], result, Planning(replans, prepare_with_start))


def replan(request: PlanRequest) -> PlanResult:
    """The plan of a changed request, without recommendations."""
    return plan(request, with_recommendations=False)


def finish_of(result: PlanResult, kind: str, target_id: str) -> date | None:
    """Planned finish of a milestone or an issue."""
    if kind == "milestone":
        return next(m for m in result.milestones if m.id == target_id).projected_finish
    issue = next(i for i in result.issues if i.id == target_id)
    return issue.slots[-1].date if issue.slots else None


def meets(request: PlanRequest, kind: str, target_id: str, due: date) -> bool:
    """Re-plan `request` and tell whether the target finishes by `due` in a plan the checker accepts."""
    result = replan(request)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert check_schedule(request, result) == []
    finish = finish_of(result, kind, target_id)
    return finish is None or finish <= due


def target(result: PlanResult, key: str) -> TargetRecommendation:
    """The recommendation of one target of a plan."""
    assert result.recommendations is not None
    return next(t for t in result.recommendations.targets if t.key == key)


def moved_due(request: PlanRequest, milestone: str, due: date) -> PlanRequest:
    """The request with a milestone's due date moved."""
    data = request.model_dump()
    for entry in data["milestones"]:
        if entry["id"] == milestone:
            entry["due"] = due
    return PlanRequest.model_validate(data)


def moved_deadline(request: PlanRequest, issue_id: str, deadline: date) -> PlanRequest:
    """The request with an issue's own deadline moved."""
    data = request.model_dump()
    for entry in data["issues"]:
        if entry["id"] == issue_id:
            entry["deadline"] = deadline
    return PlanRequest.model_validate(data)


def without(request: PlanRequest, issue_ids: Iterable[str]) -> PlanRequest:
    """The request with issues removed from the backlog."""
    dropped = set(issue_ids)
    data = request.model_dump()
    data["issues"] = [entry for entry in data["issues"] if entry["id"] not in dropped]
    for entry in data["issues"]:  # done or unestimated issues may still name a dropped one
        entry["depends_on"] = [d for d in entry["depends_on"] if d["issue"] not in dropped]
    return PlanRequest.model_validate(data)


def with_extra_owners(request: PlanRequest, count: int, hours: float, skills: list[str]) -> PlanRequest:
    """The request with `count` new owners (team calendar) of the given hours and skills.

    Their ids (new-0, new-1, ...) continue after those already added, so a recommendation of several owner groups
    is applied by calling this once per group.
    """
    data = request.model_dump()
    taken = {owner["id"] for owner in data["owners"]}
    fresh = (f"new-{n}" for n in range(len(taken) + count + 1) if f"new-{n}" not in taken)
    data["owners"] += [{"id": next(fresh), "hours_per_day": hours, "skills": skills} for _ in range(count)]
    return PlanRequest.model_validate(data)


def with_longer_days(request: PlanRequest, owners: Iterable[str], extra: float) -> PlanRequest:
    """The request with the listed owners working `extra` hours more per day."""
    longer = set(owners)
    data = request.model_dump()
    for entry in data["owners"]:
        if entry["id"] in longer:
            entry["hours_per_day"] = min(24.0, entry["hours_per_day"] + extra)
    return PlanRequest.model_validate(data)
