"""Classes of interchangeable tasks, and the order of their placements that the model's symmetry breaking keeps.

Two tasks are interchangeable when every rule and objective term reads the same of both: work, priority, deadline
(and whether it is hard), milestone, release (not-before), pinned day, candidate owner groups (so skills and
pinned owner), predecessors and successors with the same lags, and release limits. Swapping the placements (owner
group, owner, start) of two such tasks maps every valid schedule to a valid schedule with the same objective values:
each task meets the other's rules, which are its own, and owners, dependencies and each level see the same set of
finishes. So any schedule can be reordered within each class (`canonical`), and ordering a class's tasks by index
excludes no objective value.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from solver.prepared.problem import PreparedProblem, Task
from solver.prepared.schedule import Schedule, global_span


@dataclass(frozen=True)
class IdenticalClass:
    """Interchangeable tasks, by index, and the key their placements are ordered by.

    With `clock` (every candidate group on that clock), local starts do not decrease with the index, and a single
    owner's starts are at least `gap` (the work) apart; otherwise team-time finishes do not decrease with the index.
    """

    tasks: tuple[int, ...]
    clock: int | None
    gap: int


def _signature(task: Task, successors: list[tuple[int, int]]) -> Hashable:
    """Everything the model and the objective read of a task, its index and issue id aside."""
    return (
        task.work,
        task.rank,
        task.deadline,
        task.hard_deadline_day,
        task.issue.milestone,
        task.release,
        task.pinned_day,
        task.fixed_start,
        task.baseline.instant if task.baseline is not None else None,
        task.baseline.owner if task.baseline is not None else None,
        tuple(sorted(task.resources)),
        tuple(sorted(task.preds)),
        tuple(sorted(successors)),
        tuple(sorted(task.release_limits)),
        task.pieces,
    )


def identical_classes(problem: PreparedProblem) -> list[IdenticalClass]:
    """Classes of two or more interchangeable tasks (module docstring), each by increasing index."""
    successors: list[list[tuple[int, int]]] = [[] for _ in problem.tasks]
    for task in problem.tasks:
        for pred, lag in task.preds:
            successors[pred].append((task.index, lag))
    classes: dict[Hashable, list[int]] = {}
    for task in problem.tasks:
        classes.setdefault(_signature(task, successors[task.index]), []).append(task.index)
    found = []
    for members in classes.values():
        if len(members) < 2:
            continue
        task = problem.tasks[members[0]]
        clocks = {problem.resources[r].clock for r in task.resources}
        clock = next(iter(clocks)) if len(clocks) == 1 else None
        alone = len(task.resources) == 1 and problem.resources[task.resources[0]].capacity == 1
        found.append(IdenticalClass(tuple(members), clock, task.work if alone else 0))
    return found


def canonical(problem: PreparedProblem, classes: list[IdenticalClass], schedule: Schedule) -> Schedule:
    """The schedule with each class's placements handed out in the class's order (same validity and values)."""
    ordered = dict(schedule)
    for each in classes:
        if not all(index in schedule for index in each.tasks):
            continue
        task = problem.tasks[each.tasks[0]]
        placements = [schedule[index] for index in each.tasks]
        if each.clock is not None:
            placements.sort(key=lambda placement: placement.start)
        else:
            placements.sort(key=lambda placement: problem.team_time(global_span(problem, task, placement)[1]))
        ordered.update(zip(each.tasks, placements, strict=True))
    return ordered
