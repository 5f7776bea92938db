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

from solver.prepared.baseline import baseline_owners
from solver.prepared.problem import PreparedProblem, Task
from solver.prepared.schedule import Placement, Schedule, global_span


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


def interchangeable_owners(problem: PreparedProblem) -> list[tuple[int, ...]]:
    """Groups of two or more single-owner resources that no rule tells apart, each by increasing index.

    Same clock (working time) and skills, no issue pinned to them, no baseline work on them and no busy spans, and
    every task may go to all of a group or to none of it. Owners are pooled so when no issue may be split; in
    pieces they are apart (`solver.prepared.problem`), and handing each group's owners out in the order of their
    lowest task (`canonical_owners`) keeps a schedule valid with every level's value, so the model may ask for it.
    """
    pinned = {task.issue.pinned_owner for task in problem.tasks if task.issue.pinned_owner}
    kept_apart = baseline_owners(problem.request) | pinned
    groups: dict[Hashable, list[int]] = {}
    for resource in problem.resources:
        if resource.capacity == 1 and resource.owner_ids[0] not in kept_apart and not problem.busy.get(resource.index):
            groups.setdefault((resource.clock, resource.skills), []).append(resource.index)
    found = []
    for members in groups.values():
        group = set(members)
        if len(members) > 1 and all(len(group & set(t.resources)) in (0, len(group)) for t in problem.tasks):
            found.append(tuple(members))
    return found


def canonical_owners(groups: list[tuple[int, ...]], schedule: Schedule) -> Schedule:
    """The schedule with each group's owners handed out in the order of their lowest task index (unused owners last)."""
    ordered = dict(schedule)
    for group in groups:
        lowest = {r: min((i for i, p in schedule.items() if p.resource == r), default=len(schedule)) for r in group}
        relabel = dict(zip(sorted(group, key=lambda r: (lowest[r], r)), group, strict=True))
        for index, placement in schedule.items():
            if placement.resource in relabel:
                ordered[index] = Placement(relabel[placement.resource], 0, placement.start, placement.runs)
    return ordered
