"""Earliest finishes with capacity ignored: lower bounds on each issue's team-time finish and lateness.

CP-SAT cannot carry a finish's lower bound across the alternative owners of an issue (each is an enforced
constraint), so the finish levels started with bounds near 0; these bounds, set as the finish variables'
domains, make the LP bound of every finish level at least the sum of the issues' earliest finishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter

from api_schemas.common import UNITS_PER_DAY
from solver.problem import Problem


@dataclass(frozen=True)
class EarliestFinish:
    """The earliest finish of one task: in team time, and its working-day lateness (both lower bounds)."""

    team_time: int
    lateness: int


def earliest_finishes(problem: Problem) -> list[EarliestFinish]:
    """Per task, the earliest finish any owner could reach if nobody else needed them."""
    order = TopologicalSorter({task.index: [pred for pred, _ in task.preds] for task in problem.tasks})
    earliest_end: dict[int, int] = {}
    finishes = [EarliestFinish(0, 0)] * len(problem.tasks)
    for index in order.static_order():
        task = problem.tasks[index]
        release = task.release
        for pred, lag in task.preds:
            end = earliest_end[pred]
            if lag == 0:
                release = max(release, end)
            else:
                # A later finish may release earlier within a day, but never before the lag-th team working
                # day after the earliest finish day begins.
                end_day = (end - 1) // UNITS_PER_DAY
                target = problem.date_of(end_day) if end_day >= 0 else problem.start
                released = problem.day_index(problem.team.nth_working_day_after(target, lag))
                release = max(release, UNITS_PER_DAY * released)
        ends: list[int] = []
        for resource_index in task.resources:
            clock = problem.clocks[problem.resources[resource_index].clock]
            start = clock.first_unit_at_or_after(release)
            if task.pinned_day is not None:
                start = max(start, clock.units_on_day(task.pinned_day).start or start)
            if start + task.work <= clock.total_units:
                ends.append(clock.global_end(start + task.work))
        earliest_end[index] = min(ends, default=release)
        table = problem.lateness_table(task)
        end_day = (earliest_end[index] - 1) // UNITS_PER_DAY
        lateness = table[min(end_day, len(table) - 1)] if table is not None and ends else 0
        finishes[index] = EarliestFinish(min((problem.team_time(end) for end in ends), default=0), lateness)
    return finishes
