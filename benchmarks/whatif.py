"""What-if re-planning: after one change, how soon a warm start reaches the quality of a cold re-plan.

The change escalates one P2 issue to P0 (a planner asking "what if we make this urgent?"), so the previous
plan stays valid and can seed the search. `solver.planner.plan` takes no hint, so both runs go through the
planner's own steps (validate, prepare, build, `solve_levels`): cold starts from the greedy plan as `plan`
does, warm from the previous plan. The target quality is the cold run's final objective; for each run we
report when its incumbent first became lexicographically at least as good.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from api_schemas.common import Priority
from api_schemas.request import PlanRequest
from api_schemas.result import SolveStatus
from benchmarks.evaluation import compare, objective_of, result_of, violations_of
from benchmarks.instances import InstanceSpec
from benchmarks.memory import peak_rss_mib
from solver.greedy import meets_hard_deadlines
from solver.model import build_model
from solver.planner import prepare_with_start
from solver.problem import Problem
from solver.result import build_result
from solver.schedule import Placement, Schedule
from solver.search import level_values, solve_levels
from solver.validation import validate_request


@dataclass
class Replan:
    """One re-plan: when its search started and ended, its improving solutions, its outcome."""

    label: str
    solve_started_s: float = 0.0
    finished_s: float = 0.0
    initial: list[int] | None = None
    events: list[tuple[float, str, int]] = field(default_factory=list)
    level_names: list[str] = field(default_factory=list)
    level_values: list[int] = field(default_factory=list)
    objective: list[int] = field(default_factory=list)
    status: str = ""
    violations: list[str] = field(default_factory=list)

    def reached(self, target: list[int]) -> float | None:
        """Seconds after the change until the incumbent was at least as good as `target` (None if never)."""
        if self.initial is not None and compare(self.initial, target) <= 0:
            return self.solve_started_s
        last = len(self.level_names) - 1
        for seconds, name, value in self.events:
            position = self.level_names.index(name)
            prefix = [*self.level_values[:position], value]
            verdict = compare(prefix, target[: position + 1])
            if verdict < 0 or (verdict == 0 and position == last):
                return seconds
        return self.finished_s if self.objective and compare(self.objective, target) <= 0 else None


def escalate(request: PlanRequest, seed: int) -> tuple[PlanRequest, str]:
    """The request with one estimated P2 issue raised to P0 (chosen by `seed`), and that issue's id."""
    candidates = [issue.id for issue in request.issues if issue.priority == Priority.P2 and issue.work_hours]
    chosen = random.Random(seed).choice(candidates)
    issues = [
        issue.model_copy(update={"priority": Priority.P0}) if issue.id == chosen else issue for issue in request.issues
    ]
    return request.model_copy(update={"issues": issues}), chosen


def carry_over(previous: Problem, schedule: Schedule, problem: Problem) -> Schedule | None:
    """The previous plan expressed on the changed problem (same issues and owners), or None if it does not fit."""
    placed = {task.issue.id: schedule[task.index] for task in previous.tasks}
    resource_of = {resource.owner_ids: resource.index for resource in problem.resources}
    carried: Schedule = {}
    for task in problem.tasks:
        old = placed.get(task.issue.id)
        if old is None:
            return None
        index = resource_of.get(previous.resources[old.resource].owner_ids)
        if index is None or index not in task.resources:
            return None
        clock = problem.clocks[problem.resources[index].clock]
        if old.start + task.work > clock.total_units:
            return None
        carried[task.index] = Placement(resource=index, member=old.member, start=old.start)
    return carried


def _replan(
    label: str, request: PlanRequest, previous: tuple[Problem, Schedule] | None
) -> tuple[Replan, Problem, Schedule | None]:
    """Re-plan `request` through the planner's steps, from the greedy start or from a previous plan."""
    run = Replan(label)
    started = time.monotonic()
    if validate_request(request):
        raise ValueError(f"generated request is invalid: {validate_request(request)[0].message}")
    problem, greedy = prepare_with_start(request)
    initial = greedy
    if previous is not None:
        initial = carry_over(previous[0], previous[1], problem)
        if initial is None:
            run.status = "WARM_START_NOT_APPLICABLE"
            return run, problem, None
    if initial is not None and not meets_hard_deadlines(problem, initial):
        initial = None
    plan_model = build_model(problem)
    run.level_names = [level.name for level in plan_model.levels]
    run.initial = level_values(problem, initial) if initial is not None else None
    run.solve_started_s = time.monotonic() - started

    def progress(name: str, value: int, _bound: int, _seconds: float) -> None:
        run.events.append((time.monotonic() - started, name, value))

    outcome = solve_levels(plan_model, request.options, initial, progress)
    run.finished_s = time.monotonic() - started
    run.status = outcome.status.value
    run.level_values = [level.value for level in outcome.levels]
    if outcome.schedule is not None:
        result = build_result(problem, outcome)
        run.objective = objective_of(result)
        run.violations = violations_of(request, result)
    return run, problem, outcome.schedule


def _summary(run: Replan, target: list[int]) -> dict[str, Any]:
    reached = run.reached(target) if target else None
    return {
        "status": run.status, "objective": run.objective, "reached_target_s": None if reached is None else round(
            reached, 3), "solve_started_s": round(run.solve_started_s, 3), "finished_s": round(run.finished_s, 3),
        "solutions": len(run.events), "violations": run.violations[:5], "violation_count": len(run.violations),
    }


def run_whatif(spec: InstanceSpec) -> dict[str, Any]:
    """Plan the instance, escalate one issue, then re-plan cold and warm with the same time limit."""
    request = spec.request()
    base, base_problem, base_schedule = _replan("base", request, None)
    changed, issue_id = escalate(request, spec.seed)
    cold, _, _ = _replan("cold", changed, None)
    warm = Replan("warm", status="NO_BASE_PLAN")
    if base_schedule is not None:
        carried_result = result_of(base_problem, base_schedule, SolveStatus.FEASIBLE, base.level_names)
        if violations_of(request, carried_result):
            warm.status = "BASE_PLAN_INVALID"
        else:
            warm, _, _ = _replan("warm", changed, (base_problem, base_schedule))
    target = cold.objective
    cold_summary, warm_summary = _summary(cold, target), _summary(warm, target)
    ratio = None
    if cold_summary["reached_target_s"] and warm_summary["reached_target_s"] is not None:
        ratio = round(warm_summary["reached_target_s"] / cold_summary["reached_target_s"], 3)
    return {
        "planner": "capplan-whatif", "status": f"cold {cold.status}, warm {warm.status}",
        "instance": spec.as_dict(), "change": f"{issue_id} raised from P2 to P0",
        "base": _summary(base, base.objective), "cold": cold_summary, "warm": warm_summary,
        "warm_beats_cold": bool(warm.objective and target and compare(warm.objective, target) < 0),
        "warm_to_cold_time_ratio": ratio, "peak_rss_mib": peak_rss_mib(),
    }
