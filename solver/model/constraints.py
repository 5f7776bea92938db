"""Constraints between tasks: one thing at a time per owner, dependencies with lags, hard deadlines."""

from __future__ import annotations

from ortools.sat.python import cp_model

from api_schemas.common import UNITS_PER_DAY
from solver.model.variables import TaskVars
from solver.problem import Problem


def add_resource_constraints(model: cp_model.CpModel, problem: Problem, tasks: list[TaskVars]) -> None:
    """A single owner does one issue at a time; a pool of k identical owners does at most k at a time."""
    for resource in problem.resources:
        intervals = [tv.intervals[resource.index] for tv in tasks if resource.index in tv.intervals]
        if len(intervals) < 2 and resource.capacity >= 1:
            continue
        if resource.capacity == 1:
            model.add_no_overlap(intervals)
        else:
            model.add_cumulative(intervals, [1] * len(intervals), resource.capacity)


def add_dependency_constraints(model: cp_model.CpModel, problem: Problem, tasks: list[TaskVars]) -> None:
    """A task starts after each predecessor ends, plus the lag counted in team working days."""
    shifts: dict[tuple[int, int], cp_model.IntVar] = {}
    for tv in tasks:
        for pred, lag in tv.task.preds:
            before = tasks[pred]
            if lag == 0:
                model.add(tv.start >= before.end)
                continue
            if (pred, lag) not in shifts:
                table = problem.lag_shift_table(lag)
                shift = model.new_int_var(min(table), max(table), f"t{pred}_lag{lag}")
                model.add_element(before.end_day, table, shift)
                shifts[(pred, lag)] = shift
            model.add(tv.start >= before.end + UNITS_PER_DAY * shifts[(pred, lag)])


def add_date_constraints(model: cp_model.CpModel, tasks: list[TaskVars]) -> None:
    """Hard deadlines bound the finish day (not-before dates and pins are in the variables' domains)."""
    for tv in tasks:
        if tv.task.hard_deadline_day is not None:
            model.add(tv.end_day <= tv.task.hard_deadline_day)
