"""Objective level values of a schedule, and each level's static bound, computed in Python (no model needed)."""

from __future__ import annotations

from collections.abc import Sequence

from api_schemas.common import UNITS_PER_DAY
from api_schemas.result import LevelKind, ObjectiveLevelId, PlanForm
from solver.bounds.earliest_finish import EarliestFinish
from solver.bounds.finish_sums import FinishSums, finish_sums, own_bounds
from solver.levels import RANKS, in_level_order, levels_of
from solver.prepared.baseline import disruption, disruption_floor
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule, global_span, pieces_of


def problem_levels(problem: PreparedProblem) -> list[ObjectiveLevelId]:
    """The problem's objective levels in order (`solver.levels`): those of its priorities with planned work.

    The stability levels come in where `options.stability` puts them when some task has a baseline place; the pieces
    level last when the plan's form is pieces.
    """
    with_baseline = any(task.baseline is not None for task in problem.tasks)
    stability = problem.request.options.stability if with_baseline else None
    return levels_of((task.rank for task in problem.tasks), stability, pieces=problem.form is PlanForm.PIECES)


def level_values(problem: PreparedProblem, schedule: Schedule) -> list[int]:
    """Objective level values of a schedule computed in Python (in `problem_levels` order)."""
    lateness, finish, moves = [0] * RANKS, [0] * RANKS, [0, 0, 0]
    for task in problem.tasks:
        placement = schedule[task.index]
        _, end, end_day = global_span(problem, task, placement)
        table = problem.lateness_table(task)
        if table is not None:
            lateness[task.rank] += table[end_day]
        finish[task.rank] += problem.team_time(end)
        if task.baseline is not None:
            moves = [total + term for total, term in zip(moves, disruption(problem, task, placement), strict=True)]
    return in_level_order(problem_levels(problem), lateness, finish, moves, pieces_of(schedule))


def task_floors(problem: PreparedProblem, earliest: list[EarliestFinish]) -> list[int]:
    """Each level's sum of its tasks' own earliest lateness or finish (in `problem_levels` order).

    A level at this sum has every task at its own bound, which `solver.bounds.finish_windows` relies on.
    """
    latest_team_time = (problem.horizon_days + 1) * UNITS_PER_DAY
    lateness, finish, moves = [0] * RANKS, [0] * RANKS, [0, 0, 0]
    for task in problem.tasks:
        table = problem.lateness_table(task)
        if table is not None:
            lateness[task.rank] += min(earliest[task.index].lateness, max(table))
        finish[task.rank] += min(earliest[task.index].team_time, latest_team_time)
        moves = [total + floor for total, floor in zip(moves, disruption_floor(problem, task), strict=True)]
    return in_level_order(problem_levels(problem), lateness, finish, moves, len(problem.tasks))


def level_floors(
    problem: PreparedProblem,
    earliest: list[EarliestFinish],
    values: Sequence[int] | None = None,
    sums: FinishSums | None = None,
) -> list[int]:
    """Each level's static bound (in `problem_levels` order): `task_floors`, finish levels raised to B_r.

    B_r is the order-statistic bound of rank r's finishes (`solver.bounds.finish_sums`, computed unless `sums` are
    given). With `values` (a plan's level values, earlier finish levels held at most at them), finish level r is
    also at least P_r - (V_0 + ... + V_{r-1}): the bound on all finishes of ranks <= r less those held before.
    """
    if sums is None:
        own = own_bounds(problem, earliest)
        sums = finish_sums(problem, earliest, own) if values is not None else FinishSums(own, [0] * len(own))
    floors = task_floors(problem, earliest)
    held = 0
    for position, level in enumerate(problem_levels(problem)):
        if level.kind is not LevelKind.FINISH:
            continue
        floors[position] = max(floors[position], sums.own[level.rank])
        if values is not None:
            floors[position] = max(floors[position], sums.prefix[level.rank] - held)
            held += values[position]
    return floors
