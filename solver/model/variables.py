"""Decision variables: per task its owner choice, its stretch on each candidate clock, and its dates."""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from api_schemas.common import UNITS_PER_DAY
from solver.problem import Problem, Task


@dataclass
class ClockStretch:
    """A task's stretch on one clock: local start/end, their days and offsets, and global instants."""

    clock: int
    present: cp_model.IntVar
    start: cp_model.IntVar
    end: cp_model.IntVar
    start_day: cp_model.IntVar
    end_day: cp_model.IntVar
    global_start: cp_model.LinearExpr
    global_end: cp_model.LinearExpr


@dataclass
class TaskVars:
    """All variables of one task."""

    task: Task
    start: cp_model.IntVar
    end: cp_model.IntVar
    end_day: cp_model.IntVar
    chosen: dict[int, cp_model.IntVar] = field(default_factory=dict)
    stretches: dict[int, ClockStretch] = field(default_factory=dict)
    intervals: dict[int, cp_model.IntervalVar] = field(default_factory=dict)
    lateness: cp_model.IntVar | None = None


def _stretch(model: cp_model.CpModel, problem: Problem, task: Task, clock_index: int) -> ClockStretch:
    """Variables of `task` as one unbroken stretch on clock `clock_index`, linked to calendar instants."""
    clock = problem.clocks[clock_index]
    name = f"t{task.index}c{clock_index}"
    present = model.new_bool_var(f"{name}_on")
    days = list(clock.working_days)
    start_days = [task.pinned_day] if task.pinned_day is not None and task.pinned_day in clock.working_days else days
    latest_start = clock.total_units - task.work
    if latest_start < 0 or not days or (task.pinned_day is not None and task.pinned_day not in clock.working_days):
        model.add(present == 0)
        latest_start = max(latest_start, 0)
        start_days = days or [0]
    domain_days = cp_model.Domain.from_values(days or [0])
    start = model.new_int_var(0, max(latest_start, 0), f"{name}_s")
    end = model.new_int_var(0, max(clock.total_units, task.work), f"{name}_e")
    model.add(end == start + task.work)
    start_day = model.new_int_var_from_domain(cp_model.Domain.from_values(start_days), f"{name}_sd")
    end_day = model.new_int_var_from_domain(domain_days, f"{name}_ed")
    start_offset = model.new_int_var(0, clock.units_per_day - 1, f"{name}_so")
    end_offset = model.new_int_var(1, clock.units_per_day, f"{name}_eo")
    table = list(clock.cumulative[: problem.horizon_days])
    before_start = model.new_int_var(0, clock.total_units, f"{name}_bs")
    before_end = model.new_int_var(0, clock.total_units, f"{name}_be")
    model.add_element(start_day, table, before_start)
    model.add_element(end_day, table, before_end)
    model.add(start == before_start + start_offset)
    model.add(end == before_end + end_offset)
    return ClockStretch(
        clock=clock_index,
        present=present,
        start=start,
        end=end,
        start_day=start_day,
        end_day=end_day,
        global_start=UNITS_PER_DAY * start_day + clock.window_start + start_offset,
        global_end=UNITS_PER_DAY * end_day + clock.window_start + end_offset,
    )


def create_task_vars(model: cp_model.CpModel, problem: Problem, task: Task) -> TaskVars:
    """Owner choice, clock stretches and intervals of one task, with exactly one owner chosen."""
    horizon = problem.horizon_days * UNITS_PER_DAY
    name = f"t{task.index}"
    start = model.new_int_var(task.release, horizon, f"{name}_start")
    end = model.new_int_var(0, horizon, f"{name}_end")
    end_day = model.new_int_var(0, problem.horizon_days - 1, f"{name}_endday")
    variables = TaskVars(task=task, start=start, end=end, end_day=end_day)
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
    for clock_index, stretch in variables.stretches.items():
        on_clock = [c for r, c in variables.chosen.items() if problem.resources[r].clock == clock_index]
        model.add(stretch.present == sum(on_clock))
        model.add(start == stretch.global_start).only_enforce_if(stretch.present)
        model.add(end == stretch.global_end).only_enforce_if(stretch.present)
        model.add(end_day == stretch.end_day).only_enforce_if(stretch.present)
    table = problem.lateness_table(task)
    if table is not None:
        lateness = model.new_int_var(0, max(table), f"{name}_late")
        model.add_element(end_day, table, lateness)
        variables.lateness = lateness
    return variables
