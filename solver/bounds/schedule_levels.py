"""Objective level values of a schedule, and each level's static bound, computed in Python (no model needed)."""

from __future__ import annotations

from api_schemas.common import UNITS_PER_DAY
from api_schemas.result import ObjectiveLevelId
from solver.bounds.earliest_finish import EarliestFinish
from solver.levels import RANKS, in_level_order, levels_of
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule, global_span


def problem_levels(problem: PreparedProblem) -> list[ObjectiveLevelId]:
    """The problem's objective levels in order (`solver.levels`): those of its priorities with planned work."""
    return levels_of(task.rank for task in problem.tasks)


def level_values(problem: PreparedProblem, schedule: Schedule) -> list[int]:
    """Objective level values of a schedule computed in Python (in `problem_levels` order)."""
    lateness, finish = [0] * RANKS, [0] * RANKS
    for task in problem.tasks:
        _, end, end_day = global_span(problem, task, schedule[task.index])
        table = problem.lateness_table(task)
        if table is not None:
            lateness[task.rank] += table[end_day]
        finish[task.rank] += problem.team_time(end)
    return in_level_order(problem_levels(problem), lateness, finish)


def level_floors(problem: PreparedProblem, earliest: list[EarliestFinish]) -> list[int]:
    """Each level's static bound: the sum of its tasks' earliest lateness or finish (in `problem_levels` order)."""
    latest_team_time = (problem.horizon_days + 1) * UNITS_PER_DAY
    lateness, finish = [0] * RANKS, [0] * RANKS
    for task in problem.tasks:
        table = problem.lateness_table(task)
        if table is not None:
            lateness[task.rank] += min(earliest[task.index].lateness, max(table))
        finish[task.rank] += min(earliest[task.index].team_time, latest_team_time)
    return in_level_order(problem_levels(problem), lateness, finish)
