"""Greedy list scheduler: priority order, earliest-finishing qualified owner, first gap that fits.

It is the solver's hint and its fallback plan, and the baseline an issue tracker's auto-scheduler would give.
"""

from __future__ import annotations

import heapq
from bisect import insort
from datetime import date
from graphlib import TopologicalSorter

from solver.prepared.problem import PreparedProblem, Task
from solver.prepared.rules import dependency_release, meets_hard_deadline, start_window
from solver.prepared.schedule import Placement, Schedule, global_span


def _urgency(problem: PreparedProblem) -> dict[int, tuple[int, date]]:
    """Each task's most urgent priority and deadline among itself and everything that waits on it.

    A P3 issue that a P0 issue depends on is as urgent as the P0: ordered by its own priority, it would be
    placed after every ready P1-P2 issue and make the P0 late.
    """
    urgency = {task.index: (task.rank, task.deadline or date.max) for task in problem.tasks}
    for task in reversed(topological_order(problem)):
        rank, deadline = urgency[task.index]
        for pred, _ in task.preds:
            pred_rank, pred_deadline = urgency[pred]
            urgency[pred] = (min(pred_rank, rank), min(pred_deadline, deadline))
    return urgency


def topological_order(problem: PreparedProblem) -> list[Task]:
    """Tasks with every predecessor before its successors."""
    order = TopologicalSorter({task.index: [pred for pred, _ in task.preds] for task in problem.tasks})
    return [problem.tasks[index] for index in order.static_order()]


def fixed_busy(problem: PreparedProblem) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Time that fixed placements (in progress, frozen) hold from the outset, per (resource, member)."""
    busy: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for fixed in problem.tasks:
        if fixed.fixed_start is not None:
            insort(busy.setdefault((fixed.resources[0], 0), []), (fixed.fixed_start, fixed.fixed_start + fixed.work))
    return busy


def successors_of(problem: PreparedProblem) -> dict[int, list[int]]:
    """The tasks waiting on each task."""
    successors: dict[int, list[int]] = {task.index: [] for task in problem.tasks}
    for task in problem.tasks:
        for pred, _ in task.preds:
            successors[pred].append(task.index)
    return successors


def _first_fit(busy: list[tuple[int, int]], earliest: int, latest_start: int, work: int) -> int | None:
    """Earliest start >= `earliest` of a gap of `work` units in sorted `busy`, or None past `latest_start`."""
    candidate = earliest
    for begin, end in busy:
        if candidate + work <= begin:
            break
        candidate = max(candidate, end)
    return candidate if candidate <= latest_start else None


def list_key(problem: PreparedProblem) -> dict[int, tuple[object, ...]]:
    """The greedy's default list key per task: pinned work first (it has no freedom), then urgency.

    Urgency is priority and deadline, inherited from what waits on the task; then its own priority and backlog order.
    """
    urgency = _urgency(problem)
    return {
        task.index: (
            0 if task.pinned_day is not None or task.fixed_start is not None else 1,
            *urgency[task.index],
            task.rank,
            task.index,
        )
        for task in problem.tasks
    }


def critical_path_priority(problem: PreparedProblem) -> dict[int, float]:
    """A list priority for `greedy_schedule`: the longest chain of work from each task to the end goes first.

    The classic critical-path list order (HLFET); on a makespan it beats backlog order by far (STG rand0126 on 4
    processors: 100, the optimum, against 122), where urgency cannot tell the tasks apart.
    """
    successors = successors_of(problem)
    tail: dict[int, int] = {}
    for task in reversed(topological_order(problem)):
        tail[task.index] = task.work + max((tail[s] for s in successors[task.index]), default=0)
    return {index: -float(length) for index, length in tail.items()}


def urgency_order(problem: PreparedProblem) -> list[Task]:
    """Tasks in the greedy's default list order."""
    keys = list_key(problem)
    return sorted(problem.tasks, key=lambda task: keys[task.index])


def greedy_schedule(
    problem: PreparedProblem,
    previous: dict[int, tuple[int, int, int]] | None = None,
    priority: dict[int, float] | None = None,
) -> Schedule | None:
    """Place every task in priority-topological order; None when some task cannot be placed at all.

    With `previous` (task -> (start instant, resource, member) of an earlier plan) tasks go in that plan's
    start order and keep their owner where it can still do them: a repaired copy of the earlier plan.
    With `priority` (task -> number, lower first) unpinned tasks go in that order instead of by urgency.
    """
    previous = previous or {}
    default = list_key(problem)

    def key(task: Task) -> tuple[object, ...]:
        order = default[task.index]
        if task.index in previous:
            return (0, previous[task.index][0], order)
        if priority is not None:
            return (1, order[0], priority[task.index], order)
        return (1, order)

    successors = successors_of(problem)
    waiting = {t.index: len(t.preds) for t in problem.tasks}
    ready = [(key(t), t.index) for t in problem.tasks if not t.preds]
    heapq.heapify(ready)
    busy = fixed_busy(problem)
    schedule: Schedule = {}
    spans: dict[int, tuple[int, int, int]] = {}
    while ready:
        _, index = heapq.heappop(ready)
        task = problem.tasks[index]
        release = dependency_release(problem, task.preds, spans, task.release)
        if task.fixed_start is not None:
            resource_index = task.resources[0]
            clock = problem.clocks[problem.resources[resource_index].clock]
            if task.fixed_start + task.work > clock.total_units or clock.global_start(task.fixed_start) < release:
                return None  # a predecessor ends after this fixed start: no valid plan from this list
            placement = Placement(resource=resource_index, member=0, start=task.fixed_start)
            schedule[index] = placement
            spans[index] = global_span(problem, task, placement)
            for succ in successors[index]:
                waiting[succ] -= 1
                if waiting[succ] == 0:
                    heapq.heappush(ready, (key(problem.tasks[succ]), succ))
            continue
        best: tuple[int, int, int, int, int] | None = None
        for resource_index in task.resources:
            resource = problem.resources[resource_index]
            clock = problem.clocks[resource.clock]
            window = start_window(problem, task, clock, release, hard_deadline=False)
            if window.empty:
                continue
            for member in range(resource.capacity):
                start = _first_fit(busy.get((resource_index, member), []), window.earliest, window.latest, task.work)
                if start is None:
                    continue
                # The earlier plan's owner wins whenever it can still do the task (rank 0 before any other).
                kept = 0 if previous.get(index, (0, -1, -1))[1:] == (resource_index, member) else 1
                finish = clock.global_end(start + task.work)
                if best is None or (kept, finish, resource_index, member) < best[:4]:
                    best = (kept, finish, resource_index, member, start)
        if best is None:
            return None
        _, _, resource_index, member, start = best
        placement = Placement(resource=resource_index, member=member, start=start)
        schedule[index] = placement
        spans[index] = global_span(problem, task, placement)
        insort(busy.setdefault((resource_index, member), []), (start, start + task.work))
        for succ in successors[index]:
            waiting[succ] -= 1
            if waiting[succ] == 0:
                heapq.heappush(ready, (key(problem.tasks[succ]), succ))
    return schedule if len(schedule) == len(problem.tasks) else None


def meets_hard_deadlines(problem: PreparedProblem, schedule: Schedule) -> bool:
    """True when every hard deadline holds in `schedule`."""
    return all(meets_hard_deadline(task, global_span(problem, task, schedule[task.index])[2]) for task in problem.tasks)
