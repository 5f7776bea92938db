"""Order-statistic bounds on finishes from a preemptive relaxation with release dates: one fast machine, SRPT.

Take tasks that only the owners of resources R can do, each with its work p_j and its earliest start r_j
(`solver.bounds.earliest_finish`: not-before, pinned day, predecessors' earliest releases). Let cap(t) be the number
of R's owners whose daily window covers quarter hour t. Any schedule does, in each quarter hour t, at most cap(t)
units of these tasks, each task only from r_j on: so it is also a schedule of one machine that does cap(t) units in
quarter hour t, may share them among tasks and interrupt any task (a relaxation: a task may run faster than one
owner, and the windows of different owners merge). On that machine the shortest-remaining-work rule (SRPT: at every
moment the released task with the least work left) completes, for every k, its k-th task no later than any schedule
of the machine completes its k-th (SRPT maximises the number of tasks done by every time; a varying speed is a change
of the time scale). So the k-th smallest finish of every real schedule is at least the instant SRPT completes its
k-th task, rounded up to a quarter hour, in team time (which grows with the instant).

This adds release dates to the order statistics of `solver.bounds.finish_sums`, which count every task of a group
from the group's earliest start: a group whose work is released over weeks is bounded by when it can be done.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence

from api_schemas.common import UNITS_PER_DAY
from solver.bounds.earliest_finish import EarliestFinish
from solver.prepared.problem import PreparedProblem, Task

#: Capacity segments: (first instant, instant after the last, owners working) in time order, none empty.
Segments = list[tuple[int, int, int]]
#: Completions computed in floating point are rounded up only past this much above an instant: rounding errors are
#: far smaller, so a bound is never late (at worst a quarter hour early, which keeps it valid).
_EPSILON = 1e-4


def capacity_segments(problem: PreparedProblem, resources: Iterable[int]) -> Segments:
    """cap(t) of the owners of `resources` over the horizon, as maximal runs of quarter hours with the same count."""
    owners: dict[int, int] = {}
    for r in resources:
        resource = problem.resources[r]
        owners[resource.clock] = owners.get(resource.clock, 0) + resource.capacity
    changes: dict[int, int] = {}
    for clock_index, count in owners.items():
        clock = problem.clocks[clock_index]
        for day in clock.working_days:
            opens = day * UNITS_PER_DAY + clock.window_start
            changes[opens] = changes.get(opens, 0) + count
            changes[opens + clock.units_per_day] = changes.get(opens + clock.units_per_day, 0) - count
    segments: Segments = []
    working, since = 0, 0
    for instant in sorted(changes):
        if changes[instant] == 0:
            continue
        if working > 0 and instant > since:
            segments.append((since, instant, working))
        working += changes[instant]
        since = instant
    return segments


def srpt_completions(segments: Segments, jobs: Sequence[tuple[int, int]]) -> list[int]:
    """Finish instants (rounded up) of jobs (release instant, work) by SRPT on the machine of `segments`, sorted.

    Jobs the segments cannot complete get no instant: the list is then shorter than `jobs`.
    """
    pending = sorted(jobs)
    waiting: list[float] = []  # work left of released jobs (a heap: the least first)
    done: list[int] = []
    next_job = 0
    # Segments that end by the first release do nothing.
    skipped = bisect_right(segments, pending[0][0], key=lambda segment: segment[1]) if pending else len(segments)
    for first, stop, rate in segments[skipped:]:
        now = float(first)
        while now < stop:
            while next_job < len(pending) and pending[next_job][0] <= now:
                heapq.heappush(waiting, float(pending[next_job][1]))
                next_job += 1
            if not waiting:
                if next_job == len(pending):
                    return done
                now = max(now, float(pending[next_job][0]))
                continue
            # Run the least work left until it is done, the segment ends or the next job is released.
            until = float(stop) if next_job == len(pending) else min(float(stop), float(pending[next_job][0]))
            left = waiting[0]
            finish = now + left / rate
            if finish <= until:
                heapq.heappop(waiting)
                done.append(math.ceil(finish - _EPSILON))
                now = finish
            else:
                heapq.heapreplace(waiting, left - (until - now) * rate)
                now = until
    return done


class PreemptiveBounds:
    """SRPT order-statistic bounds of task groups (module docstring), with capacity segments computed once per set."""

    def __init__(self, problem: PreparedProblem, team_time: Callable[[int], int], latest: int) -> None:
        self.problem = problem
        self.team_time = team_time
        self.latest = latest
        self.segments: dict[frozenset[int], Segments] = {}

    def sorted_finishes(self, tasks: Sequence[Task], earliest: Sequence[EarliestFinish]) -> list[int]:
        """Lower bounds on the 1st, 2nd, ... smallest finish (team time) of `tasks` in every schedule."""
        if len(tasks) < 2:
            return [0] * len(tasks)  # one task alone finishes no earlier than its own earliest finish
        resources = frozenset(r for task in tasks for r in task.resources)
        if resources not in self.segments:
            self.segments[resources] = capacity_segments(self.problem, resources)
        jobs = [(earliest[task.index].start, task.work) for task in tasks]
        done = srpt_completions(self.segments[resources], jobs)
        finishes = [self.team_time(instant) for instant in done]
        return finishes + [self.latest] * (len(tasks) - len(finishes))
