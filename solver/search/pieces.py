"""Plans in pieces made from the unbroken twin's plans, with the bounds every plan in pieces must meet.

Above `LARGE_MODEL_TASKS` issues no model in pieces is searched: the unbroken twin's neighbourhood search plans,
and its plan, moved onto the owners and filled with pieces (`solver.starts.piece_fill`), is the plan in pieces.
Its levels are bounded by the static bounds only (earliest finishes and the finish-level bounds hold for pieces
too, docs/model.md): what the twin's search proved holds for unbroken plans, not for plans in pieces. Up to that
size, `split_as_started` gives the search in pieces its first stage: only the issues the filled plan pauses split.
"""

from __future__ import annotations

import time
from dataclasses import replace

from api_schemas.result import SolveStatus
from solver.bounds.earliest_finish import earliest_finishes
from solver.bounds.schedule_levels import level_floors, level_values, problem_levels, task_floors
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule, on_owners
from solver.search.lexicographic import LevelOutcome, SearchOutcome
from solver.starts.piece_fill import filled


def static_levels(
    problem: PreparedProblem, schedule: Schedule, twin: PreparedProblem | None = None
) -> list[LevelOutcome]:
    """Each level's value in `schedule` with a quick static bound: its tasks' earliest lateness and finish sums.

    With `twin` (the unbroken twin of a problem in pieces) the bounds are computed on it, which has the same tasks,
    owners and clocks with owners pooled (much faster on large fleets), and the pieces level's is one piece per
    issue. The finish-level bounds (`solver.bounds.finish_sums`, about a second on 2,000 issues) are left to the
    searches: this is for a plan shown while they run.
    """
    values = level_values(problem, schedule)
    basis = twin if twin is not None else problem
    floors = task_floors(basis, earliest_finishes(basis))[: len(problem_levels(basis))]
    return [
        LevelOutcome(level.name, value, min(value, floor))
        for level, value, floor in zip(problem_levels(problem), values, _with_pieces(floors, problem), strict=True)
    ]


def _with_pieces(floors: list[int], problem: PreparedProblem) -> list[int]:
    """The twin's floors and, when `problem` has the pieces level (last), its floor: one piece per planned issue."""
    return floors + [len(problem.tasks)] * (len(problem_levels(problem)) - len(floors))


def in_pieces(problem: PreparedProblem, twin: PreparedProblem, schedule: Schedule) -> Schedule:
    """A plan of the twin moved onto `problem`'s owners and filled with pieces where that ends work earlier."""
    return filled(problem, on_owners(twin, problem, schedule))


def split_as_started(problem: PreparedProblem, start: Schedule) -> PreparedProblem | None:
    """`problem` with only the issues `start` has in pieces still splittable: the first stage of the search in pieces.

    None when `start` splits no issue, or every issue that may split. Marked `restricted`: its levels are proven
    among its own plans only, so its plan is a start for the full model in pieces, never a proof (docs/model.md,
    "Search").
    """
    split = {index for index, placement in start.items() if len(placement.runs) > 1}
    splittable = {task.index for task in problem.tasks if task.pieces.splits}
    if not split or split == splittable:
        return None
    tasks = [
        task if task.index in split else replace(task, pieces=replace(task.pieces, most=1))
        for task in problem.tasks
    ]
    return replace(problem, tasks=tasks, restricted=True)


def filled_outcome(
    problem: PreparedProblem, twin: PreparedProblem, unbroken: SearchOutcome, static_bounds: bool = True
) -> SearchOutcome:
    """The twin's search outcome as a plan in pieces: filled, OPTIMAL only if every static bound is met.

    With `static_bounds` (the neighbourhood search's outcome, which proves nothing else) its bounds are kept as the
    twin's search left them: valid for plans in pieces too, computed with its plan's values (so at most as strong
    as with the filled plan's, never wrong). Otherwise (the twin's full model, whose proofs hold for unbroken plans
    only) the static bounds are computed; and a twin proven infeasible proves nothing of the pieces: UNKNOWN.
    """
    if unbroken.schedule is None:
        status = SolveStatus.UNKNOWN if unbroken.status is SolveStatus.INFEASIBLE else unbroken.status
        return SearchOutcome(status, None, [], unbroken.seconds, unbroken.repeatable, unbroken.charged)
    started = time.monotonic()
    schedule = in_pieces(problem, twin, unbroken.schedule)
    values = level_values(problem, schedule)
    if static_bounds:
        bounds = [level.bound for level in unbroken.levels]
    else:
        bounds = level_floors(twin, earliest_finishes(twin), values[: len(problem_levels(twin))])
    floors = _with_pieces(bounds, problem)
    levels = [
        LevelOutcome(level.name, value, min(value, floor))
        for level, value, floor in zip(problem_levels(problem), values, floors, strict=True)
    ]
    proven = all(level.proven for level in levels) and not (problem.horizon_capped or problem.restricted)
    return SearchOutcome(
        SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE,
        schedule,
        levels,
        unbroken.seconds + time.monotonic() - started,
        unbroken.repeatable,
        unbroken.charged,
    )
