"""The objective's levels in lexicographic order (docs/model.md, Objective), described once.

The model's expressions, a schedule's values and bounds, the start search and the reported stage names all follow
this list, so they cannot disagree on which levels exist or in what order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from api_schemas.common import Priority
from api_schemas.result import LevelKind, ObjectiveLevelId

#: Priority ranks, 0 for P0.
RANKS = len(Priority)
#: Every level, most important first: lateness of P0..P3, then finish of P0..P3.
LEVELS: tuple[ObjectiveLevelId, ...] = tuple(
    ObjectiveLevelId(kind, priority) for kind in (LevelKind.LATENESS, LevelKind.FINISH) for priority in Priority
)


#: The last level, present when some issue may be split: the number of pieces of all planned issues.
PIECES = ObjectiveLevelId(LevelKind.PIECES)


def levels_of(ranks: Iterable[int], pieces: bool = False) -> list[ObjectiveLevelId]:
    """The levels of a backlog with planned work in priority ranks `ranks`, in order (other priorities have none).

    `pieces` adds the pieces level last (some issue may be split: docs/model.md, Objective level 9).
    """
    present = set(ranks)
    return [level for level in LEVELS if level.rank in present] + ([PIECES] if pieces else [])


def in_level_order(
    levels: Sequence[ObjectiveLevelId], lateness: Sequence[int], finish: Sequence[int], pieces: int = 0
) -> list[int]:
    """Each level's value, taken from totals of lateness and of finish per priority rank, and the pieces."""
    totals = {LevelKind.LATENESS: lateness, LevelKind.FINISH: finish}
    return [pieces if level.kind is LevelKind.PIECES else totals[level.kind][level.rank] for level in levels]
