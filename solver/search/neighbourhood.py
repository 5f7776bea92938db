"""Neighbourhoods of a schedule: a few tasks set free, everything else held where it is.

A neighbourhood becomes a small problem of its own: the free tasks, their owners' time taken by the fixed work
as busy spans, fixed predecessors as releases and fixed successors as release limits. Its model is a fraction
of the full one, so a neighbourhood search can build and solve many of them in the time CP-SAT needs to
presolve the full model of a large backlog once.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from api_schemas.common import UNITS_PER_DAY
from solver.prepared.members import assign_members
from solver.prepared.problem import PreparedProblem, Task
from solver.prepared.rules import day_end, dependency_release, within_window
from solver.prepared.schedule import Schedule, global_span

#: Owner groups a free task may move to besides its own (each is an optional interval in the sub-model; with
#: all of them, neighbourhoods of a 2,000-issue backlog had 18,000 variables and took 1 s to presolve and search).
OTHER_GROUPS = 3
#: Days past the free tasks' latest end day that they may still use (room to reorder, not to drift).
WINDOW_SLACK_DAYS = 3


class PlanState:
    """A schedule with what neighbourhoods read from it kept at hand: spans, tasks per owner group, successors.

    Updating a few placements costs time in their number only, which matters at 2,000 issues.
    """

    def __init__(self, problem: PreparedProblem, schedule: Schedule) -> None:
        self.problem = problem
        self.schedule = dict(schedule)
        self.spans = {t.index: global_span(problem, t, schedule[t.index]) for t in problem.tasks}
        self.on_resource: dict[int, set[int]] = {r.index: set() for r in problem.resources}
        for index, placement in schedule.items():
            self.on_resource[placement.resource].add(index)
        self.successors: dict[int, list[tuple[int, int]]] = {}
        for task in problem.tasks:
            for pred, lag in task.preds:
                self.successors.setdefault(pred, []).append((task.index, lag))

    def moved(self, placements: dict[int, tuple[int, int]]) -> Schedule:
        """The placements after moving tasks to (resource, local start), the state unchanged (`take` applies them).

        Theirs, and those of the other tasks of every pool they leave or join: its owners are assigned again.
        """
        touched = {self.schedule[index].resource for index in placements}
        touched |= {resource for resource, _ in placements.values()}
        chosen = {
            index: (resource, self.schedule[index].start)
            for resource in touched
            for index in self.on_resource[resource]
            if index not in placements
        }
        chosen.update(placements)
        return assign_members(self.problem, chosen)

    def place(self, placements: dict[int, tuple[int, int]]) -> None:
        """Move tasks to (resource, local start); owners within each touched pool are assigned again."""
        self.take(self.moved(placements))

    def take(self, changed: Schedule) -> None:
        """Take the placements `moved` returned."""
        for index, placement in changed.items():
            before = self.schedule[index]
            if before.resource != placement.resource:
                self.on_resource[before.resource].discard(index)
                self.on_resource[placement.resource].add(index)
            self.schedule[index] = placement
            if before.start != placement.start or before.resource != placement.resource:
                self.spans[index] = global_span(self.problem, self.problem.tasks[index], placement)


@dataclass(frozen=True)
class Neighbourhood:
    """The sub-problem of some free tasks; sub-task `i` is task `originals[i]` of the full problem."""

    problem: PreparedProblem
    originals: tuple[int, ...]

    def restrict(self, schedule: Schedule) -> Schedule:
        """The free tasks' placements in `schedule`, keyed by sub-task index."""
        return {index: schedule[original] for index, original in enumerate(self.originals)}

    def placements(self, sub_schedule: Schedule) -> dict[int, tuple[int, int]]:
        """(resource, local start) of each free task in a schedule of the sub-problem, by full-problem index."""
        return {self.originals[index]: (p.resource, p.start) for index, p in sub_schedule.items()}


def free_tasks(state: PlanState, free: Sequence[int], rng: random.Random) -> Neighbourhood:
    """The sub-problem in which the tasks `free` may move and every other task stays where `state` places it.

    A free task may stay with its owner group or move to a few others drawn with `rng` (`_groups`), mostly those
    of other free tasks so that they can swap. Not to all: that keeps the sub-model small (another neighbourhood
    draws others). For the same reason free tasks stay within a time window: from the earliest start among them
    to a few days past their latest end.
    """
    problem, schedule, spans = state.problem, state.schedule, state.spans
    chosen = set(free)
    originals = tuple(sorted(chosen))
    sub_index = {original: index for index, original in enumerate(originals)}
    # A free task's baseline start is in the window too, so that it can move back to it (docs/model.md).
    baselines = [b.instant for i in chosen if (b := problem.tasks[i].baseline) is not None and b.instant >= 0]
    window_start = min([spans[index][0] for index in chosen] + baselines)
    last_day = max([spans[index][2] for index in chosen] + [instant // UNITS_PER_DAY for instant in baselines])
    window_last_day = min(last_day + WINDOW_SLACK_DAYS, problem.horizon_days - 1)
    in_play = {schedule[index].resource for index in chosen}
    groups = {index: _groups(problem.tasks[index], schedule[index].resource, in_play, rng) for index in originals}
    in_model = {resource for resources in groups.values() for resource in resources}
    tasks = []
    for original in originals:
        task = problem.tasks[original]
        preds = [(sub_index[pred], lag) for pred, lag in task.preds if pred in chosen]
        fixed = [(pred, lag) for pred, lag in task.preds if pred not in chosen]
        release = dependency_release(problem, fixed, spans, window_start)
        limits = [(lag, spans[succ][0]) for succ, lag in state.successors.get(original, []) if succ not in chosen]
        tasks.append(
            replace(
                within_window(task, release, window_last_day),
                index=sub_index[original],
                resources=groups[original],
                preds=preds,
                release_limits=limits,
            )
        )
    busy = _busy_spans(state, in_model, chosen, window_start, window_last_day)
    return Neighbourhood(replace(problem, tasks=tasks, busy=busy, warnings=[]), originals)


def _groups(task: Task, current: int, in_play: set[int], rng: random.Random) -> tuple[int, ...]:
    """The task's current owner group, up to `OTHER_GROUPS` - 1 others in play and one from anywhere else.

    The one from elsewhere lets work reach an owner who is idle around the window (no free task is theirs).
    """
    playing = [r for r in task.resources if r in in_play and r != current]
    elsewhere = [r for r in task.resources if r not in in_play]
    chosen = rng.sample(playing, min(len(playing), OTHER_GROUPS - 1)) + rng.sample(elsewhere, min(len(elsewhere), 1))
    return tuple(sorted({current, *chosen}))


def _busy_spans(
    state: PlanState, resources: Iterable[int], free: set[int], window_start: int, window_last_day: int
) -> dict[int, list[tuple[int, int]]]:
    """Local spans of fixed work on `resources` that overlap the window (the rest cannot meet a free task)."""
    problem = state.problem
    busy: dict[int, list[tuple[int, int]]] = {}
    for resource in resources:
        clock = problem.clocks[problem.resources[resource].clock]
        first, stop = clock.first_unit_at_or_after(window_start), day_end(problem, clock, window_last_day)
        for index in sorted(state.on_resource[resource] - free):
            start = state.schedule[index].start
            end = start + problem.tasks[index].work
            if end > first and start < stop:
                busy.setdefault(resource, []).append((start, end))
    return busy
