"""The rules of a task's place on an owner's clock and of its dependencies (docs/model.md, rules 3 and 4), stated once.

Every part of the solver that places a task reads them from here: the CP-SAT model (`solver.model.variables` and
`solver.model.constraints`), the greedy start and its rounds (`solver.starts`), the neighbourhoods' sub-problems
(`solver.search.neighbourhood`), the earliest finishes (`solver.bounds.earliest_finish`) and the recommendations'
chains and switchable constraints. So a new rule on a task's own dates or pieces, or on how a task waits for
another, is written here, in the model where CP-SAT must see it, and in the checker, which reads the rules from
docs/model.md on its own.

- **Release**: no work before the task's release (its not-before date) or the given dependency release.
- **Pinned start**: the first piece starts on the pinned day.
- **Hard deadline**: the last piece ends on or before the hard-deadline day (`Task.hard_deadline_day`, also the
  narrowed last finish day of `solver.bounds.finish_windows` and a sub-problem's window, `within_window`).
- **Horizon**: the last piece ends within the clock's working time over the horizon.
- **Dependency release**: a successor waiting `lag` team working days after its predecessor may start at the
  predecessor's end (lag 0), else at the end's clock time on the lag-th team working day after the end day
  (`release_team_day`); `released_after` is that in numbers, `team_time_release` in team time, and the model's
  calendar terms write it with the same function.
- **Pieces**: `Task.pieces` (`PieceRule`): how many pieces and how short, read by the model and the results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, overload

from api_schemas.common import UNITS_PER_DAY

if TYPE_CHECKING:
    from ortools.sat.python.cp_model import LinearExpr

    from solver.calendars.clock import Clock
    from solver.prepared.problem import PreparedProblem, Task


@dataclass(frozen=True)
class StartWindow:
    """Local units of a clock where a task's first piece may start: `earliest` to `latest` inclusive."""

    earliest: int
    latest: int

    @property
    def empty(self) -> bool:
        """True when no start meets the rules on this clock."""
        return self.earliest > self.latest


def start_window(
    problem: PreparedProblem, task: Task, clock: Clock, release: int | None = None, hard_deadline: bool = True
) -> StartWindow:
    """The starts the task's own rules allow on `clock`, from instant `release` (default: its not-before release).

    The latest start leaves room for all the work by the horizon and, with `hard_deadline`, by the end of the
    hard-deadline day (pieces only end later than one stretch would, so this bounds every form). Starts that miss
    only the hard deadline are allowed without it: the greedy start may miss one, and its rounds repair that.
    """
    earliest = earliest_start(task, clock, release)
    latest = clock.total_units - task.work
    pinned = pinned_starts(task, clock)
    if pinned is not None:
        if not pinned:
            return StartWindow(earliest, -1)  # the pinned day is not a working day of this clock
        earliest, latest = max(earliest, pinned.start), min(latest, pinned.stop - 1)
    if hard_deadline and task.hard_deadline_day is not None:
        latest = min(latest, last_end(problem, task, clock) - task.work)
    if task.fixed_start is not None:  # in progress or frozen (docs/model.md, "Living plans")
        earliest, latest = max(earliest, task.fixed_start), min(latest, task.fixed_start)
    return StartWindow(earliest, latest)


def earliest_start(task: Task, clock: Clock, release: int | None = None) -> int:
    """The release rule on `clock`: the first local unit at or after the task's release (and instant `release`)."""
    return clock.first_unit_at_or_after(task.release if release is None else max(release, task.release))


def pinned_starts(task: Task, clock: Clock) -> range | None:
    """The pinned-start rule on `clock`: the local units of the pinned day (empty when it does not work then).

    None when the task has no pinned day.
    """
    return None if task.pinned_day is None else clock.units_on_day(task.pinned_day)


def last_end(problem: PreparedProblem, task: Task, clock: Clock) -> int:
    """The latest local end of the task's last piece on `clock`: the end of its hard-deadline day, or the horizon."""
    if task.hard_deadline_day is None:
        return clock.total_units
    return day_end(problem, clock, task.hard_deadline_day)


def day_end(problem: PreparedProblem, clock: Clock, day: int) -> int:
    """The local end of day index `day` on `clock` (the horizon's end past it): work ending that day ends by it.

    A day before the plan's start (a hard deadline already passed) ends before any working time: 0.
    """
    return clock.cumulative[max(0, min(day + 1, problem.horizon_days))]


def day_end_instant(day: int) -> int:
    """The same in calendar time: midnight after day index `day` (a finish at 24:00 belongs to the day it ends)."""
    return UNITS_PER_DAY * (day + 1)


def meets_hard_deadline(task: Task, end_day: int) -> bool:
    """Whether a task whose last piece ends on day index `end_day` meets its hard deadline (if it has one)."""
    return task.hard_deadline_day is None or end_day <= task.hard_deadline_day


def within_window(task: Task, release: int, last_day: int) -> Task:
    """The task held to a window: released no earlier than instant `release`, its last piece ending by `last_day`.

    A window narrows the release and hard-deadline rules' dates, so `start_window` and the model read it as
    they read the task's own (the sub-problems of `solver.search.neighbourhood`).
    """
    deadline = last_day if task.hard_deadline_day is None else min(last_day, task.hard_deadline_day)
    return replace(task, release=max(task.release, release), hard_deadline_day=deadline)


@overload
def release_team_day(team_days_before_end_day: int, end_on_team_day: int, lag: int) -> int: ...


@overload
def release_team_day(
    team_days_before_end_day: LinearExpr | int, end_on_team_day: LinearExpr | int, lag: int
) -> LinearExpr | int: ...


def release_team_day(
    team_days_before_end_day: LinearExpr | int, end_on_team_day: LinearExpr | int, lag: int
) -> LinearExpr | int:
    """The dependency rule: a successor waiting `lag` >= 1 team working days is released on this team working day.

    Team working days are counted from 0 at the plan's first one; the day is the lag-th team working day after
    the predecessor's end day, found from the team working days before that day and whether it is one (1 or 0).
    The release's clock time is the end's (24:00 means the start of the day after). Numbers or CP-SAT terms.
    """
    return team_days_before_end_day + end_on_team_day + lag - 1


def released_after(problem: PreparedProblem, end_instant: int, end_day: int, lag: int) -> int:
    """Earliest start of a successor waiting `lag` team working days after work ending at `end_instant` on `end_day`.

    The end itself for lag 0, else the same clock time on the day `release_team_day` names
    (`PreparedProblem.lag_shift_table` holds its distance from each end day).
    """
    if lag == 0:
        return end_instant
    return end_instant + UNITS_PER_DAY * problem.lag_shift_table(lag)[end_day]


def team_time_release(team_end: LinearExpr | int, lag: int) -> LinearExpr | int:
    """The same release in team time, for work ending on a team working day: `lag` whole team days after its end.

    `release_team_day` with the end day a team working day is its team index plus `lag`, and the clock time is
    kept, so the release's team time is the end's plus `lag` days; the model's dependencies between tasks that
    run on team working days only are linear in it.
    """
    return team_end + UNITS_PER_DAY * lag


def dependency_release(
    problem: PreparedProblem,
    preds: Iterable[tuple[int, int]],
    spans: Mapping[int, tuple[int, int, int]],
    release: int,
) -> int:
    """Instant `release` or each predecessor's release (`released_after`), whichever is later.

    `preds` are (predecessor, lag) pairs and `spans` the predecessors' (start, end, end day) in calendar time.
    """
    for pred, lag in preds:
        _, end, end_day = spans[pred]
        release = max(release, released_after(problem, end, end_day, lag))
    return release
