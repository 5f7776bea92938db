"""The objective's levels in lexicographic order (docs/model.md, Objective), described once.

The model's expressions, a schedule's values and bounds, the start search and the reported stage names all follow
this list, so they cannot disagree on which levels exist or in what order. With a baseline, the stability levels
(reassigned, moved, shift) go after the lateness levels (the default) or before them (docs/model.md, "Living plans").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from api_schemas.common import Priority
from api_schemas.request import Stability
from api_schemas.result import STABILITY_KINDS, LevelKind, ObjectiveLevelId

#: Priority ranks, 0 for P0.
RANKS = len(Priority)
#: Every level without a baseline, most important first: lateness of P0..P3, then finish of P0..P3.
LEVELS: tuple[ObjectiveLevelId, ...] = tuple(
    ObjectiveLevelId(kind, priority) for kind in (LevelKind.LATENESS, LevelKind.FINISH) for priority in Priority
)
#: The stability levels, in their order.
STABILITY_LEVELS: tuple[ObjectiveLevelId, ...] = tuple(ObjectiveLevelId(kind) for kind in STABILITY_KINDS)


#: The last level, present when some issue may be split: the number of pieces of all planned issues.
PIECES = ObjectiveLevelId(LevelKind.PIECES)


def levels_of(
    ranks: Iterable[int], stability: Stability | None = None, pieces: bool = False
) -> list[ObjectiveLevelId]:
    """The levels of a backlog with planned work in priority ranks `ranks`, in order (other priorities have none).

    `stability` places the stability levels (None or OFF: none, e.g. without a baseline); `pieces` adds the pieces
    level last (some issue may be split: docs/model.md, Objective level 9).
    """
    present = set(ranks)
    ranked = [level for level in LEVELS if level.rank in present]
    tail = [PIECES] if pieces else []
    if stability is None or stability is Stability.OFF:
        return ranked + tail
    at = 0 if stability is Stability.FIRST else sum(level.kind is LevelKind.LATENESS for level in ranked)
    return [*ranked[:at], *STABILITY_LEVELS, *ranked[at:], *tail]


def in_level_order(
    levels: Sequence[ObjectiveLevelId],
    lateness: Sequence[int],
    finish: Sequence[int],
    disruption: Sequence[int] = (0, 0, 0),
    pieces: int = 0,
) -> list[int]:
    """Each level's value: lateness and finish totals per priority rank, the disruption totals, the pieces."""
    values = []
    for level in levels:
        if level.kind.is_stability:
            values.append(disruption[STABILITY_KINDS.index(level.kind)])
        elif level.kind is LevelKind.PIECES:
            values.append(pieces)
        else:
            values.append((lateness if level.kind is LevelKind.LATENESS else finish)[level.rank])
    return values
