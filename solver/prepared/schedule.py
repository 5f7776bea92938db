"""A solver-side schedule: each task placed as one stretch on one owner's working clock."""

from __future__ import annotations

from dataclasses import dataclass

from solver.prepared.problem import PreparedProblem, Task


@dataclass(frozen=True)
class Placement:
    """Where a task runs: resource, which of its owners, and its first local working unit."""

    resource: int
    member: int
    start: int


Schedule = dict[int, Placement]


def global_span(problem: PreparedProblem, task: Task, placement: Placement) -> tuple[int, int, int]:
    """Global start instant, global end instant and end day index of a placed task."""
    clock = problem.clocks[problem.resources[placement.resource].clock]
    end_unit = placement.start + task.work
    return clock.global_start(placement.start), clock.global_end(end_unit), clock.end_day(end_unit)
