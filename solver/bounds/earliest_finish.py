"""Earliest finishes with capacity ignored: lower bounds on each issue's team-time finish and lateness.

CP-SAT cannot carry a finish's lower bound across the alternative owners of an issue (each is an enforced
constraint), so the finish levels started with bounds near 0; these bounds, set as the finish variables'
domains, make the LP bound of every finish level at least the sum of the issues' earliest finishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter

from api_schemas.common import UNITS_PER_DAY
from solver.prepared.problem import PreparedProblem
from solver.prepared.rules import start_window


@dataclass(frozen=True)
class EarliestFinish:
    """The earliest finish of one task: in team time, and its working-day lateness (both lower bounds).

    `start` is the earliest instant it may start (not-before, pinned day, predecessors' earliest releases).
    """

    team_time: int
    lateness: int
    start: int = 0


#: Where a problem keeps its earliest finishes once computed (an attribute, not a field: copies compute their own).
_KEPT = "_earliest_finishes"


def earliest_finishes(problem: PreparedProblem) -> list[EarliestFinish]:
    """Per task, the earliest finish any owner could reach if nobody else needed them (computed once per problem).

    The start, its improvement rounds and the search all read them; at 2,000 issues one computation takes a second.
    """
    kept: list[EarliestFinish] | None = problem.__dict__.get(_KEPT)
    if kept is None:
        kept = _computed(problem)
        object.__setattr__(problem, _KEPT, kept)
    return list(kept)


def _computed(problem: PreparedProblem) -> list[EarliestFinish]:
    """Per task, in topological order: the earliest end on each candidate clock (owners sharing one end alike)."""
    order = TopologicalSorter({task.index: [pred for pred, _ in task.preds] for task in problem.tasks})
    earliest_end: dict[int, int] = {}
    # A finish's clock time is past its owner's window start: at least a quarter hour into it.
    first_clock_time = [
        min((problem.clocks[problem.resources[r].clock].window_start + 1 for r in task.resources), default=1)
        for task in problem.tasks
    ]
    finishes = [EarliestFinish(0, 0)] * len(problem.tasks)
    for index in order.static_order():
        task = problem.tasks[index]
        release = task.release
        for pred, lag in task.preds:
            release = max(release, _earliest_release(problem, earliest_end[pred], lag, first_clock_time[pred]))
        ends: list[int] = []
        for clock_index in sorted({problem.resources[r].clock for r in task.resources}):
            clock = problem.clocks[clock_index]
            start = start_window(problem, task, clock, release, hard_deadline=False).earliest
            if start + task.work <= clock.total_units:
                ends.append(clock.global_end(start + task.work))
        earliest_end[index] = min(ends, default=release)
        table = problem.lateness_table(task)
        end_day = (earliest_end[index] - 1) // UNITS_PER_DAY
        lateness = table[min(end_day, len(table) - 1)] if table is not None and ends else 0
        team_time = min((problem.team_time(end) for end in ends), default=0)
        pinned = task.pinned_day * UNITS_PER_DAY if task.pinned_day is not None else 0
        finishes[index] = EarliestFinish(team_time, lateness, max(release, pinned))
    return finishes


def _earliest_release(problem: PreparedProblem, earliest_end: int, lag: int, first_clock_time: int) -> int:
    """The earliest release after a lag of a predecessor that cannot finish before `earliest_end`.

    Finishing on the earliest end's day releases at the same clock time on the lag-th team working day after
    it; finishing on a later day releases no sooner than `first_clock_time` (the earliest clock time any of its
    finishes can have) on the lag-th team working day after the next day (a later finish may release earlier within
    a day, so the two cases are bounded apart).
    """
    if lag == 0:
        return earliest_end
    end_day = (earliest_end - 1) // UNITS_PER_DAY
    if end_day < 0:
        return UNITS_PER_DAY * problem.day_index(problem.team.nth_working_day_after(problem.start, lag))
    end_date = problem.date_of(end_day)
    same_day = earliest_end + UNITS_PER_DAY * (problem.team.nth_working_day_after(end_date, lag) - end_date).days
    next_day = problem.day_index(problem.team.nth_working_day_after(problem.date_of(end_day + 1), lag))
    return min(same_day, UNITS_PER_DAY * next_day + first_clock_time)
