"""The rules of one task's place on an owner's clock (docs/model.md, rules 3 and 4), each stated once.

Every part of the solver that places a task reads them from here: the CP-SAT model (`solver.model.variables`),
the greedy start and its rounds (`solver.starts`), the neighbourhoods (through the model), the earliest finishes
(`solver.bounds.earliest_finish`) and the recommendations' chains. So a new rule on a task's own dates or pieces
is written here, in the model's constraints between tasks when it links tasks, and in the checker, which reads
the rules from docs/model.md on its own.

- **Release**: no work before the task's release (its not-before date) or the given dependency release.
- **Pinned start**: the first piece starts on the pinned day.
- **Hard deadline**: the last piece ends on or before the hard-deadline day (`Task.hard_deadline_day`, also the
  narrowed last finish day of `solver.bounds.finish_windows`).
- **Horizon**: the last piece ends within the clock's working time over the horizon.
- **Pieces**: `Task.pieces` (`PieceRule`): how many pieces and how short, read by the model and the results.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    earliest = clock.first_unit_at_or_after(task.release if release is None else max(release, task.release))
    latest = clock.total_units - task.work
    if task.pinned_day is not None:
        day_units = clock.units_on_day(task.pinned_day)
        if not day_units:
            return StartWindow(earliest, -1)  # the pinned day is not a working day of this clock
        earliest, latest = max(earliest, day_units.start), min(latest, day_units.stop - 1)
    if hard_deadline and task.hard_deadline_day is not None:
        latest = min(latest, last_end(problem, task, clock) - task.work)
    if task.fixed_start is not None:  # in progress or frozen (docs/model.md, "Living plans")
        earliest, latest = max(earliest, task.fixed_start), min(latest, task.fixed_start)
    return StartWindow(earliest, latest)


def last_end(problem: PreparedProblem, task: Task, clock: Clock) -> int:
    """The latest local end of the task's last piece on `clock`: the end of its hard-deadline day, or the horizon."""
    if task.hard_deadline_day is None:
        return clock.total_units
    return clock.cumulative[min(task.hard_deadline_day + 1, problem.horizon_days)]


def meets_hard_deadline(task: Task, end_day: int) -> bool:
    """Whether a task whose last piece ends on day index `end_day` meets its hard deadline (if it has one)."""
    return task.hard_deadline_day is None or end_day <= task.hard_deadline_day
