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

from api_schemas.common import UNITS_PER_DAY
from solver.prepared.baseline import exact_unit
from solver.prepared.problem import PreparedProblem, Task
from solver.prepared.schedule import Placement, Schedule, global_span
from solver.starts.greedy import list_key, meets_hard_deadlines, successors_of

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


def _claims(problem: PreparedProblem) -> dict[int, tuple[int, int, int]]:
    """Per task, the (resource, start, end) of its baseline place when its baseline owner can still take it."""
    claims: dict[int, tuple[int, int, int]] = {}
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
            claims[task.index] = (resource, unit, unit + task.work)
    return claims


def replayed(problem: PreparedProblem) -> Schedule | None:
    """The replay of the baseline (module docstring); None when some task finds no place or a hard deadline fails."""
    claims = _claims(problem)
    default = list_key(problem)
    far = problem.horizon_days * UNITS_PER_DAY

    def key(task: Task) -> tuple[object, ...]:
        place = task.baseline
        instant = place.instant if place is not None else far
        return (0 if task.fixed_start is not None else 1, instant, default[task.index])

    busy: dict[tuple[int, int], Spans] = {}
    for task in problem.tasks:
        if task.fixed_start is not None:
            insort(busy.setdefault((task.resources[0], 0), []), (task.fixed_start, task.fixed_start + task.work))
    claimed: dict[int, Spans] = {}
    for resource, start, end in claims.values():
        claimed.setdefault(resource, []).append((start, end))
    successors = successors_of(problem)
    waiting = {t.index: len(t.preds) for t in problem.tasks}
    ready = [(key(t), t.index) for t in problem.tasks if not t.preds]
    heapq.heapify(ready)
    schedule: Schedule = {}
    spans: dict[int, tuple[int, int, int]] = {}
    while ready:
        _, index = heapq.heappop(ready)
        task = problem.tasks[index]
        release = task.release
        for pred, lag in task.preds:
            _, end, end_day = spans[pred]
            release = max(release, problem.release_after(end, end_day, lag))
        claim = claims.get(index)
        if claim is not None:
            claimed[claim[0]].remove((claim[1], claim[2]))
        placement = _place(problem, task, release, claim, busy, claimed)
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
    if len(schedule) != len(problem.tasks) or not meets_hard_deadlines(problem, schedule):
        return None
    return schedule


def _place(
    problem: PreparedProblem,
    task: Task,
    release: int,
    claim: tuple[int, int, int] | None,
    busy: dict[tuple[int, int], Spans],
    claimed: dict[int, Spans],
) -> Placement | None:
    """The task's fixed place, its baseline place when still free, else the first unclaimed gap (see module)."""
    if task.fixed_start is not None:
        clock = problem.clocks[problem.resources[task.resources[0]].clock]
        if task.fixed_start + task.work > clock.total_units or clock.global_start(task.fixed_start) < release:
            return None
        return Placement(task.resources[0], 0, task.fixed_start)
    if claim is not None:
        resource, start, end = claim  # the baseline owner is never pooled: member 0
        clock = problem.clocks[problem.resources[resource].clock]
        if clock.global_start(start) >= release and not _overlaps(busy.get((resource, 0), []), start, end):
            return Placement(resource, 0, start)
    best: tuple[int, int, int, int, int] | None = None
    keeper = task.baseline.owner if task.baseline is not None else None
    for avoid_claims in (True, False):
        for resource_index in task.resources:
            group = problem.resources[resource_index]
            clock = problem.clocks[group.clock]
            earliest, latest = clock.first_unit_at_or_after(release), clock.total_units - task.work
            if task.pinned_day is not None:
                day_units = clock.units_on_day(task.pinned_day)
                if not day_units:
                    continue
                earliest, latest = max(earliest, day_units.start), min(latest, day_units.stop - 1)
            others = claimed.get(resource_index, []) if avoid_claims else []
            for member in range(group.capacity):
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
