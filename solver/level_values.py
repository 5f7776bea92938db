"""A schedule's objective level values, computed in Python from its placements (no model needed)."""

from __future__ import annotations

from solver.problem import Problem
from solver.schedule import Schedule, global_span


def level_values(problem: Problem, schedule: Schedule) -> list[int]:
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
