"""Decision variables: per task its owner choice, its stretch on each candidate clock, and its dates.

A stretch on a clock with `h` units per working day is written with linear position arithmetic:
start = h * start_position + start_offset, end = h * end_position + end_offset. Calendar days only enter
through small element tables indexed by those positions, so CP-SAT's presolve stays small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from api_schemas.common import UNITS_PER_DAY
from solver.clock import Clock
from solver.problem import Problem, Task


@dataclass
class ClockStretch:
    """A task's stretch on one clock: local start/end and the positions (working days) they fall on."""

    clock: int
    present: cp_model.IntVar
    start: cp_model.IntVar
    end: cp_model.IntVar
    start_position: cp_model.IntVar
    start_offset: cp_model.IntVar
    end_position: cp_model.IntVar
    end_offset: cp_model.IntVar


@dataclass
class TaskVars:
    """All variables of one task; `start` exists when the task has predecessors."""

    task: Task
    end: cp_model.IntVar
    start: cp_model.IntVar | None = None
    chosen: dict[int, cp_model.IntVar] = field(default_factory=dict)
    stretches: dict[int, ClockStretch] = field(default_factory=dict)
    intervals: dict[int, cp_model.IntervalVar] = field(default_factory=dict)
    lateness: cp_model.IntVar | None = None
    releases: dict[int, cp_model.IntVar] = field(default_factory=dict)


def day_at(model: cp_model.CpModel, clock: Clock, position: cp_model.IntVar, name: str) -> cp_model.LinearExpr:
    """Calendar day index of a working-day position (linear on clocks that work every day)."""
    days = clock.working_days
    if days == tuple(range(days[0], days[0] + len(days))):
        return position + days[0]
    day = model.new_int_var(days[0], days[-1], name)
    model.add_element(position, list(days), day)
    return day


def table_at(model: cp_model.CpModel, position: cp_model.IntVar, table: Sequence[int], name: str) -> cp_model.IntVar:
    """`table[position]` as a variable."""
    value = model.new_int_var(min(table), max(table), name)
    model.add_element(position, list(table), value)
    return value


def _stretch(model: cp_model.CpModel, problem: Problem, task: Task, clock_index: int) -> ClockStretch:
    """Variables of `task` as one unbroken stretch on clock `clock_index`."""
    clock = problem.clocks[clock_index]
    name = f"t{task.index}c{clock_index}"
    units = clock.units_per_day
    last_position = max(len(clock.working_days) - 1, 0)
    present = model.new_bool_var(f"{name}_on")
    earliest = clock.first_unit_at_or_after(task.release)
    latest = clock.total_units - task.work
    if task.pinned_day is not None:
        day_units = clock.units_on_day(task.pinned_day)
        earliest, latest = max(earliest, day_units.start), min(latest, day_units.stop - 1)
    if task.hard_deadline_day is not None:
        latest = min(latest, clock.cumulative[min(task.hard_deadline_day + 1, problem.horizon_days)] - task.work)
    if not clock.working_days or earliest > latest:
        model.add(present == 0)
        earliest, latest = 0, max(clock.total_units - task.work, 0)
    start = model.new_int_var(earliest, max(latest, earliest), f"{name}_s")
    end = model.new_int_var(earliest + task.work, max(latest, earliest) + task.work, f"{name}_e")
    model.add(end == start + task.work)
    start_position = model.new_int_var(0, last_position, f"{name}_sp")
    start_offset = model.new_int_var(0, units - 1, f"{name}_so")
    end_position = model.new_int_var(0, last_position, f"{name}_ep")
    end_offset = model.new_int_var(1, units, f"{name}_eo")
    model.add(start == units * start_position + start_offset)
    model.add(end == units * end_position + end_offset)
    return ClockStretch(clock_index, present, start, end, start_position, start_offset, end_position, end_offset)


def _global_start(model: cp_model.CpModel, problem: Problem, stretch: ClockStretch, name: str) -> cp_model.LinearExpr:
    clock = problem.clocks[stretch.clock]
    day = day_at(model, clock, stretch.start_position, f"{name}_sd")
    return UNITS_PER_DAY * day + clock.window_start + stretch.start_offset


def _global_end(model: cp_model.CpModel, problem: Problem, stretch: ClockStretch, name: str) -> cp_model.LinearExpr:
    clock = problem.clocks[stretch.clock]
    day = day_at(model, clock, stretch.end_position, f"{name}_ed")
    return UNITS_PER_DAY * day + clock.window_start + stretch.end_offset


def create_task_vars(
    model: cp_model.CpModel, problem: Problem, task: Task, successor_lags: set[int], team_aligned: list[bool]
) -> TaskVars:
    """Owner choice, clock stretches, intervals, finish, lateness and lag releases of one task."""
    horizon = problem.horizon_days * UNITS_PER_DAY
    name = f"t{task.index}"
    variables = TaskVars(task=task, end=model.new_int_var(0, horizon, f"{name}_end"))
    if task.preds:
        variables.start = model.new_int_var(task.release, horizon, f"{name}_start")
    for resource_index in task.resources:
        clock_index = problem.resources[resource_index].clock
        if clock_index not in variables.stretches:
            variables.stretches[clock_index] = _stretch(model, problem, task, clock_index)
        stretch = variables.stretches[clock_index]
        chosen = model.new_bool_var(f"{name}r{resource_index}")
        variables.chosen[resource_index] = chosen
        variables.intervals[resource_index] = model.new_optional_interval_var(
            stretch.start, task.work, stretch.end, chosen, f"{name}r{resource_index}_iv"
        )
    model.add_exactly_one(variables.chosen.values())
    deadline_table = problem.lateness_table(task)
    if deadline_table is not None:
        variables.lateness = model.new_int_var(0, max(deadline_table), f"{name}_late")
    for lag in successor_lags:
        variables.releases[lag] = model.new_int_var(0, horizon + UNITS_PER_DAY * 400, f"{name}_rel{lag}")
    for clock_index, stretch in variables.stretches.items():
        clock = problem.clocks[clock_index]
        cname = f"{name}c{clock_index}"
        on_clock = [c for r, c in variables.chosen.items() if problem.resources[r].clock == clock_index]
        model.add(stretch.present == sum(on_clock))
        global_end = _global_end(model, problem, stretch, cname)
        model.add(variables.end == global_end).only_enforce_if(stretch.present)
        if variables.start is not None:
            model.add(variables.start == _global_start(model, problem, stretch, cname)).only_enforce_if(stretch.present)
        if variables.lateness is not None and deadline_table is not None and task.deadline is not None:
            if team_aligned[clock_index]:
                # Positions are team working days: lateness = (end position + 1) - working days through the deadline.
                through = problem.team_days_through(task.deadline)
                model.add(variables.lateness >= stretch.end_position + 1 - through).only_enforce_if(stretch.present)
            else:
                by_position = [deadline_table[day] for day in clock.working_days]
                late = table_at(model, stretch.end_position, by_position, f"{cname}_late")
                model.add(variables.lateness == late).only_enforce_if(stretch.present)
        for lag, release in variables.releases.items():
            shifts = problem.lag_shift_table(lag)
            by_position = [UNITS_PER_DAY * shifts[day] for day in clock.working_days]
            shift = table_at(model, stretch.end_position, by_position, f"{cname}_lag{lag}")
            model.add(release == global_end + shift).only_enforce_if(stretch.present)
    return variables
