"""Objective level values of a schedule, and each level's static bound, computed in Python (no model needed)."""

from __future__ import annotations

from api_schemas.common import UNITS_PER_DAY
from solver.bounds.earliest_finish import EarliestFinish
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule, global_span


def level_values(problem: PreparedProblem, schedule: Schedule) -> list[int]:
    """Objective level values of a schedule computed in Python (same order as `objective_levels`)."""
    lateness = [0, 0, 0, 0]
    finish = [0, 0, 0, 0]
    present = [False] * 4
    for task in problem.tasks:
        _, end, end_day = global_span(problem, task, schedule[task.index])
        table = problem.lateness_table(task)
        if table is not None:
            lateness[task.rank] += table[end_day]
        finish[task.rank] += problem.team_time(end)
        present[task.rank] = True
    return [lateness[r] for r in range(4) if present[r]] + [finish[r] for r in range(4) if present[r]]


def level_floors(problem: PreparedProblem, earliest: list[EarliestFinish]) -> list[int]:
    """Each level's static bound: the sum of its tasks' earliest lateness or finish (as `objective_levels`)."""
    latest_team_time = (problem.horizon_days + 1) * UNITS_PER_DAY
    lateness, finish, present = [0] * 4, [0] * 4, [False] * 4
    for task in problem.tasks:
        table = problem.lateness_table(task)
        if table is not None:
            lateness[task.rank] += min(earliest[task.index].lateness, max(table))
        finish[task.rank] += min(earliest[task.index].team_time, latest_team_time)
        present[task.rank] = True
    return [lateness[r] for r in range(4) if present[r]] + [finish[r] for r in range(4) if present[r]]
