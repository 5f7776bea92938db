"""Warm-started re-plans: an earlier plan seeds the search, and the answer is still checked and optimal."""

from __future__ import annotations

import json
from pathlib import Path

from api_schemas import PlanRequest, SolveStatus
from solver.checker import check_schedule
from solver.greedy import greedy_schedule
from solver.planner import plan, previous_placements
from solver.problem import prepare

REFERENCE = Path(__file__).resolve().parents[1] / "examples" / "reference_backlog.json"


def _reference() -> PlanRequest:
    return PlanRequest.model_validate(json.loads(REFERENCE.read_text()))


def test_repaired_previous_plan_keeps_owners_and_order() -> None:
    request = PlanRequest.model_validate(
        {
            "start_date": "2025-11-24",
            "owners": [{"id": "a"}, {"id": "b"}],
            "issues": [{"id": f"#{n}", "estimate_hours": 4 + n} for n in range(4)],
            "options": {"time_limit_s": 5},
        }
    )
    baseline = plan(request, with_recommendations=False)
    problem = prepare(request)
    previous = previous_placements(problem, baseline)
    repaired = greedy_schedule(problem, previous)
    assert repaired is not None
    owners = {p.owner for p in baseline.issues}
    assert len(previous) == 4 and owners <= {"a", "b"}
    for task in problem.tasks:
        resource = problem.resources[repaired[task.index].resource]
        chosen = resource.owner_ids[repaired[task.index].member]
        assert chosen == next(p.owner for p in baseline.issues if p.id == task.issue.id)


def test_warm_started_what_if_equals_the_cold_optimum() -> None:
    request = _reference()
    baseline = plan(request, with_recommendations=False)
    changed = request.model_copy(deep=True)
    next(i for i in changed.issues if i.id == "#973").estimate_hours = 12
    cold = plan(changed, with_recommendations=False)
    warm = plan(changed, with_recommendations=False, warm_start=baseline)
    assert cold.status == warm.status == SolveStatus.OPTIMAL
    assert [s.value for s in warm.objective] == [s.value for s in cold.objective]
    assert check_schedule(changed, warm) == []


def test_warm_start_from_a_plan_with_a_removed_owner_still_plans_everything() -> None:
    request = PlanRequest.model_validate(
        {
            "start_date": "2025-11-24",
            "owners": [{"id": "a"}, {"id": "b", "hours_per_day": 4}],
            "issues": [
                {"id": f"#{n}", "estimate_hours": 3, "depends_on": [f"#{n - 1}"] if n else []} for n in range(5)
            ],
            "options": {"time_limit_s": 5},
        }
    )
    baseline = plan(request, with_recommendations=False)
    without_b = request.model_copy(update={"owners": request.owners[:1]})
    result = plan(without_b, with_recommendations=False, warm_start=baseline)
    assert result.status == SolveStatus.OPTIMAL
    assert {i.owner for i in result.issues} == {"a"}
    assert check_schedule(without_b, result) == []
