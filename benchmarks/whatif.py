"""What-if re-planning: after one change, how soon a warm start reaches the quality of a cold re-plan.

The changes are the questions a planner asks: make a P2 issue urgent (P0), bring a milestone's due date a
week forward, raise an estimate by half, add an owner like an existing person. For each, both re-plans call
`solver.planner.plan` with the same time limit: cold from scratch, warm with the earlier plan as
`warm_start`. The target quality is the cold run's final objective; for each run we report when its
incumbent (the start the search was given, then each improving solution) first became lexicographically at
least as good, and when `plan` returned. Two ratios: warm over cold time to that quality (strict: about 1
whenever the cold search never improves its own start), and warm time to it over the cold re-plan's run time
(what a caller waiting on a cold re-plan would wait instead).
"""

from __future__ import annotations

import inspect
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from api_schemas.common import Priority
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from benchmarks.evaluation import compare, objective_of, violations_of
from benchmarks.instances import InstanceSpec
from benchmarks.memory import peak_rss_mib
from benchmarks.phases import timed_phases
from solver.bounds.schedule_levels import level_values
from solver.planner import plan


@dataclass
class Replan:
    """One re-plan: when its search started, its start's objective, its improving solutions, its outcome."""

    solve_started_s: float | None = None
    returned_s: float = 0.0
    initial: list[int] | None = None
    events: list[tuple[float, str, int]] = field(default_factory=list)
    level_names: list[str] = field(default_factory=list)
    level_values: list[int] = field(default_factory=list)
    objective: list[int] = field(default_factory=list)
    status: str = ""
    violations: list[str] = field(default_factory=list)
    #: False when the wall clock, not the deterministic budget, stopped a level (the plan may differ next run).
    repeatable: bool = True

    def reached(self, target: list[int]) -> float | None:
        """Seconds after the call until the incumbent was at least as good as `target` (None if never)."""
        if self.initial is not None and self.solve_started_s is not None and compare(self.initial, target) <= 0:
            return self.solve_started_s
        last = len(self.level_names) - 1
        for seconds, name, value in self.events:
            if name not in self.level_names:
                continue
            position = self.level_names.index(name)
            prefix = [*self.level_values[:position], value]
            verdict = compare(prefix, target[: position + 1])
            if verdict < 0 or (verdict == 0 and position == last):
                return seconds
        return self.returned_s if self.objective and compare(self.objective, target) <= 0 else None


#: A change: the request after it, and how the report names it (None when the request offers nothing to change).
Change = Callable[[PlanRequest, random.Random], tuple[PlanRequest, str] | None]


def escalate(request: PlanRequest, rng: random.Random) -> tuple[PlanRequest, str] | None:
    """One estimated P2 issue raised to P0 ("what if we make this urgent?")."""
    candidates = [issue.id for issue in request.issues if issue.priority == Priority.P2 and issue.work_hours]
    if not candidates:
        return None
    chosen = rng.choice(candidates)
    issues = [
        issue.model_copy(update={"priority": Priority.P0}) if issue.id == chosen else issue for issue in request.issues
    ]
    return request.model_copy(update={"issues": issues}), f"{chosen} raised from P2 to P0"


def due_earlier(request: PlanRequest, rng: random.Random) -> tuple[PlanRequest, str] | None:
    """One milestone's due date a week earlier ("what if the client wants it sooner?")."""
    candidates = [milestone.id for milestone in request.milestones if milestone.due is not None]
    if not candidates:
        return None
    chosen = rng.choice(candidates)
    milestones = [
        m.model_copy(update={"due": m.due - timedelta(days=7)}) if m.id == chosen and m.due is not None else m
        for m in request.milestones
    ]
    return request.model_copy(update={"milestones": milestones}), f"{chosen} due a week earlier"


def estimate_up(request: PlanRequest, rng: random.Random) -> tuple[PlanRequest, str] | None:
    """One P0 or P1 issue's estimate raised by half ("what if this takes longer?")."""
    candidates = [
        issue.id for issue in request.issues
        if issue.priority in (Priority.P0, Priority.P1) and issue.estimate_hours and issue.remaining_hours is None
    ]
    if not candidates:
        return None
    chosen = rng.choice(candidates)
    issues = [
        issue.model_copy(update={"estimate_hours": round((issue.estimate_hours or 0) * 1.5 * 4) / 4})
        if issue.id == chosen else issue
        for issue in request.issues
    ]
    return request.model_copy(update={"issues": issues}), f"{chosen} estimate +50%"


def add_owner(request: PlanRequest, rng: random.Random) -> tuple[PlanRequest, str] | None:
    """One more owner like an existing one ("what if we hire someone like them?")."""
    if not request.owners:
        return None
    model = rng.choice(request.owners)
    newcomer = model.model_copy(update={"id": f"{model.id}-twin", "name": None, "days_off": []})
    return request.model_copy(update={"owners": [*request.owners, newcomer]}), f"owner like {model.id} added"


CHANGES: tuple[Change, ...] = (escalate, due_earlier, estimate_up, add_owner)


def has_warm_start() -> bool:
    """True when the planner takes an earlier plan to start from."""
    return "warm_start" in inspect.signature(plan).parameters


def replan(request: PlanRequest, warm_start: PlanResult | None) -> tuple[Replan, PlanResult]:
    """Plan `request` (warm from an earlier plan when given), recording when the search improved."""
    run = Replan()
    started = time.monotonic()

    def progress(name: str, value: int, _bound: int, _seconds: float) -> None:
        run.events.append((time.monotonic() - started, name, value))

    options: dict[str, Any] = {"with_recommendations": False}
    if warm_start is not None:
        options["warm_start"] = warm_start
    with timed_phases() as log:
        result = plan(request, progress=progress, **options)
    run.returned_s = time.monotonic() - started
    search = "solve_levels" if "solve_levels" in log.arguments else "search_levels"
    call = log.arguments.get(search)
    if call is not None and len(call[0]) >= 3:
        first, _, start = call[0][:3]
        problem = getattr(first, "problem", first)  # solve_levels takes the model, search_levels the problem
        run.initial = level_values(problem, start) if start is not None else None
        # The start is in hand when the search is called: after preparation, rounds, warm start and model.
        run.solve_started_s = log.called_at[search] - started
    run.status = result.status.value
    run.repeatable = not any(warning.code == "not_repeatable" for warning in result.warnings)
    run.level_names = [stage.name for stage in result.objective]
    run.level_values = [stage.value for stage in result.objective]
    run.objective = objective_of(result)
    run.violations = violations_of(request, result)
    return run, result


def _summary(run: Replan, target: list[int]) -> dict[str, Any]:
    reached = run.reached(target) if target else None
    return {
        "status": run.status, "objective": run.objective, "start_objective": run.initial,
        "reached_target_s": None if reached is None else round(reached, 3),
        "solve_started_s": None if run.solve_started_s is None else round(run.solve_started_s, 3),
        "returned_s": round(run.returned_s, 3), "solutions": len(run.events), "repeatable": run.repeatable,
        "violations": run.violations[:5], "violation_count": len(run.violations),
    }


def compare_replans(changed: PlanRequest, base_result: PlanResult) -> dict[str, Any]:
    """Re-plan a changed request cold and warm (from `base_result`); when each reached the cold final quality."""
    cold, _ = replan(changed, None)
    warm, _ = replan(changed, base_result)
    target = cold.objective
    cold_summary, warm_summary = _summary(cold, target), _summary(warm, target)
    ratio = run_ratio = None
    if warm_summary["reached_target_s"] is not None:
        if cold_summary["reached_target_s"]:
            ratio = round(warm_summary["reached_target_s"] / cold_summary["reached_target_s"], 3)
        run_ratio = round(warm_summary["reached_target_s"] / max(cold.returned_s, 1e-3), 3)
    return {
        "status": f"cold {cold.status}, warm {warm.status}", "cold": cold_summary, "warm": warm_summary,
        "warm_beats_cold": bool(warm.objective and target and compare(warm.objective, target) < 0),
        "warm_to_cold_time_ratio": ratio, "warm_to_cold_run_time_ratio": run_ratio,
    }


def run_whatif(spec: InstanceSpec) -> dict[str, Any]:
    """Plan the instance, then for each kind of change re-plan cold and warm with the same time limit."""
    request = spec.request()
    row: dict[str, Any] = {"planner": "capplan-whatif", "instance": spec.as_dict()}
    if not has_warm_start():
        return {**row, "status": "NO_WARM_START_HOOK"}
    base, base_result = replan(request, None)
    changes: list[dict[str, Any]] = []
    for position, change in enumerate(CHANGES):
        changed = change(request, random.Random(spec.seed * len(CHANGES) + position))
        if changed is not None:
            changes.append({"change": changed[1], **compare_replans(changed[0], base_result)})
    return {
        **row, "status": "; ".join(c["status"] for c in changes), "base": _summary(base, base.objective),
        "changes": changes, "median_warm_to_cold_time_ratio": _median_of(changes, "warm_to_cold_time_ratio"),
        "median_warm_to_cold_run_time_ratio": _median_of(changes, "warm_to_cold_run_time_ratio"),
        "peak_rss_mib": peak_rss_mib(),
    }


def _median_of(changes: list[dict[str, Any]], key: str) -> float | None:
    """Median of one ratio over the changes that have it (None when none has)."""
    values = [change[key] for change in changes if change.get(key) is not None]
    return statistics.median(values) if values else None
