"""Piece filling: a plan's idle owner time filled with pieces of splittable work that was waiting for it.

Every task is placed again in the order of its start, on the same owner, as early as its releases allow; a
task that may be split (`Task.pieces`) takes pieces in its owner's earlier idle time (left by waits on
dependencies, lags and not-before dates) when that ends it strictly earlier than one stretch would. Placed in
start order on the same owners, every task ends no later than before (its old stretch is still free when its
turn comes and its predecessors release it no later: a task whose earlier end would release a lag successor later,
which happens after work on a day the team does not work, keeps its old place), so lateness and finish levels do
not get worse; the result is kept only when it is lexicographically better, pieces level included. It costs time
linear in the tasks and their owners' gaps: the way pieces reach backlogs above `LARGE_MODEL_TASKS` issues, which
the full model never sees.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator
from functools import partial

from solver.bounds.schedule_levels import level_values
from solver.prepared.problem import PieceRule, PreparedProblem, Task
from solver.prepared.rules import dependency_release, released_after, start_window
from solver.prepared.schedule import Placement, Schedule, global_span
from solver.starts.greedy import meets_hard_deadlines

Lane = tuple[int, int]


def filled(problem: PreparedProblem, schedule: Schedule) -> Schedule:
    """The unbroken `schedule` after one filling pass, or `schedule` itself when that is not lexicographically better.

    One pass: a second one starts from pieces, where a task's stretch no longer ends before the next task's start,
    and made every benchmark plan worse (S, M, L: P0 finish 1002 -> 1098, 4029 -> 4149, 7176 -> 7564).
    """
    if not any(task.pieces.splits for task in problem.tasks):
        return schedule
    candidate = _fill_pass(problem, schedule)
    if candidate is None or level_values(problem, candidate) >= level_values(problem, schedule):
        return schedule
    return candidate


def _fill_pass(problem: PreparedProblem, schedule: Schedule) -> Schedule | None:
    """Every task again, in start order on its own owner (lane), split where that ends it earlier; None if stuck.

    Its own owner, not any: letting each task go to whichever owner ends it first took the 500-issue benchmark's
    plan from P3 lateness 0 to 3 (work moved into time later tasks of that owner needed).
    """
    order = sorted(problem.tasks, key=lambda t: (global_span(problem, t, schedule[t.index])[0], t.index))
    busy: dict[Lane, list[tuple[int, int]]] = {}
    for task in problem.tasks:
        placement = schedule[task.index]
        if task.fixed_start is not None:  # in progress or frozen: it stays, and holds its time from the outset
            for span in placement.spans(task.work):
                insort(busy.setdefault((placement.resource, placement.member), []), span)
    lags = _lags_after(problem)
    placed: Schedule = {}
    spans: dict[int, tuple[int, int, int]] = {}
    for task in order:
        old = schedule[task.index]
        release = dependency_release(problem, task.preds, spans, task.release)
        if task.fixed_start is not None:
            if problem.clocks[problem.resources[old.resource].clock].global_start(old.start) < release:
                return None
            placed[task.index], spans[task.index] = old, global_span(problem, task, old)
            continue
        earliest = _earliest_placement(problem, task, old, release, busy)
        if earliest is None:
            return None
        keeps = lags[task.index] and _keeps_old(problem, task, old, earliest, release, busy, lags[task.index])
        placement = old if keeps else earliest
        for run in placement.spans(task.work):
            insort(busy.setdefault((placement.resource, placement.member), []), run)
        placed[task.index], spans[task.index] = placement, global_span(problem, task, placement)
    return placed if meets_hard_deadlines(problem, placed) else None


def _earliest_placement(
    problem: PreparedProblem, task: Task, old: Placement, release: int, busy: dict[Lane, list[tuple[int, int]]]
) -> Placement | None:
    """The placement on the task's own lane that ends it first from `release`, or None if none fits."""
    clock = problem.clocks[problem.resources[old.resource].clock]
    window = start_window(problem, task, clock, release, hard_deadline=False)
    lane = busy.get((old.resource, old.member), [])
    runs = _earliest_runs(lane, window.earliest, window.latest, task.work, task.pieces, clock.total_units)
    return Placement(old.resource, old.member, runs[0][0], runs if len(runs) > 1 else ()) if runs else None


def _lags_after(problem: PreparedProblem) -> dict[int, list[int]]:
    """Per task, the lags of the successors that wait on it with a lag."""
    lags: dict[int, list[int]] = {task.index: [] for task in problem.tasks}
    for task in problem.tasks:
        for pred, lag in task.preds:
            if lag:
                lags[pred].append(lag)
    return lags


def _keeps_old(
    problem: PreparedProblem,
    task: Task,
    old: Placement,
    new: Placement,
    release: int,
    busy: dict[Lane, list[tuple[int, int]]],
    lags: list[int],
) -> bool:
    """Whether the task keeps its old place: the new end releases a lag successor later, and the old place is free.

    An earlier end can release a lag successor later when it falls on a day the team works and the old end on one it
    does not (docs/model.md, "Time grain"); keeping the old end keeps every successor's old release.
    """
    _, old_end, old_day = global_span(problem, task, old)
    _, new_end, new_day = global_span(problem, task, new)
    later = partial(released_after, problem)
    if all(later(new_end, new_day, lag) <= later(old_end, old_day, lag) for lag in lags):
        return False
    clock = problem.clocks[problem.resources[old.resource].clock]
    lane = busy.get((old.resource, old.member), [])
    free = all(end <= a or b <= begin for a, b in old.spans(task.work) for begin, end in lane)
    return free and clock.global_start(old.start) >= release


def _gaps(busy: list[tuple[int, int]], earliest: int, stop: int) -> Iterator[tuple[int, int]]:
    """The free (start, end) runs of a lane from `earliest` to `stop`, in order."""
    cursor = earliest
    for begin, end in busy:
        if begin > cursor:
            yield cursor, min(begin, stop)
        cursor = max(cursor, end)
        if cursor >= stop:
            return
    if cursor < stop:
        yield cursor, stop


def _earliest_runs(
    busy: list[tuple[int, int]], earliest: int, latest: int, work: int, rule: PieceRule, stop: int
) -> tuple[tuple[int, int], ...] | None:
    """The runs that end the task first: one stretch, or pieces in earlier gaps when they end strictly earlier."""
    whole = next(((a, a + work) for a, b in _gaps(busy, earliest, stop) if a <= latest and b - a >= work), None)
    if not rule.splits:
        return (whole,) if whole is not None else None
    pieces = _pieces_fit(busy, earliest, latest, work, rule, stop)
    if pieces is not None and (whole is None or pieces[-1][1] < whole[1]):
        return pieces
    return (whole,) if whole is not None else None


def _pieces_fit(
    busy: list[tuple[int, int]], earliest: int, latest: int, work: int, rule: PieceRule, stop: int
) -> tuple[tuple[int, int], ...] | None:
    """Pieces filling the earliest gaps: each at least `rule.shortest`, at most `rule.most`, the first by `latest`.

    A piece takes all of its gap but leaves at least the shortest chunk for the rest; distinct gaps are separated by
    the owner's other work, so each run is a piece of rule 4 (docs/model.md).
    """
    runs: list[tuple[int, int]] = []
    left = work
    for a, b in _gaps(busy, earliest, stop):
        if not runs and a > latest:
            return None
        if b - a >= left:
            runs.append((a, a + left))
            return tuple(runs)
        take = min(b - a, left - rule.shortest)
        if len(runs) < rule.most - 1 and take >= rule.shortest:
            runs.append((a, a + take))
            left -= take
    return None
