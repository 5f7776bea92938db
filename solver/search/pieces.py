"""Plans in pieces made from the unbroken twin's plans, with the bounds every plan in pieces must meet.

Above `LARGE_MODEL_TASKS` issues no model in pieces is searched: the unbroken twin's neighbourhood search plans,
and its plan, moved onto the owners and filled with pieces (`solver.starts.piece_fill`), is the plan in pieces.
Its levels are bounded by the static bounds only (earliest finishes and the finish-level bounds hold for pieces
too, docs/model.md): what the twin's search proved holds for unbroken plans, not for plans in pieces.
"""

from __future__ import annotations

import time

from api_schemas.result import SolveStatus
from solver.bounds.earliest_finish import earliest_finishes
from solver.bounds.schedule_levels import level_floors, level_values, problem_levels
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule, on_owners
from solver.search.lexicographic import LevelOutcome, SearchOutcome
from solver.starts.piece_fill import filled


def static_levels(problem: PreparedProblem, schedule: Schedule) -> list[LevelOutcome]:
    """Each level's value in `schedule` with its static bound (earlier finish levels held at their values)."""
    values = level_values(problem, schedule)
    floors = level_floors(problem, earliest_finishes(problem), values)
    return [
        LevelOutcome(level.name, value, min(value, floor))
        for level, value, floor in zip(problem_levels(problem), values, floors, strict=True)
    ]


def in_pieces(problem: PreparedProblem, twin: PreparedProblem, schedule: Schedule) -> Schedule:
    """A plan of the twin moved onto `problem`'s owners and filled with pieces where that ends work earlier."""
    return filled(problem, on_owners(twin, problem, schedule))


def filled_outcome(problem: PreparedProblem, twin: PreparedProblem, unbroken: SearchOutcome) -> SearchOutcome:
    """The twin's search outcome as a plan in pieces: filled, with static bounds; OPTIMAL only if every one is met."""
    if unbroken.schedule is None:
        return unbroken
    started = time.monotonic()
    schedule = in_pieces(problem, twin, unbroken.schedule)
    levels = static_levels(problem, schedule)
    proven = all(level.proven for level in levels) and not (problem.horizon_capped or problem.restricted)
    return SearchOutcome(
        SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE,
        schedule,
        levels,
        unbroken.seconds + time.monotonic() - started,
        unbroken.repeatable,
        unbroken.charged,
    )
