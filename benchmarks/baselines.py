"""The baselines a planner would otherwise use, on the same instances: greedy list scheduling and PyJobShop.

Greedy is `solver.starts.greedy.greedy_schedule` (priority order, earliest-finishing qualified owner), the way
issue trackers auto-schedule. PyJobShop (a CP-SAT scheduling library) gets the instances it can express:
one pool of identical owners whose working days are the team's, so that lags and dates map exactly onto
the owners' working clock. Its lexicographic objective becomes one weighted sum (tardiness far above
completion times, P0 above P3), its best plan is split onto owners and checked like capplan's.
"""

from __future__ import annotations

import time
from typing import Any

from api_schemas.result import SolveStatus
from benchmarks.evaluation import checked_result, level_names, objective_of
from benchmarks.instances import InstanceSpec, describe
from benchmarks.memory import peak_rss_mib
from solver.planner import prepare_with_start
from solver.prepared.members import assign_members
from solver.prepared.problem import PreparedProblem
from solver.starts.greedy import greedy_schedule

#: Job weight per priority rank in PyJobShop's weighted objective (P0 first). Its variables reach 2**42,
#: so CP-SAT rejects objectives whose weights add up past about 2**21: these stay far below at 2,000 issues.
PRIORITY_WEIGHTS = (27, 9, 3, 1)
#: Weight of tardiness against completion time: lateness comes first in capplan's objective.
TARDINESS_WEIGHT = 32


def run_greedy(spec: InstanceSpec) -> dict[str, Any]:
    """The greedy plan of the instance (on the problem capplan prepares), timed and checked."""
    request = spec.request()
    started = time.monotonic()
    problem, _ = prepare_with_start(request)
    prepared = time.monotonic()
    schedule = greedy_schedule(problem)
    finished = time.monotonic()
    row: dict[str, Any] = {
        "planner": "greedy", "instance": spec.as_dict(), "counts": describe(request),
        "prepare_s": round(prepared - started, 3), "wall_s": round(finished - prepared, 3),
    }
    if schedule is None:
        return {**row, "status": "NO_PLAN", "objective": None, "violations": [], "violation_count": 0}
    result, violations = checked_result(problem, schedule, SolveStatus.FEASIBLE, level_names(problem))
    return {
        **row, "status": "FEASIBLE", "objective": objective_of(result), "levels": level_names(problem),
        "violations": violations[:5], "violation_count": len(violations), "peak_rss_mib": peak_rss_mib(),
    }


def expressible(problem: PreparedProblem) -> str | None:
    """Why PyJobShop cannot express this problem as identical machines on one clock, or None when it can."""
    if len(problem.resources) != 1:
        return f"{len(problem.resources)} distinct owner groups (skills, hours, calendars or pins)"
    clock = problem.clocks[problem.resources[0].clock]
    team_days = tuple(problem.team.is_working(problem.date_of(d)) for d in range(problem.horizon_days))
    if clock.working != team_days:
        return "the owners' working days differ from the team calendar, so lags are not fixed delays"
    return None


def run_pyjobshop(spec: InstanceSpec, workers: int) -> dict[str, Any]:
    """Solve the instance with PyJobShop within the spec's time limit and check its plan."""
    import pyjobshop  # type: ignore[import-untyped]

    request = spec.request()
    problem, _ = prepare_with_start(request)
    row: dict[str, Any] = {"planner": "pyjobshop", "instance": spec.as_dict(), "counts": describe(request)}
    reason = expressible(problem)
    if reason is not None:
        return {**row, "status": "NOT_EXPRESSIBLE", "reason": reason, "objective": None}
    resource = problem.resources[0]
    clock = problem.clocks[resource.clock]
    started = time.monotonic()
    model = pyjobshop.Model()
    pool = model.add_renewable(capacity=resource.capacity, name="owners")
    tasks = []
    for task in problem.tasks:
        due = clock.total_units  # never late within the horizon: PyJobShop needs a due date on every job
        if task.deadline is not None:
            day = min(max(problem.day_index(task.deadline) + 1, 0), problem.horizon_days)
            due = clock.cumulative[day]
        job = model.add_job(
            weight=PRIORITY_WEIGHTS[task.rank], release_date=clock.first_unit_at_or_after(task.release), due_date=due
        )
        handle = model.add_task(job, latest_end=clock.total_units, name=task.issue.id)
        model.add_mode(handle, pool, duration=task.work, demands=1)
        tasks.append(handle)
    for task in problem.tasks:
        for pred, lag in task.preds:
            model.add_end_before_start(tasks[pred], tasks[task.index], delay=lag * clock.units_per_day)
    model.set_objective(weight_total_flow_time=1, weight_total_tardiness=TARDINESS_WEIGHT)
    built = time.monotonic()
    solved = model.solve(time_limit=spec.time_limit_s, display=False, num_workers=workers)
    wall = time.monotonic() - started
    row.update(
        status=solved.status.name, wall_s=round(wall, 3), build_s=round(built - started, 3),
        solver_runtime_s=round(solved.runtime, 3), pyjobshop_objective=solved.objective,
        pyjobshop_bound=solved.lower_bound, workers=workers,
    )
    if not solved.best.tasks:
        return {**row, "objective": None, "violations": [], "violation_count": 0, "peak_rss_mib": peak_rss_mib()}
    chosen = {index: (resource.index, scheduled.start) for index, scheduled in enumerate(solved.best.tasks)}
    result, violations = checked_result(
        problem, assign_members(problem, chosen), SolveStatus.FEASIBLE, level_names(problem)
    )
    return {
        **row, "objective": objective_of(result), "levels": level_names(problem),
        "violations": violations[:5], "violation_count": len(violations), "peak_rss_mib": peak_rss_mib(),
    }

