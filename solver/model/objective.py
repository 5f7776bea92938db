"""The lexicographic objective as CP-SAT expressions: one per level of `solver.levels`, in its order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from api_schemas.result import STABILITY_KINDS, LevelKind, ObjectiveLevelId
from solver.bounds.earliest_finish import EarliestFinish
from solver.bounds.finish_sums import FinishSums, finish_sums
from solver.bounds.schedule_levels import problem_levels
from solver.levels import RANKS
from solver.model.disruption import disruption_terms
from solver.model.variables import TaskVars
from solver.prepared.baseline import disruption_floor


@dataclass
class ObjectiveLevel:
    """One level: which it is and its linear expression.

    `static_bound` is known before any search: the sum of its terms' lowest values (earliest finishes), for a
    finish level at least its order-statistic bound (`solver.bounds.finish_sums`).
    """

    id: ObjectiveLevelId
    expression: cp_model.LinearExprT
    static_bound: int = 0

    @property
    def name(self) -> str:
        """The level's stage name, e.g. 'P0 lateness (working days)'."""
        return self.id.name


def objective_levels(tasks: list[TaskVars], earliest: Sequence[EarliestFinish] | None = None) -> list[ObjectiveLevel]:
    """Levels for priorities with planned work, most important first (see docs/model.md).

    With `earliest` (every task's earliest finish), each finish level's static bound is raised to its
    order-statistic bound, and the model gets the redundant constraints of `add_finish_bounds`.
    """
    # Without the release-date term: as a redundant constraint it slowed the proofs (S seeds 0-2 took 1.2, 1.0 and
    # 2.5 s instead of 0.9, 0.9 and 1.6 s, every level proven in both); CP-SAT proves small models without it.
    problem = tasks[0].problem if tasks else None
    sums = finish_sums(problem, earliest, release_dates=False) if problem and earliest is not None else None
    own = sums.own if sums is not None else [0] * RANKS
    levels: list[ObjectiveLevel] = []
    order = problem_levels(tasks[0].problem) if tasks else []
    disruption = [disruption_terms(tv) for tv in tasks] if any(level.kind.is_stability for level in order) else []
    for level in order:
        of_rank = [tv for tv in tasks if tv.task.rank == level.rank]
        if level.kind.is_stability:
            which = STABILITY_KINDS.index(level.kind)
            floor = sum(disruption_floor(tv.problem, tv.task)[which] for tv in tasks)
            levels.append(ObjectiveLevel(level, sum(terms[which] for terms in disruption), floor))
            continue
        if level.kind is LevelKind.PIECES:
            # Every planned issue has at least one piece.
            levels.append(ObjectiveLevel(level, sum(tv.pieces for tv in tasks), len(tasks)))
            continue
        if level.kind is LevelKind.LATENESS:
            terms = [tv.lateness for tv in of_rank if tv.lateness is not None]
            bound = sum(_lowest(var) for var in terms)
        else:
            terms = [tv.team_end for tv in of_rank]
            bound = max(sum(_lowest(var) for var in terms), own[level.rank])
        levels.append(ObjectiveLevel(level, sum(terms), bound))
    if sums is not None:
        add_finish_bounds(tasks, sums)
    return levels


def add_finish_bounds(tasks: list[TaskVars], sums: FinishSums) -> None:
    """Redundant constraints: sum of finishes of rank r >= B_r, and of ranks <= r >= P_r (`solver.bounds.finish_sums`).

    Both hold in every schedule; with the levels of ranks < r held at V_0..V_{r-1}, the second gives rank r at least
    P_r - (V_0 + ... + V_{r-1}), which the per-task domains alone cannot show the search.
    """
    model, own, prefix = tasks[0].model, sums.own, sums.prefix
    own_sum = 0
    for rank in range(RANKS):
        ends = [tv.team_end for tv in tasks if tv.task.rank == rank]
        if not ends:
            continue
        lowest = sum(_lowest(var) for var in ends)
        if own[rank] > lowest:
            model.add(sum(ends) >= own[rank])
        own_sum += max(lowest, own[rank])
        if prefix[rank] > own_sum:
            model.add(sum(tv.team_end for tv in tasks if tv.task.rank <= rank) >= prefix[rank])


def _lowest(var: cp_model.IntVar) -> int:
    return int(var.proto.domain[0])
