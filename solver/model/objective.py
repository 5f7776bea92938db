"""The lexicographic objective's levels: lateness per priority, then finish times per priority."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver.model.variables import TaskVars

PRIORITY_NAMES = ("P0", "P1", "P2", "P3")


@dataclass
class ObjectiveLevel:
    """One level: a name, its linear expression, and whether it is a lateness level (>= 0, often 0).

    `static_bound` is known before any search: the sum of its terms' lowest values (earliest finishes).
    """

    name: str
    expression: cp_model.LinearExprT
    is_lateness: bool
    static_bound: int = 0


def lateness_level_name(rank: int) -> str:
    """Name of the lateness level of priority rank `rank`."""
    return f"{PRIORITY_NAMES[rank]} lateness (working days)"


def finish_level_name(rank: int) -> str:
    """Name of the finish level of priority rank `rank`."""
    return f"{PRIORITY_NAMES[rank]} finish (team quarter hours)"


def level_names(ranks: Iterable[int]) -> list[str]:
    """Names of the levels of a backlog with work in priority ranks `ranks`, in `objective_levels` order."""
    present = sorted(set(ranks))
    return [lateness_level_name(rank) for rank in present] + [finish_level_name(rank) for rank in present]


def objective_levels(tasks: list[TaskVars]) -> list[ObjectiveLevel]:
    """Levels for priorities with planned work, most important first (see docs/model.md)."""
    levels: list[ObjectiveLevel] = []
    for rank in range(len(PRIORITY_NAMES)):
        late = [tv.lateness for tv in tasks if tv.task.rank == rank and tv.lateness is not None]
        if any(tv.task.rank == rank for tv in tasks):
            bound = sum(_lowest(var) for var in late)
            levels.append(ObjectiveLevel(lateness_level_name(rank), sum(late), True, bound))
    for rank in range(len(PRIORITY_NAMES)):
        ends = [tv.team_end for tv in tasks if tv.task.rank == rank]
        if ends:
            bound = sum(_lowest(var) for var in ends)
            levels.append(ObjectiveLevel(finish_level_name(rank), sum(ends), False, bound))
    return levels


def _lowest(var: cp_model.IntVar) -> int:
    return int(var.proto.domain[0])
