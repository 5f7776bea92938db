"""One capplan solve of a generated instance: phase times, first solution, final status and gap, checked plan."""

from __future__ import annotations

import inspect
import time
from typing import Any

from benchmarks.evaluation import objective_of, violations_of
from benchmarks.instances import InstanceSpec, describe
from benchmarks.memory import peak_rss_mib
from benchmarks.phases import timed_phases
from solver.planner import plan


def _model_size(returned: dict[str, Any]) -> dict[str, Any]:
    """Size of the prepared problem and of the CP-SAT model the planner built, when it exposed them."""
    size: dict[str, Any] = {}
    prepared = returned.get("prepare_searched")
    if isinstance(prepared, tuple) and prepared:
        problem = prepared[0]
        size.update(
            tasks=len(problem.tasks), resources=len(problem.resources), clocks=len(problem.clocks),
            pooled_owners=sum(r.capacity for r in problem.resources if r.capacity > 1),
            horizon_days=problem.horizon_days, horizon_capped=problem.horizon_capped,
            greedy_found=prepared[1] is not None,
        )
    plan_model = returned.get("build_model")
    proto = getattr(getattr(plan_model, "model", None), "proto", None)
    if proto is not None:
        size.update(variables=len(proto.variables), constraints=len(proto.constraints), search="full model")
    elif "search_levels" in returned:
        size.update(search="neighbourhoods")  # no full model: small models per neighbourhood
    return size


def _plan_options(recommendations: bool) -> dict[str, Any]:
    """Keyword arguments that switch the planner's recommendations on or off, where it has them."""
    if "with_recommendations" in inspect.signature(plan).parameters:
        return {"with_recommendations": recommendations}
    return {}


def run_capplan(spec: InstanceSpec, recommendations: bool = False, first_plan: bool = False) -> dict[str, Any]:
    """Plan the instance with `solver.planner.plan` and check the result.

    Recommendations (when the planner offers them) are off unless asked for: they re-plan variants of the
    request within the same time limit, so with them the phase times below add up over every re-plan.
    With `first_plan`, the first plan the search offers is built and checked as a client watching the plan would
    (`first_checked_plan_s`; its cost is part of the run).
    """
    request = spec.request()
    solutions: list[tuple[float, str, int, int]] = []
    checked_at: list[float] = []
    started = time.monotonic()

    def progress(level: str, value: int, bound: int, _seconds: float) -> None:
        solutions.append((time.monotonic() - started, level, value, bound))

    def first_checked(step: Any) -> None:
        if not checked_at and step.best_plan is not None:
            step.best_plan()  # built and checked by the independent checker, or PlanCheckError
            checked_at.append(time.monotonic() - started)

    hooks: dict[str, Any] = {"on_progress": first_checked} if first_plan else {}
    with timed_phases() as log:
        result = plan(request, progress=progress, **_plan_options(recommendations), **hooks)
    wall = time.monotonic() - started
    violations = violations_of(request, result)
    seconds = {name: round(value, 3) for name, value in log.seconds.items()}
    return {
        "planner": "capplan",
        "instance": spec.as_dict(),
        "recommendations": recommendations,
        "counts": describe(request),
        "model": _model_size(log.returned),
        "status": result.status.value,
        "gap": result.gap,
        "objective": objective_of(result),
        "bounds": [stage.bound for stage in result.objective],
        "levels": [stage.name for stage in result.objective],
        "wall_s": round(wall, 3),
        "phases_s": seconds,
        "plan_ready_s": round(seconds.get("validate_request", 0.0) + seconds.get("prepare_searched", 0.0), 3),
        "first_solution_s": round(solutions[0][0], 3) if solutions else None,
        "first_checked_plan_s": round(checked_at[0], 3) if checked_at else None,
        "solutions": len(solutions),
        "last_improvement_s": round(solutions[-1][0], 3) if solutions else None,
        "check_s": result.check.seconds if result.check else None,
        "timing": result.timing.model_dump() if result.timing else None,
        "violations": violations[:5],
        "violation_count": len(violations),
        "peak_rss_mib": peak_rss_mib(),
        "form": result.form.value,
        "pieces": _pieces(result),
        "advice": _advice(result.recommendations),
    }


def _pieces(result: Any) -> dict[str, int]:
    """How the plan cut its issues: planned issues, their pieces, the issues split and the most pieces of one."""
    counts = [len(issue.pieces) for issue in result.issues if issue.slots]
    return {
        "issues": len(counts),
        "pieces": sum(counts),
        "split_issues": sum(1 for count in counts if count > 1),
        "most": max(counts, default=0),
    }


def _advice(recommendations: Any) -> dict[str, Any] | None:
    """What the recommendations offered: targets, verified and proven alternatives, and their time."""
    if recommendations is None:
        return None
    alternatives = verified = proven = 0
    for target in recommendations.targets:
        capacity = target.capacity
        found = [
            (target.extension, "verified", "proven_minimal"),
            (target.scope_cut, "verified", "proven"),
            (capacity.extra_owners if capacity else None, "verified", "proven_minimal"),
            (capacity.extra_hours if capacity else None, "verified", "proven_minimal"),
        ]
        for value, verified_field, proven_field in found:
            if value is not None:
                alternatives += 1
                verified += bool(getattr(value, verified_field))
                proven += bool(getattr(value, proven_field))
    return {
        "targets": len(recommendations.targets),
        "alternatives": alternatives,
        "verified": verified,
        "proven": proven,
        "complete": recommendations.complete,
        "seconds": recommendations.seconds,
    }
