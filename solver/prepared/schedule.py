"""A solver-side schedule: each task placed on one owner's working clock, in one stretch or in pieces."""

from __future__ import annotations

from dataclasses import dataclass

from solver.prepared.problem import PreparedProblem, Task


@dataclass(frozen=True)
class Placement:
    """Where a task runs: resource, which of its owners, its first local working unit and, when split, its pieces.

    `runs` holds the local (start, end) of each piece in order when the task is split (docs/model.md, rule 4);
    empty means one stretch of the task's work from `start`.
    """

    resource: int
    member: int
    start: int
    runs: tuple[tuple[int, int], ...] = ()

    def spans(self, work: int) -> tuple[tuple[int, int], ...]:
        """The local (start, end) of each piece, in order: one stretch of `work` units unless split."""
        return self.runs or ((self.start, self.start + work),)

    def end(self, work: int) -> int:
        """The local end (exclusive) of the last piece."""
        return self.runs[-1][1] if self.runs else self.start + work


Schedule = dict[int, Placement]


def pieces_of(schedule: Schedule) -> int:
    """Pieces of a schedule (the pieces level's value): one per task, plus one per pause."""
    return sum(max(len(placement.runs), 1) for placement in schedule.values())


def global_span(problem: PreparedProblem, task: Task, placement: Placement) -> tuple[int, int, int]:
    """Global start instant, global end instant and end day index of a placed task (its last piece's end)."""
    clock = problem.clocks[problem.resources[placement.resource].clock]
    end_unit = placement.end(task.work)
    return clock.global_start(placement.start), clock.global_end(end_unit), clock.end_day(end_unit)


def on_owners(source: PreparedProblem, target: PreparedProblem, schedule: Schedule) -> Schedule:
    """The schedule of `source` on `target`'s resources: the same owners and local starts, pooled or not.

    Both problems have the same tasks, owners and horizon (a problem in pieces and its unbroken twin): an owner's
    clock has the same local units in both, so only the resource and member of each placement change.
    """
    where = {
        owner: (resource.index, member)
        for resource in target.resources
        for member, owner in enumerate(resource.owner_ids)
    }
    mapped: Schedule = {}
    for index, placement in schedule.items():
        owner = source.resources[placement.resource].owner_ids[placement.member]
        resource, member = where[owner]
        mapped[index] = Placement(resource, member, placement.start, placement.runs)
    return mapped
