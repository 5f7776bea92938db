"""The baseline replayed: a start plan that keeps every baseline place the request still allows.

Tasks go in baseline start order (new tasks by the greedy's urgency after them), predecessors first. A task takes
its baseline place (its owner, its exact start) when the owner is free then and its predecessors, dates and pins
allow; otherwise it goes into the first gap after its release that no later task's baseline place claims, on the
owner that finishes it first (its baseline owner when it can). Only a change pushes work off its place, and the
pushed work goes where it pushes nothing else when it can (docs/model.md, "Living plans").
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections.abc import Iterator

from api_schemas.common import UNITS_PER_DAY
from solver.bounds.earliest_finish import EarliestFinish, earliest_finishes
from solver.prepared.baseline import exact_unit
from solver.prepared.problem import PreparedProblem, Task
from solver.prepared.rules import dependency_release, start_window
from solver.prepared.schedule import Placement, Schedule, global_span
from solver.starts.greedy import fixed_busy, list_key, successors_of

Spans = list[tuple[int, int]]


def _overlaps(spans: Spans, start: int, end: int) -> bool:
    return any(begin < end and start < finish for begin, finish in spans)


def _first_gap(spans: Spans, earliest: int, latest: int, work: int) -> int | None:
    candidate = earliest
    for begin, end in sorted(spans):
        if candidate + work <= begin:
            break
        candidate = max(candidate, end)
    return candidate if candidate <= latest else None


def _claims(problem: PreparedProblem) -> dict[int, tuple[int, int, int, int]]:
    """Per task, the (resource, member, start, end) of its baseline place when its baseline owner can still take it."""
    claims: dict[int, tuple[int, int, int, int]] = {}
    for task in problem.tasks:
        place = task.baseline
        if place is None or task.fixed_start is not None:
            continue
        resource = next((r for r in task.resources if place.owner in problem.resources[r].owner_ids), None)
        unit = exact_unit(problem, resource, place.instant) if resource is not None else None
        if resource is None or unit is None:
            continue
        clock = problem.clocks[problem.resources[resource].clock]
        day_ok = task.pinned_day is None or task.pinned_day == place.instant // UNITS_PER_DAY
        if day_ok and unit + task.work <= clock.total_units:
            member = problem.resources[resource].owner_ids.index(place.owner)
            claims[task.index] = (resource, member, unit, unit + task.work)
    return claims


def replayed(
    problem: PreparedProblem, boosted: frozenset[int] = frozenset(), respect_urgent: bool = True
) -> Schedule | None:
    """The replay of the baseline (module docstring); None when some task finds no place (hard deadlines unchecked).

    `boosted` tasks (late ones and what they wait for, `repaired_replays`) go first, by urgency, and take the
    earliest gap not claimed by work at least as urgent (by any work without `respect_urgent`): the work they
    displace is pushed instead.
    """
    claims = {index: claim for index, claim in _claims(problem).items() if index not in boosted}
    default = list_key(problem)
    far = problem.horizon_days * UNITS_PER_DAY

    def key(task: Task) -> tuple[object, ...]:
        place = task.baseline
        instant = place.instant if place is not None else far
        if task.index in boosted:
            return (1, 0, default[task.index])
        return (0 if task.fixed_start is not None else 2, instant, default[task.index])

    busy: dict[tuple[int, int], Spans] = fixed_busy(problem)
    claimed: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for index, (resource, member, start, end) in claims.items():
        claimed.setdefault((resource, member), []).append((start, end, problem.tasks[index].rank))
    successors = successors_of(problem)
    waiting = {t.index: len(t.preds) for t in problem.tasks}
    ready = [(key(t), t.index) for t in problem.tasks if not t.preds]
    heapq.heapify(ready)
    schedule: Schedule = {}
    spans: dict[int, tuple[int, int, int]] = {}
    while ready:
        _, index = heapq.heappop(ready)
        task = problem.tasks[index]
        release = dependency_release(problem, task.preds, spans, task.release)
        claim = claims.get(index)
        if claim is not None:
            claimed[claim[:2]].remove((claim[2], claim[3], task.rank))
        # Boosted work ignores the claims of less urgent work (of all work without `respect_urgent`).
        most = (task.rank if respect_urgent else -1) if index in boosted else len(default)
        placement = _place(problem, task, release, claim, busy, claimed, most)
        if placement is None:
            return None
        schedule[index] = placement
        spans[index] = global_span(problem, task, placement)
        if task.fixed_start is None:
            insort(busy.setdefault((placement.resource, placement.member), []),
                   (placement.start, placement.start + task.work))
        for succ in successors[index]:
            waiting[succ] -= 1
            if waiting[succ] == 0:
                heapq.heappush(ready, (key(problem.tasks[succ]), succ))
    # A missed hard deadline is left to the caller: `repaired_replays` puts that work first in its next round.
    return schedule if len(schedule) == len(problem.tasks) else None


def _place(
    problem: PreparedProblem,
    task: Task,
    release: int,
    claim: tuple[int, int, int, int] | None,
    busy: dict[tuple[int, int], Spans],
    claimed: dict[tuple[int, int], list[tuple[int, int, int]]],
    most: int,
) -> Placement | None:
    """The task's fixed place, its baseline place when still free, else the first gap unclaimed (see module).

    Only claims of work of rank `most` or more urgent count.
    """
    if task.fixed_start is not None:
        clock = problem.clocks[problem.resources[task.resources[0]].clock]
        if task.fixed_start + task.work > clock.total_units or clock.global_start(task.fixed_start) < release:
            return None
        return Placement(task.resources[0], 0, task.fixed_start)
    if claim is not None:
        resource, member, start, end = claim
        clock = problem.clocks[problem.resources[resource].clock]
        if clock.global_start(start) >= release and not _overlaps(busy.get((resource, member), []), start, end):
            return Placement(resource, member, start)
    best: tuple[int, int, int, int, int] | None = None
    keeper = task.baseline.owner if task.baseline is not None else None
    for avoid_claims in (True, False):
        for resource_index in task.resources:
            group = problem.resources[resource_index]
            clock = problem.clocks[group.clock]
            window = start_window(problem, task, clock, release, hard_deadline=False)
            if window.empty:
                continue
            earliest, latest = window.earliest, window.latest
            for member in range(group.capacity):
                claims = claimed.get((resource_index, member), []) if avoid_claims else []
                others = [(begin, end) for begin, end, rank in claims if rank <= most]
                gap = _first_gap([*busy.get((resource_index, member), []), *others], earliest, latest, task.work)
                if gap is None:
                    continue
                kept = 0 if group.owner_ids[member] == keeper else 1
                finish = clock.global_end(gap + task.work)
                if best is None or (kept, finish, resource_index, member) < best[:4]:
                    best = (kept, finish, resource_index, member, gap)
        if best is not None:
            break
    if best is None:
        return None
    return Placement(best[2], best[3], best[4])


def repaired_replays(problem: PreparedProblem, rounds: int) -> Iterator[Schedule]:
    """The replay, then up to `rounds` replays with late work first: a squeaky wheel anchored on the baseline.

    Each round the tasks later than their earliest lateness (and what they wait for) join those that go first and
    take any place. (Respecting the places of more urgent work instead did worse on the L churn benchmark: on three
    changes 420, 49 and 443 issues moved against 10, 52 and 443.)
    """
    boosted: set[int] = set()
    current = replayed(problem)
    for done in range(rounds + 1):
        if current is None:
            return
        yield current
        if done == rounds:
            return
        waiting = list(_late_tasks(problem, current, earliest_finishes(problem)) - boosted)
        if not waiting:
            return
        while waiting:
            index = waiting.pop()
            if index not in boosted:
                boosted.add(index)
                waiting.extend(pred for pred, _ in problem.tasks[index].preds)
        current = replayed(problem, frozenset(boosted), respect_urgent=False)


def _late_tasks(problem: PreparedProblem, schedule: Schedule, earliest: list[EarliestFinish]) -> set[int]:
    """Tasks later than their earliest lateness, or past their hard deadline."""
    late = set()
    for task in problem.tasks:
        table = problem.lateness_table(task)
        end_day = global_span(problem, task, schedule[task.index])[2]
        missed = task.hard_deadline_day is not None and end_day > task.hard_deadline_day
        if missed or (table is not None and table[end_day] > earliest[task.index].lateness):
            late.add(task.index)
    return late
