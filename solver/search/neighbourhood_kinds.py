"""The kinds of neighbourhood a search can set free around a late task, and an adaptive choice among them.

Each kind picks the free tasks of one neighbourhood (`solver.search.neighbourhood.free_tasks` turns them into a
sub-problem) around an anchor, a task that ends later than it could. Which kind pays off depends on the backlog
and on the level: `KindChoice` draws kinds with probabilities that follow each kind's recent gain per budget
second, with a floor so that none starves (adaptive large-neighbourhood search). Every draw comes from the search's
seeded generator and every gain and charge is deterministic in deterministic mode, so the plans still repeat.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from api_schemas.common import UNITS_PER_DAY, UNITS_PER_HOUR
from solver.bounds.earliest_finish import EarliestFinish
from solver.prepared.problem import Task
from solver.prepared.rules import released_after
from solver.search.neighbourhood import PlanState

#: Share of the draws spread evenly over the kinds whatever their record, so that a kind that failed for a while
#: is still tried when the plan has changed.
FLOOR_SHARE = 0.3
#: Weight of the newest outcome in a kind's running score (exponential smoothing).
REACTION = 0.1
#: An anchor planned to start less than this after its earliest start has no room to win back: the kinds that make
#: room there fall back to the work around it.
LATE_START = UNITS_PER_DAY


class Kind(Enum):
    """A way of choosing a neighbourhood's free tasks around an anchor."""

    #: The tasks starting nearest before (and a few after) the anchor on its owner groups.
    OWNERS = "owners"
    #: The same on every owner group: work that might swap owners.
    EVERYONE = "everyone"
    #: What holds the anchor back (the plan's critical path through dependencies and owners) and work beside it.
    BLOCKERS = "blockers"
    #: The work occupying the anchor's owner groups between its earliest start and its start, less important first.
    ROOM = "room"
    #: The late predecessors the anchor waits for (often less important work), each with room made as for ROOM.
    CHAIN = "chain"


@dataclass(frozen=True)
class Chosen:
    """One neighbourhood's free tasks (sorted), the task they were chosen around and the kind that chose them."""

    kind: Kind
    anchor: int
    free: list[int]


class KindChoice:
    """Draws neighbourhood kinds in proportion to their recent gain per budget second, with a floor per kind."""

    def __init__(self, kinds: Sequence[Kind], rng: random.Random) -> None:
        self.kinds = list(kinds)
        self.random = rng
        self.scores = dict.fromkeys(self.kinds, 0.0)
        self.drawn = dict.fromkeys(self.kinds, 0)

    def probabilities(self) -> list[float]:
        """Each kind's chance at the next draw: the floor share evenly, the rest by score (evenly when all are 0)."""
        total = sum(self.scores.values())
        even = 1.0 / len(self.kinds)
        if total <= 0.0:
            return [even] * len(self.kinds)
        return [FLOOR_SHARE * even + (1.0 - FLOOR_SHARE) * self.scores[kind] / total for kind in self.kinds]

    def draw(self) -> Kind:
        """The kind of the next neighbourhood."""
        kind = self.random.choices(self.kinds, weights=self.probabilities())[0]
        self.drawn[kind] += 1
        return kind

    def record(self, kind: Kind, gain: float, charge: float) -> None:
        """Score a neighbourhood of `kind`: `gain` (share of the level's gap it closed) per `charge` budget seconds."""
        rate = gain / charge if charge > 0.0 else 0.0
        self.scores[kind] += REACTION * (rate - self.scores[kind])


class KindPicker:
    """The free tasks of each kind of neighbourhood in a plan (`state`), given every task's earliest start."""

    def __init__(self, state: PlanState, earliest: Sequence[EarliestFinish]) -> None:
        self.state = state
        self.problem = state.problem
        self.earliest = earliest

    def free(self, kind: Kind, anchors: Sequence[Task], size: int, rng: random.Random) -> Chosen:
        """A neighbourhood of `kind` (or the kind it falls back to) of about `size` tasks around one of `anchors`.

        ROOM draws among the anchors that start a day or more late, CHAIN among those waiting for such a
        predecessor; each falls back to the next kind (CHAIN to ROOM, ROOM to OWNERS) when none does.
        """
        if kind is Kind.CHAIN:
            chains = [chain for anchor in anchors if len(chain := self._late_chain(anchor, max(size // 3, 1))) > 1]
            if chains:
                chain = rng.choice(chains)
                return Chosen(kind, chain[0], self._with_room(chain, size))
            kind = Kind.ROOM
        if kind is Kind.ROOM:
            late = [anchor.index for anchor in anchors if self._start_delay(anchor.index) >= LATE_START]
            if late:
                index = rng.choice(late)
                return Chosen(kind, index, self._with_room([index], size))
            kind = Kind.OWNERS
        anchor = rng.choice(anchors)
        if kind is Kind.BLOCKERS:
            return Chosen(kind, anchor.index, self._around_blockers(anchor, size, rng))
        return Chosen(kind, anchor.index, self._window(anchor, size, everyone=kind is Kind.EVERYONE))

    def _start_delay(self, index: int) -> int:
        """How much later than its earliest start a task starts (global instants)."""
        return self.state.spans[index][0] - self.earliest[index].start

    def _window(self, anchor: Task, size: int, everyone: bool) -> list[int]:
        """The `size` tasks starting nearest before (three quarters) and after the anchor, on its groups or all."""
        spans = self.state.spans
        if everyone:
            pool = list(range(len(self.problem.tasks)))
        else:
            pool = sorted({i for r in anchor.resources for i in self.state.on_resource[r]} | {anchor.index})
        ordered = sorted(pool, key=lambda index: (spans[index][0], index))
        at = ordered.index(anchor.index)
        first = max(0, at - (3 * size) // 4)
        chosen = ordered[first : first + size]
        if anchor.index not in chosen:
            chosen.append(anchor.index)
        return sorted(chosen)

    def _around_blockers(self, anchor: Task, size: int, rng: random.Random) -> list[int]:
        """What holds the anchor back (`_blockers`) and a sample of other work on their groups on the same days."""
        spans = self.state.spans
        blockers = self._blockers(anchor, size)
        resources = {self.state.schedule[i].resource for i in blockers} | set(anchor.resources)
        earliest = min(spans[i][0] for i in blockers)
        latest = spans[anchor.index][1]
        around = sorted(
            i
            for r in resources
            for i in self.state.on_resource[r]
            if i not in blockers and spans[i][1] > earliest and spans[i][0] < latest
        )
        room = max(size - len(blockers), 0)
        return sorted(blockers | set(rng.sample(around, min(room, len(around)))))

    def _blockers(self, anchor: Task, size: int) -> set[int]:
        """The anchor and, back from it, what each task waits for, up to half the neighbourhood.

        A task waits for a predecessor whose release comes within a day of its start, and for the work its owner
        does just before it (ending within an hour of its start): the critical path of the plan, through
        dependencies and owners alike.
        """
        problem, state = self.problem, self.state
        found, queue = {anchor.index}, [anchor.index]
        while queue and len(found) < size // 2:
            index = queue.pop(0)
            start = state.spans[index][0]
            waits = self._binding_preds(index, start - UNITS_PER_DAY)
            placement = state.schedule[index]
            for other in state.on_resource[placement.resource]:
                before = state.schedule[other]
                end = before.start + problem.tasks[other].work
                if before.member == placement.member and placement.start - UNITS_PER_HOUR <= end <= placement.start:
                    waits.append(other)
            for other in sorted(waits):
                if other not in found and len(found) < size // 2:
                    found.add(other)
                    queue.append(other)
        return found

    def _binding_preds(self, index: int, after: int) -> list[int]:
        """The predecessors of task `index` whose release (with its lag) comes later than instant `after`."""
        problem, spans = self.problem, self.state.spans
        return [
            pred
            for pred, lag in problem.tasks[index].preds
            if released_after(problem, spans[pred][1], spans[pred][2], lag) > after
        ]

    def _late_chain(self, anchor: Task, most: int) -> list[int]:
        """The anchor and, back from it, the predecessors that start late and release their successor late.

        A predecessor is in the chain when its release comes after its successor's earliest start and it starts
        a day or more after its own earliest start (so moving it earlier could let the successor start earlier).
        """
        chain, queue = [anchor.index], [anchor.index]
        while queue and len(chain) < most:
            index = queue.pop(0)
            for pred in sorted(self._binding_preds(index, self.earliest[index].start)):
                if pred not in chain and self._start_delay(pred) >= LATE_START and len(chain) < most:
                    chain.append(pred)
                    queue.append(pred)
        return chain

    def _with_room(self, targets: list[int], size: int) -> list[int]:
        """`targets` and the work occupying their owner groups between each one's earliest start and its start.

        Less important work first (it is what a better plan for the level moves out of the way), nearest the
        target's earliest start first; the targets take turns until `size` tasks are free, then the work just
        around the first target fills what is left.
        """
        spans, tasks = self.state.spans, self.problem.tasks
        chosen = set(targets)
        queues = []
        for index in targets:
            earliest, start = self.earliest[index].start, spans[index][0]
            occupying = {
                other
                for r in tasks[index].resources
                for other in self.state.on_resource[r]
                if other not in chosen and spans[other][1] > earliest and spans[other][0] < start
            }
            queues.append(sorted(occupying, key=lambda other: (-tasks[other].rank, spans[other][0], other)))
        room = (2 * size) // 3
        while len(chosen) < room and any(queues):
            for queue in queues:
                while queue and queue[0] in chosen:
                    queue.pop(0)
                if queue and len(chosen) < room:
                    chosen.add(queue.pop(0))
        anchor_start = spans[targets[0]][0]
        around = self._window(tasks[targets[0]], size, everyone=False)
        for index in sorted(around, key=lambda other: (abs(spans[other][0] - anchor_start), other)):
            if len(chosen) >= size:
                break
            chosen.add(index)
        return sorted(chosen)
