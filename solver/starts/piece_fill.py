"""Piece filling: a plan's idle owner time filled with pieces of splittable work that was waiting for it.

Every task is placed again in the order of its start, on the same owner, as early as its releases allow; a
task that may be split (`Task.pieces`) takes pieces in its owner's earlier idle time (left by waits on
dependencies, lags and not-before dates) when that ends it strictly earlier than one stretch would. Placed in
start order on the same owners, every task ends no later than before (its old stretch is still free when its
turn comes and its predecessors end no later), so lateness and finish levels never get worse; the caller keeps the
result only when it is lexicographically better, pieces level included. It costs time linear in the tasks and
their owners' gaps: the way pieces reach backlogs above `LARGE_MODEL_TASKS` issues, which the full model never sees.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterator

from solver.bounds.schedule_levels import level_values
from solver.prepared.problem import PieceRule, PreparedProblem
from solver.prepared.rules import start_window
from solver.prepared.schedule import Placement, Schedule, global_span
from solver.starts.greedy import meets_hard_deadlines

#: Passes over the plan at most: each pass may free time that the next fills (the second rarely gains, the third
#: never did on the benchmark backlogs).
PASSES = 3

Lane = tuple[int, int]


def filled(problem: PreparedProblem, schedule: Schedule) -> Schedule:
    """The schedule after filling passes, or `schedule` itself when no pass makes it lexicographically better."""
    if not any(task.pieces.splits for task in problem.tasks):
        return schedule
    best, best_values = schedule, level_values(problem, schedule)
    for _ in range(PASSES):
        candidate = _fill_pass(problem, best)
        if candidate is None:
            break
        values = level_values(problem, candidate)
        if values >= best_values:
            break
        best, best_values = candidate, values
    return best


def _fill_pass(problem: PreparedProblem, schedule: Schedule) -> Schedule | None:
    """Every task again, in start order on its own owner (lane), split where that ends it earlier; None if stuck."""
    order = sorted(problem.tasks, key=lambda t: (global_span(problem, t, schedule[t.index])[0], t.index))
    busy: dict[Lane, list[tuple[int, int]]] = {}
    for task in problem.tasks:
        placement = schedule[task.index]
        if task.fixed_start is not None:  # in progress or frozen: it stays, and holds its time from the outset
            for span in placement.spans(task.work):
                insort(busy.setdefault((placement.resource, placement.member), []), span)
    placed: Schedule = {}
    spans: dict[int, tuple[int, int, int]] = {}
    for task in order:
        old = schedule[task.index]
        release = task.release
        for pred, lag in task.preds:
            _, end, end_day = spans[pred]
            release = max(release, problem.release_after(end, end_day, lag))
        clock = problem.clocks[problem.resources[old.resource].clock]
        if task.fixed_start is not None:
            if clock.global_start(old.start) < release:
                return None
            placement = old
        else:
            lane = busy.setdefault((old.resource, old.member), [])
            window = start_window(problem, task, clock, release, hard_deadline=False)
            runs = _earliest_runs(lane, window.earliest, window.latest, task.work, task.pieces, clock.total_units)
            if runs is None:
                return None
            placement = Placement(old.resource, old.member, runs[0][0], runs if len(runs) > 1 else ())
            for run in runs:
                insort(lane, run)
        placed[task.index] = placement
        spans[task.index] = global_span(problem, task, placement)
    return placed if meets_hard_deadlines(problem, placed) else None


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
