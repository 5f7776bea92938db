"""Split a pool's work onto its identical owners, keeping each issue on its baseline owner where the work allows.

A pool of k identical owners is one cumulative resource in the model; its work is handed to owners afterwards by
interval colouring (always possible: at no instant more than k of its issues run). With a baseline, an issue whose
baseline owner is in the pool goes to that owner when they are free at its start, and other work goes to an owner
it keeps free for their own baseline work (docs/model.md, "Living plans": reassigned is counted on these owners).
"""

from __future__ import annotations

import heapq

from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Placement, Schedule

#: Per task: (resource, local start), and its pieces' local (start, end) runs when split.
Chosen = dict[int, tuple[int, int]]
Runs = dict[int, tuple[tuple[int, int], ...]]


def assign_members(problem: PreparedProblem, chosen: Chosen, runs: Runs | None = None) -> Schedule:
    """Each task's placement on one owner of its resource (module docstring).

    Split tasks (`runs`, their pieces) only run on single owners (owners are not pooled when issues may be split,
    `solver.prepared.problem`), where the colouring is trivial.
    """
    runs = runs or {}
    schedule: Schedule = {}
    by_resource: dict[int, list[tuple[int, int, int]]] = {}
    for task_index, (resource_index, start) in chosen.items():
        end = runs[task_index][-1][1] if task_index in runs else start + problem.tasks[task_index].work
        by_resource.setdefault(resource_index, []).append((start, end, task_index))
    for resource_index, stretches in by_resource.items():
        stretches.sort()
        members = _members(problem, resource_index, stretches)
        for (start, _, task_index), member in zip(stretches, members, strict=True):
            schedule[task_index] = Placement(resource_index, member, start, runs.get(task_index, ()))
    return schedule


def _members(problem: PreparedProblem, resource_index: int, stretches: list[tuple[int, int, int]]) -> list[int]:
    """The owner of each stretch (sorted by start), one issue at a time per owner."""
    owners = problem.resources[resource_index].owner_ids
    if len(owners) == 1:
        return [0] * len(stretches)
    member_of = {owner: member for member, owner in enumerate(owners)}
    preferred: list[int | None] = []
    for _, _, task_index in stretches:
        place = problem.tasks[task_index].baseline
        preferred.append(member_of.get(place.owner) if place is not None else None)
    if all(member is None for member in preferred):
        return _lowest_free(len(owners), stretches)
    return _keeping_baseline(len(owners), stretches, preferred)


def _lowest_free(capacity: int, stretches: list[tuple[int, int, int]]) -> list[int]:
    """Without a baseline: each stretch on the lowest-numbered owner free at its start."""
    free = list(range(capacity))
    busy: list[tuple[int, int]] = []  # (free again at, member)
    members = []
    for start, end, _ in stretches:
        while busy and busy[0][0] <= start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        member = heapq.heappop(free)
        heapq.heappush(busy, (end, member))
        members.append(member)
    return members


def _keeping_baseline(capacity: int, stretches: list[tuple[int, int, int]], preferred: list[int | None]) -> list[int]:
    """Each stretch on its baseline owner when free at its start, else on a free owner it keeps free for their work.

    That is the free owner whose next baseline work starts soonest at or after the stretch's end, else the free
    owner whose next baseline work starts last (some baseline work then goes to another owner).

    When every stretch of the pool has its baseline owner in it and those owners' work does not overlap (the
    baseline itself, or a plan that keeps it), every stretch gets its baseline owner.
    """
    claims: list[list[int]] = [[] for _ in range(capacity)]  # per owner, positions of stretches preferring them
    for position, member in enumerate(preferred):
        if member is not None:
            claims[member].append(position)
    pointer = [0] * capacity
    assigned = [False] * len(stretches)
    free_at = [0] * capacity
    never = 1 << 62

    def next_claim(member: int) -> int:
        queue = claims[member]
        while pointer[member] < len(queue) and assigned[queue[pointer[member]]]:
            pointer[member] += 1
        return stretches[queue[pointer[member]]][0] if pointer[member] < len(queue) else never

    members = []
    for position, (start, end, _) in enumerate(stretches):
        own = preferred[position]
        assigned[position] = True
        if own is not None and free_at[own] <= start:
            member = own
        else:
            fitting: tuple[int, int] | None = None
            latest: tuple[int, int] | None = None
            for candidate in range(capacity):
                if free_at[candidate] > start:
                    continue
                claim = next_claim(candidate)
                if claim >= end and (fitting is None or claim < fitting[0]):
                    fitting = (claim, candidate)
                if latest is None or claim > latest[0]:
                    latest = (claim, candidate)
            chosen = fitting or latest
            assert chosen is not None, "a pool never runs more issues at once than it has owners"
            member = chosen[1]
        free_at[member] = end
        members.append(member)
    return members
