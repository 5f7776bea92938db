"""Constraints between tasks: one thing at a time per owner, dependencies with lags, hard deadlines."""

from __future__ import annotations

from itertools import pairwise

from ortools.sat.python import cp_model

from solver.model.variables import TaskVars
from solver.prepared.problem import PreparedProblem
from solver.prepared.rules import team_time_release
from solver.prepared.symmetry import IdenticalClass


def add_resource_constraints(model: cp_model.CpModel, problem: PreparedProblem, tasks: list[TaskVars]) -> None:
    """A single owner does one issue at a time; a pool of k identical owners does at most k at a time.

    Spans held by fixed work (`problem.busy`, sub-problems) take one owner each.
    """
    for resource in problem.resources:
        intervals = [interval for tv in tasks for interval in tv.resource_intervals(resource.index)]
        if intervals:
            intervals += [
                model.new_fixed_size_interval_var(start, end - start, f"busy{resource.index}_{start}")
                for start, end in problem.busy.get(resource.index, [])
            ]
        if len(intervals) < 2 and resource.capacity >= 1:
            continue
        if resource.capacity == 1:
            model.add_no_overlap(intervals)
        else:
            model.add_cumulative(intervals, [1] * len(intervals), resource.capacity)


def add_dependency_constraints(model: cp_model.CpModel, tasks: list[TaskVars]) -> None:
    """A task starts after each predecessor's release, the dependency rule of `solver.prepared.rules`.

    Between tasks that only run on clocks working team days only this is linear in team time
    (`rules.team_time_release`); otherwise it is compared in calendar time (`TaskVars.release`, from
    `rules.release_team_day`). A successor held fixed (`Task.release_limits`) is compared in calendar time.
    """
    for tv in tasks:
        for lag, instant in tv.task.release_limits:
            model.add(tv.release(lag) <= instant)
        for pred, lag in tv.task.preds:
            before = tasks[pred]
            if tv.on_team_days and before.on_team_days:
                model.add(tv.team_start >= team_time_release(before.team_end, lag))
            else:
                model.add(tv.start >= before.release(lag))


def add_symmetry_breaking(model: cp_model.CpModel, classes: list[IdenticalClass], tasks: list[TaskVars]) -> None:
    """Interchangeable tasks a < b in index order: start_b >= start_a + gap on their one clock, else tend_b >= tend_a.

    Classes and gaps come from `solver.prepared.symmetry`. Exact for the objective: swapping two such tasks'
    placements keeps a schedule valid and every level's value, so sorting each class's placements by that key
    turns any schedule into one that meets these constraints.
    """
    for each in classes:
        for a, b in pairwise(each.tasks):
            if each.clock is not None and tasks[a].stretches[each.clock].pieces:
                # Pieces may interleave: only the first pieces' starts are ordered (a swap of placements keeps it).
                model.add(tasks[b].stretches[each.clock].start >= tasks[a].stretches[each.clock].start)
            elif each.clock is None:
                model.add(tasks[b].team_end >= tasks[a].team_end)
            else:
                model.add(tasks[b].stretches[each.clock].start >= tasks[a].stretches[each.clock].start + each.gap)


def add_owner_symmetry_breaking(model: cp_model.CpModel, groups: list[tuple[int, ...]], tasks: list[TaskVars]) -> None:
    """Interchangeable owners r_0 < r_1 < ... of a group: task j goes to r_k only if some task i < j went to r_(k-1).

    Groups come from `solver.prepared.symmetry.interchangeable_owners`. Exact for the objective: relabelling the
    group's owners in the order of their lowest task keeps a schedule valid and every level's value.
    """
    for group in groups:
        for before, after in pairwise(group):
            earlier: list[cp_model.IntVar] = []
            for tv in tasks:
                if after in tv.chosen:
                    model.add(tv.chosen[after] <= sum(earlier))
                if before in tv.chosen:
                    earlier.append(tv.chosen[before])
