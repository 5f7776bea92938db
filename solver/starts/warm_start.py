"""Warm starts for what-if re-plans: an earlier plan of a similar request, turned into starts for this request.

Replaying the earlier plan as it was (its start order and owners) keeps what its search found, but a change
can spoil it: an issue raised to P0 stays where its P2 priority put it, a longer estimate pushes everything
behind it late. So three starts are built and the lexicographically best kept: the earlier plan repaired, and
squeaky-wheel rounds from two lists the earlier plan suggests, its own start order and its start order within
each priority class (so that an escalated issue moves up with its new priority).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from api_schemas.common import UNITS_PER_DAY
from api_schemas.result import IssuePlan
from solver.bounds.schedule_levels import level_values
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule
from solver.starts.greedy import greedy_schedule, list_key, meets_hard_deadlines
from solver.starts.replay import repaired_replays
from solver.starts.squeaky_wheel import Improvement, round_seconds, squeaky_wheel


def previous_placements(problem: PreparedProblem, earlier: Sequence[IssuePlan]) -> dict[int, tuple[int, int, int]]:
    """Start instant, resource and member of each task in an earlier plan, where that owner can still do it."""
    task_of = {task.issue.id: task for task in problem.tasks}
    where = {
        owner: (resource.index, member)
        for resource in problem.resources
        for member, owner in enumerate(resource.owner_ids)
    }
    placements: dict[int, tuple[int, int, int]] = {}
    for issue in earlier:
        task = task_of.get(issue.id)
        if task is None or not issue.slots or issue.owner not in where:
            continue
        first = issue.slots[0]
        instant = problem.day_index(first.date) * UNITS_PER_DAY + first.start.hour * 4 + first.start.minute // 15
        resource, member = where[issue.owner]
        placements[task.index] = (instant, resource, member) if resource in task.resources else (instant, -1, -1)
    return placements


def earlier_order(
    problem: PreparedProblem, placements: dict[int, tuple[int, int, int]], within_urgency: bool
) -> dict[int, float]:
    """A list priority (lower first) from the earlier plan's start order; tasks new to it go last.

    With `within_urgency` the order applies inside each priority class of this request (inherited from what
    waits on a task, as in the greedy's urgency), else across the whole list. Pinned work goes first either
    way, as in the greedy's own list.
    """
    keys = list_key(problem)

    def order(index: int) -> tuple[object, ...]:
        key = keys[index]
        urgency = key[1:2] if within_urgency else ()
        earlier_start = placements[index][0] if index in placements else problem.horizon_days * UNITS_PER_DAY
        return (key[0], *urgency, earlier_start, key)

    ranked = sorted(keys, key=order)
    return {index: float(position) for position, index in enumerate(ranked)}


#: Rounds of the replay that puts late work first (`solver.starts.replay.repaired_replays`): on the L churn
#: benchmark's changes the lateness of the other starts was met within 2-3 rounds.
REPLAY_ROUNDS = 6


def warm_start(
    problem: PreparedProblem,
    earlier: Sequence[IssuePlan],
    rounds: int,
    seed: int = 0,
    deadline: float = float("inf"),
) -> Improvement:
    """The best start this request can take from the `earlier` plan's issues (None: none meets the hard deadlines).

    `rounds` is shared by the two squeaky-wheel searches; the estimated cost counts every greedy schedule built.
    With a baseline in the request, its replay (`replayed`) is a candidate too, and the one always built: the
    other schedules are built while `rounds` affords them (one each), so a large backlog's start stays within
    its share of the time limit.
    """
    placements = previous_placements(problem, earlier)
    with_baseline = any(task.baseline is not None for task in problem.tasks)
    allowance = max(rounds, 1)
    best: Schedule | None = None
    best_values: list[int] | None = None
    done, schedules, cut_short = 0, 1, False

    def consider(schedule: Schedule | None) -> None:
        nonlocal best, best_values
        if schedule is None or not meets_hard_deadlines(problem, schedule):
            return
        values = level_values(problem, schedule)
        if best_values is None or values < best_values:
            best, best_values = schedule, values

    if with_baseline and allowance == 1:
        schedules = 0
    else:
        consider(greedy_schedule(problem, placements))
    if with_baseline:
        for replay in repaired_replays(problem, min(REPLAY_ROUNDS, allowance - schedules - 1)):
            schedules += 1
            consider(replay)
    for within_urgency in (False, True):
        if schedules >= allowance:
            break
        priority = earlier_order(problem, placements, within_urgency)
        listed = greedy_schedule(problem, priority=priority)
        schedules += 1
        if listed is None:
            continue
        improved = squeaky_wheel(problem, listed, rounds // 2, seed, deadline, priority)
        done += improved.rounds
        cut_short = cut_short or improved.cut_short
        consider(improved.schedule)
        if time.monotonic() > deadline:
            cut_short = True
            break
    return Improvement(best, done, (done + schedules) * round_seconds(problem), cut_short)
