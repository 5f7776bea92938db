"""Pools with a baseline (docs/model.md, "Living plans"): which owners are pooled, and whose work goes to whom."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from typing import Any

from api_schemas import PlanRequest
from api_schemas.result import IssuePlan, IssueStatus, PlanResult, SolveStatus
from benchmarks.generator import AgentPool, Size, generate
from checker import check_schedule
from solver import plan
from solver.bounds.schedule_levels import level_values, problem_levels
from solver.prepared.baseline import BaselinePlace
from solver.prepared.members import assign_members
from solver.prepared.problem import PreparedProblem, prepare
from solver.starts.replay import replayed

#: More planned issues than the full model takes (`LARGE_MODEL_TASKS`), six interchangeable agents.
AGENTS = Size("pooled", 1, (AgentPool(6, ("backend", "frontend"), 8),), 60, 10)


def _request(seed: int = 3, **options: Any) -> PlanRequest:
    """A generated 60-issue backlog without dates (no lateness level: a plan's finish levels alone rank it)."""
    data = json.loads(generate(AGENTS, seed, 2.0).model_dump_json())
    for milestone in data["milestones"]:
        milestone["due"] = None
    for issue in data["issues"]:
        issue["deadline"], issue["hard_deadline"] = None, False
    data["options"].update(options)
    return PlanRequest.model_validate(data)


def _with_baseline(request: PlanRequest, baseline: PlanResult, **fields: Any) -> PlanRequest:
    data = json.loads(request.model_dump_json())
    data["baseline"] = json.loads(baseline.model_dump_json())["issues"]
    data.update(fields)
    return PlanRequest.model_validate(data)


def _pool(problem: PreparedProblem) -> int:
    """The index of the agents' pool."""
    return next(r.index for r in problem.resources if r.capacity == 6)


def _reference_colouring(problem: PreparedProblem, chosen: dict[int, tuple[int, int]]) -> dict[int, int]:
    """The colouring without a baseline as it always was: each task on the lowest-numbered owner free at its start."""
    members: dict[int, int] = {}
    by_resource: dict[int, list[tuple[int, int, int]]] = {}
    for index, (resource, start) in chosen.items():
        by_resource.setdefault(resource, []).append((start, start + problem.tasks[index].work, index))
    for resource, stretches in by_resource.items():
        free_at = [0] * problem.resources[resource].capacity
        for start, end, index in sorted(stretches):
            member = next(m for m, free in enumerate(free_at) if free <= start)
            free_at[member] = end
            members[index] = member
    return members


def test_without_a_baseline_the_colouring_is_the_lowest_free_owner() -> None:
    problem = prepare(_request())
    rng = random.Random(5)
    for _ in range(20):
        # Random starts, kept within the pool's capacity by dropping tasks that would exceed it.
        chosen: dict[int, tuple[int, int]] = {}
        for task in problem.tasks:
            start = rng.randrange(0, 400)
            spans = [(s, s + problem.tasks[i].work) for i, (_, s) in chosen.items()]
            if sum(1 for s, e in spans if s < start + task.work and start < e) < 6 and all(
                sum(1 for s, e in spans if s <= t < e) < 6 for t in range(start, start + task.work)
            ):
                chosen[task.index] = (_pool(problem), start)
        schedule = assign_members(problem, chosen)
        assert {i: p.member for i, p in schedule.items()} == _reference_colouring(problem, chosen)


def _two_agents() -> PreparedProblem:
    """Two interchangeable owners (one pool) and three issues of 3, 4 and 2 hours, without a baseline."""
    request = PlanRequest.model_validate({
        "start_date": "2027-01-04",
        "owners": [{"id": "a", "hours_per_day": 8}, {"id": "b", "hours_per_day": 8}],
        "issues": [
            {"id": "n", "estimate_hours": 3}, {"id": "x", "estimate_hours": 4}, {"id": "y", "estimate_hours": 2}
        ],
    })
    problem = prepare(request)
    assert [r.owner_ids for r in problem.resources] == [("a", "b")]
    return problem


def _preferring(problem: PreparedProblem, owners: dict[str, str]) -> PreparedProblem:
    """The problem with baseline places on the given owners (the start instant does not matter here)."""
    tasks = [
        replace(task, baseline=BaselinePlace(owners[task.issue.id], 0, _ANY_PLAN)) if task.issue.id in owners else task
        for task in problem.tasks
    ]
    return replace(problem, tasks=tasks)


_ANY_PLAN = IssuePlan(id="any", status=IssueStatus.PLANNED, hours=1, priority="P2")


def test_other_work_goes_to_an_owner_it_does_not_hold_up() -> None:
    problem = _two_agents()
    n, x, y = (task.index for task in problem.tasks)
    # n (3 h, new) from 0, x (4 h, a's in the baseline) from 2 h, y (2 h, b's) from 7 h: both are free at 0.
    chosen = {n: (0, 0), x: (0, 8), y: (0, 28)}
    assert {i: p.member for i, p in assign_members(problem, chosen).items()} == {n: 0, x: 1, y: 0}
    kept = assign_members(_preferring(problem, {"x": "a", "y": "b"}), chosen)
    # n would hold a up until after x starts: it goes to b, x to a, and y (after n) to b.
    assert {i: p.member for i, p in kept.items()} == {n: 1, x: 0, y: 1}


def test_every_issue_on_its_baseline_owner_when_their_work_does_not_overlap() -> None:
    problem = _preferring(_two_agents(), {"n": "b", "x": "a", "y": "b"})
    n, x, y = (task.index for task in problem.tasks)
    chosen = {n: (0, 0), x: (0, 0), y: (0, 12)}
    kept = assign_members(problem, chosen)
    assert {i: problem.resources[0].owner_ids[p.member] for i, p in kept.items()} == {n: "b", x: "a", y: "b"}
    # Two issues of b that now overlap: the first keeps b, the other goes to a, free until x (a's) starts.
    overlapping = assign_members(problem, {n: (0, 0), y: (0, 4), x: (0, 16)})
    owners = {i: problem.resources[0].owner_ids[p.member] for i, p in overlapping.items()}
    assert owners == {n: "b", y: "a", x: "a"}


def test_baseline_owners_are_pooled_above_the_full_model_and_owners_of_fixed_work_stay_alone() -> None:
    request = _request()
    base = plan(request, with_recommendations=False)
    pooled = prepare(_with_baseline(request, base))
    assert [r.owner_ids for r in pooled.resources] == [r.owner_ids for r in prepare(request).resources]
    started = next(i for i in base.issues if i.owner is not None and i.owner.startswith("agent"))
    data = json.loads(_with_baseline(request, base).model_dump_json())
    for issue in data["issues"]:
        if issue["id"] == started.id:
            issue["in_progress"] = True
    alone = prepare(PlanRequest.model_validate(data))
    assert (started.owner,) in [r.owner_ids for r in alone.resources]
    # Up to the full model's size every owner of baseline work is its own resource (reassigned exact in the model).
    small = json.loads(request.model_dump_json())
    small["issues"] = [i for i in small["issues"] if not i["depends_on"]][:20]
    small_request = PlanRequest.model_validate(small)
    small_base = plan(small_request, with_recommendations=False)
    busy = {i.owner for i in small_base.issues if i.owner is not None}
    assert all(len(r.owner_ids) == 1 for r in prepare(_with_baseline(small_request, small_base)).resources
               if set(r.owner_ids) & busy)


def test_own_plan_as_baseline_returns_the_identical_plan_with_pooled_owners() -> None:
    request = _request()
    base = plan(request, with_recommendations=False)
    assert base.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    again_request = _with_baseline(request, base)
    problem = prepare(again_request)
    replay = replayed(problem)
    assert replay is not None
    levels = problem_levels(problem)
    stability = [v for level, v in zip(levels, level_values(problem, replay), strict=True) if level.kind.is_stability]
    assert stability == [0, 0, 0]
    again = plan(again_request, with_recommendations=False)
    assert {(i.id, i.owner, i.start) for i in again.issues} == {(i.id, i.owner, i.start) for i in base.issues}
    assert again.changes is not None and again.changes.counts.unchanged == len(base.issues)
    assert check_schedule(again_request, again) == []


def test_a_replan_counts_reassigned_on_owners_and_the_checker_agrees() -> None:
    request = _request()
    base = plan(request, with_recommendations=False)
    data = json.loads(request.model_dump_json())
    longest = max(data["issues"], key=lambda issue: issue["estimate_hours"] or 0)
    longest["estimate_hours"] = longest["estimate_hours"] * 2
    changed = _with_baseline(PlanRequest.model_validate(data), base)
    again = plan(changed, with_recommendations=False)
    assert check_schedule(changed, again) == []  # the checker recomputes every stability value from the slots
    before = {i.id: i.owner for i in base.issues}
    reassigned = sum(1 for i in again.issues if i.owner is not None and before.get(i.id) not in (None, i.owner))
    stage = next(s for s in again.objective if s.name.startswith("stability reassigned"))
    assert stage.value == reassigned
