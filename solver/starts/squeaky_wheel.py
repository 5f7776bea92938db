"""Squeaky-wheel improvement of the greedy start: late issues move up the list and the list is scheduled again.

The greedy places issues in one priority order. Each round moves every late issue earlier in that order, in
proportion to its lateness and priority (its predecessors with it), and runs the greedy again; the
lexicographically best schedule of all rounds is kept (squeaky wheel optimisation, Joslin and Clements 1999).
On large backlogs CP-SAT's neighbourhood search barely moves the start in seconds, and these rounds take
milliseconds each: on the 500-issue benchmark they bring P2 and P3 lateness from 6 and 6 to 0 and 0.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from api_schemas.result import LevelKind
from solver.bounds.earliest_finish import earliest_finishes
from solver.bounds.schedule_levels import level_values, problem_levels, task_floors
from solver.budget.constants import SECONDS_PER_CHECK, SECONDS_PER_ISSUE
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule, global_span
from solver.starts.greedy import greedy_schedule, meets_hard_deadlines, topological_order, urgency_order

#: Rounds without a better schedule after which the search stops.
PATIENCE = 40
#: How far a late issue moves up per working day late, as a share of the backlog's length.
STEP_SHARE = 0.01
#: Weight of a working day late per priority rank (P0 first): a late P0 issue moves far more than a late P3.
RANK_WEIGHTS = (16.0, 9.0, 4.0, 1.0)
#: Extra weight of a day late on a hard deadline: a plan that misses one is no plan at all.
HARD_DEADLINE_WEIGHT = 8.0


@dataclass
class Improvement:
    """The best schedule found, the rounds searched and their estimated cost.

    `cut_short` when the wall clock stopped the rounds before their count (the plan may then differ between runs).
    """

    schedule: Schedule | None
    rounds: int
    estimated_seconds: float
    cut_short: bool = False


def round_seconds(problem: PreparedProblem) -> float:
    """Estimated wall seconds of one round (one greedy schedule and its objective); rounds are counted from it."""
    checks = sum(problem.resources[r].capacity for task in problem.tasks for r in task.resources)
    return SECONDS_PER_CHECK * checks + SECONDS_PER_ISSUE * len(problem.tasks)


def _task_lateness(problem: PreparedProblem, schedule: Schedule) -> list[int]:
    """Working days late of every task in `schedule` (0 without a deadline)."""
    lateness = [0] * len(problem.tasks)
    for task in problem.tasks:
        table = problem.lateness_table(task)
        if table is not None:
            _, _, end_day = global_span(problem, task, schedule[task.index])
            lateness[task.index] = table[end_day]
    return lateness


def lateness_floors(problem: PreparedProblem) -> list[int]:
    """Per lateness level, the least total lateness any schedule can have."""
    floors = task_floors(problem, earliest_finishes(problem))
    levels = problem_levels(problem)
    return [floor for level, floor in zip(levels, floors, strict=True) if level.kind is LevelKind.LATENESS]


def _lateness_values(problem: PreparedProblem, values: list[int]) -> list[int]:
    """The lateness levels' values among a schedule's level values (stability levels may come first)."""
    levels = problem_levels(problem)
    return [value for level, value in zip(levels, values, strict=True) if level.kind is LevelKind.LATENESS]


def squeaky_wheel(
    problem: PreparedProblem,
    start: Schedule,
    rounds: int,
    seed: int = 0,
    deadline: float = float("inf"),
    priority: dict[int, float] | None = None,
) -> Improvement:
    """The best of `start` and up to `rounds` re-scheduled lists; stops once lateness cannot improve.

    Only schedules that meet every hard deadline count; when `start` misses one, the rounds look for one that
    does (issues with a missed hard deadline move up first) and `schedule` stays None if none is found.
    `deadline` (a `time.monotonic()` instant) is a safety net for machines far slower than the estimate.
    `priority` (task -> number, lower first) is the list the rounds start from; by default the urgency order,
    the list `start` came from.
    """
    floors = lateness_floors(problem)
    best: Schedule | None = None
    best_values: list[int] | None = None
    if meets_hard_deadlines(problem, start):
        best, best_values = start, level_values(problem, start)
    if priority is None:
        priority = {task.index: float(position) for position, task in enumerate(urgency_order(problem))}
    else:
        priority = dict(priority)
    successors_first = list(reversed(topological_order(problem)))
    step = STEP_SHARE * len(priority)
    rng = random.Random(seed)
    current, since_better, done, cut_short = start, 0, 0, False
    while done < rounds and since_better < PATIENCE and (
        best_values is None or _lateness_values(problem, best_values) > floors
    ):
        if time.monotonic() > deadline:
            cut_short = True
            break
        lateness = _task_lateness(problem, current)
        if not any(lateness):
            break
        for task in problem.tasks:
            if lateness[task.index]:
                weight = RANK_WEIGHTS[task.rank] * lateness[task.index]
                if task.hard_deadline_day is not None:
                    weight *= HARD_DEADLINE_WEIGHT
                priority[task.index] -= weight * step * (0.5 + rng.random())
        for task in successors_first:
            for pred, _ in task.preds:
                priority[pred] = min(priority[pred], priority[task.index])
        done += 1
        since_better += 1
        candidate = greedy_schedule(problem, priority=priority)
        if candidate is None:
            continue
        current = candidate
        if not meets_hard_deadlines(problem, candidate):
            continue
        values = level_values(problem, candidate)
        if best_values is None or values < best_values:
            best, best_values, since_better = candidate, values, 0
    return Improvement(best, done, done * round_seconds(problem), cut_short)
