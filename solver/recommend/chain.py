"""Dependency chains: the earliest each issue can finish with unlimited owners, and the chain behind it.

With as many owners as needed, an issue starts once its predecessors (plus lags), its not-before date and
its pin allow, on the eligible owner who finishes it first. The chain of a milestone is the sequence of
issues that sets its earliest finish: no amount of extra owners can finish the milestone before that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from api_schemas.common import UNITS_PER_DAY, UNITS_PER_HOUR
from api_schemas.recommendations import Chain
from solver.prepared.problem import PreparedProblem, Task
from solver.prepared.rules import released_after, start_window
from solver.recommend.words import count
from solver.starts.greedy import topological_order


@dataclass(frozen=True)
class Earliest:
    """Earliest start and finish of one task with unlimited owners, and what holds its start back."""

    start: int
    end: int
    end_day: int
    after: tuple[int, int] | None
    placeable: bool


def _place(problem: PreparedProblem, task: Task, release: int) -> tuple[int, int, int] | None:
    """Earliest (start, end, end day) of `task` from instant `release` on any eligible resource."""
    best: tuple[int, int, int] | None = None
    for resource_index in task.resources:
        clock = problem.clocks[problem.resources[resource_index].clock]
        window = start_window(problem, task, clock, release, hard_deadline=False)
        if window.empty:
            continue
        end_unit = window.earliest + task.work
        placed = (clock.global_start(window.earliest), clock.global_end(end_unit), clock.end_day(end_unit))
        if best is None or placed[1] < best[1]:
            best = placed
    return best


def earliest_schedule(problem: PreparedProblem) -> list[Earliest]:
    """Earliest start and finish of every task, by task index, ignoring capacity and hard deadlines."""
    earliest: dict[int, Earliest] = {}
    horizon = problem.horizon_days * UNITS_PER_DAY
    for task in topological_order(problem):
        release, after = task.release, None
        for pred, lag in task.preds:
            before = earliest[pred]
            ready = released_after(problem, before.end, before.end_day, lag) if before.placeable else horizon
            if ready > release:
                release, after = ready, (pred, lag)
        placed = _place(problem, task, release)
        if placed is None:
            earliest[task.index] = Earliest(release, horizon, problem.horizon_days - 1, after, placeable=False)
        else:
            earliest[task.index] = Earliest(*placed, after=after, placeable=True)
    return [earliest[task.index] for task in problem.tasks]


def chain_behind(problem: PreparedProblem, earliest: list[Earliest], scope: Iterable[int]) -> list[int]:
    """Task indices, first to last, of the chain ending at the scope task that finishes last."""
    last = max(scope, key=lambda index: (earliest[index].end, -index), default=None)
    chain: list[int] = []
    while last is not None:
        chain.append(last)
        after = earliest[last].after
        last = after[0] if after is not None else None
    return chain[::-1]


def describe_chain(problem: PreparedProblem, earliest: list[Earliest], chain: list[int], due: date) -> Chain:
    """The chain in words and numbers: its issues, hours, lags, working days and the date it allows."""
    team = problem.team
    tasks = [problem.tasks[index] for index in chain]
    first, last = earliest[chain[0]], earliest[chain[-1]]
    starts = problem.date_of(first.start // UNITS_PER_DAY)
    finish = problem.date_of(last.end_day)
    hours = sum(task.work for task in tasks) / UNITS_PER_HOUR
    lags = sum(after[1] for after in (earliest[index].after for index in chain[1:]) if after is not None)
    working_days = team.working_days_between(starts - timedelta(days=1), finish)
    left = team.working_days_between(problem.start - timedelta(days=1), due) if due >= problem.start else 0
    names = " -> ".join(task.issue.id for task in tasks)
    lag_words = f" and {count(lags, 'working day')} of lags" if lags else ""
    subject = (
        f"the chain {names} ({hours:g} h of work one after another{lag_words})"
        if len(tasks) > 1
        else f"{names} ({hours:g} h of work)"
    )
    message = (
        f"{subject} needs "
        f"{count(working_days, 'working day')} from {starts.isoformat()} and cannot finish before "
        f"{finish.isoformat()}; {count(left, 'working day')} {'is' if left == 1 else 'are'} left up to the due "
        f"date {due.isoformat()}"
    )
    return Chain(
        ids=[task.issue.id for task in tasks],
        hours=hours,
        lag_days=lags,
        starts=starts,
        earliest_finish=finish,
        working_days=working_days,
        working_days_left=left,
        message=message,
    )
