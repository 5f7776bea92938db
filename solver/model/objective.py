"""The lexicographic objective as CP-SAT expressions: one per level of `solver.levels`, in its order."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from api_schemas.result import LevelKind, ObjectiveLevelId
from solver.levels import levels_of
from solver.model.variables import TaskVars


@dataclass
class ObjectiveLevel:
    """One level: which it is and its linear expression.

    `static_bound` is known before any search: the sum of its terms' lowest values (earliest finishes).
    """

    id: ObjectiveLevelId
    expression: cp_model.LinearExprT
    static_bound: int = 0

    @property
    def name(self) -> str:
        """The level's stage name, e.g. 'P0 lateness (working days)'."""
        return self.id.name


def objective_levels(tasks: list[TaskVars]) -> list[ObjectiveLevel]:
    """Levels for priorities with planned work, most important first (see docs/model.md)."""
    levels: list[ObjectiveLevel] = []
    for level in levels_of(tv.task.rank for tv in tasks):
        of_rank = [tv for tv in tasks if tv.task.rank == level.rank]
        if level.kind is LevelKind.LATENESS:
            terms = [tv.lateness for tv in of_rank if tv.lateness is not None]
        else:
            terms = [tv.team_end for tv in of_rank]
        levels.append(ObjectiveLevel(level, sum(terms), sum(_lowest(var) for var in terms)))
    return levels


def _lowest(var: cp_model.IntVar) -> int:
    return int(var.proto.domain[0])
