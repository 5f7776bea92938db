"""The lexicographic objective's levels: lateness per priority, then finish times per priority."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver.model.variables import TaskVars

PRIORITY_NAMES = ("P0", "P1", "P2", "P3")


@dataclass
class ObjectiveLevel:
    """One level: a name, its linear expression, and whether it is a lateness level (>= 0, often 0)."""

    name: str
    expression: cp_model.LinearExprT
    is_lateness: bool


def objective_levels(tasks: list[TaskVars]) -> list[ObjectiveLevel]:
    """Levels for priorities with planned work, most important first (see docs/model.md)."""
    levels: list[ObjectiveLevel] = []
    for rank, name in enumerate(PRIORITY_NAMES):
        late = [tv.lateness for tv in tasks if tv.task.rank == rank and tv.lateness is not None]
        if any(tv.task.rank == rank for tv in tasks):
            levels.append(ObjectiveLevel(f"{name} lateness (working days)", sum(late), is_lateness=True))
    for rank, name in enumerate(PRIORITY_NAMES):
        ends = [tv.team_end for tv in tasks if tv.task.rank == rank]
        if ends:
            levels.append(ObjectiveLevel(f"{name} finish (team quarter hours)", sum(ends), is_lateness=False))
    return levels
