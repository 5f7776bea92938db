"""Warm-started re-plans: an earlier plan seeds the search, and the answer is still checked and optimal."""

from __future__ import annotations

import json
from pathlib import Path

from api_schemas import PlanRequest, PlanResult, SolveStatus
from api_schemas.common import Priority
from checker.schedule_checker import check_schedule
from solver.bounds.schedule_levels import level_values
from solver.planner import plan
from solver.prepared.problem import prepare
from solver.starts.greedy import greedy_schedule
from solver.starts.warm_start import earlier_order, previous_placements, warm_start

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
    previous = previous_placements(problem, baseline.issues)
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


def _escalated_last_of_four_p2_issues() -> tuple[PlanResult, PlanRequest, str]:
    """Four P2 issues on one owner, planned; then the one the plan starts last is raised to P0."""
    request = PlanRequest.model_validate(
        {
            "start_date": "2025-11-24",
            "owners": [{"id": "a"}],
            "issues": [{"id": f"#{n}", "estimate_hours": 8, "priority": "P2"} for n in range(4)],
            "options": {"time_limit_s": 5},
        }
    )
    baseline = plan(request, with_recommendations=False)
    last_started = max(baseline.issues, key=lambda issue: (issue.start, issue.id)).id
    escalated = request.model_copy(deep=True)
    next(issue for issue in escalated.issues if issue.id == last_started).priority = Priority.P0
    return baseline, escalated, last_started


def test_earlier_order_keeps_the_earlier_start_order_within_each_priority() -> None:
    baseline, escalated, last_started = _escalated_last_of_four_p2_issues()
    problem = prepare(escalated)
    placements = previous_placements(problem, baseline.issues)
    started = sorted(placements, key=lambda index: placements[index][0])
    across = earlier_order(problem, placements, within_urgency=False)
    within = earlier_order(problem, placements, within_urgency=True)
    assert sorted(across, key=across.__getitem__) == started
    last = started[-1]
    assert problem.tasks[last].issue.id == last_started
    assert min(within, key=within.__getitem__) == last
    assert sorted((i for i in within if i != last), key=within.__getitem__) == [i for i in started if i != last]


def test_warm_start_moves_an_escalated_issue_up_where_replaying_the_earlier_plan_does_not() -> None:
    baseline, escalated, _ = _escalated_last_of_four_p2_issues()
    problem = prepare(escalated)
    replayed = greedy_schedule(problem, previous_placements(problem, baseline.issues))
    assert replayed is not None
    improvement = warm_start(problem, baseline.issues, rounds=10)
    assert improvement.schedule is not None
    warm_values, replayed_values = level_values(problem, improvement.schedule), level_values(problem, replayed)
    assert warm_values < replayed_values
    # The escalated issue now runs first: its finish (the P0 finish level) is the end of the first day.
    p0_finish = warm_values[len(warm_values) // 2]
    assert p0_finish == problem.team_time(problem.clocks[0].global_end(8 * 4))
    result = plan(escalated, with_recommendations=False, warm_start=baseline)
    assert result.status == SolveStatus.OPTIMAL
    assert check_schedule(escalated, result) == []
