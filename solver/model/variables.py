"""Decision variables: per task its owner choice, its stretch on each candidate clock, and its dates.

A stretch on a clock with `h` units per working day is written with linear position arithmetic:
start = h * start_position + start_offset, end = h * end_position + end_offset. Calendar facts of positions
(team time, lateness, calendar days for lags) come from `CalendarTerms`: linear on clocks that work team
days only, a few small terms on the others, so CP-SAT's presolve stays small at any horizon.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import IntVar

from api_schemas.common import UNITS_PER_DAY
from solver.bounds.earliest_finish import EarliestFinish
from solver.model.calendar_terms import Bounded, CalendarTerms, DayTerm, Expr
from solver.prepared.problem import PreparedProblem, Task
from solver.prepared.rules import release_team_day, start_window


@dataclass(frozen=True)
class PieceVars:
    """One piece of a split task on one clock: local start, size and end, and whether it is used.

    The first piece is always used (when the clock is); an unused later piece has size 0 and sits at the end of
    the one before, so the stretch's end is the last piece's end.
    """

    start: cp_model.IntVar
    size: cp_model.IntVar
    end: cp_model.IntVar
    used: cp_model.IntVar | None
    #: The start and size in grains (what a hint sets); the first piece starts with the stretch.
    start_steps: cp_model.IntVar | None
    size_steps: cp_model.IntVar


@dataclass
class ClockStretch:
    """A task's stretch on one clock: local start/end and the positions (working days) they fall on.

    The calendar terms of those positions (team index, calendar day, team facts of the end day) are built
    on first use and kept here, keyed by "start" or "end".
    """

    clock: int
    present: cp_model.IntVar
    start: cp_model.IntVar
    end: cp_model.IntVar
    start_position: cp_model.IntVar
    start_offset: cp_model.IntVar
    end_position: cp_model.IntVar
    end_offset: cp_model.IntVar
    #: Lowest and highest start and end positions (working-day indices on the clock) the task's dates allow.
    start_positions: tuple[int, int]
    end_positions: tuple[int, int]
    team_positions: dict[str, Bounded] = field(default_factory=dict)
    days: dict[str, DayTerm] = field(default_factory=dict)
    end_team_facts: tuple[Bounded, Bounded] | None = None
    #: The pieces of a task that may be split (`Task.pieces`), in order; empty for one unbroken stretch.
    pieces: list[PieceVars] = field(default_factory=list)

    def position(self, which: str) -> Bounded:
        """The start or end position with its bounds."""
        if which == "start":
            return Bounded(self.start_position, *self.start_positions)
        return Bounded(self.end_position, *self.end_positions)


@dataclass
class TaskVars:
    """All variables of one task.

    `team_end` (finish in team time) always exists; calendar-time `end`, `start` and lag releases are built on
    first use (only dependencies that involve clocks working off team days need them).
    """

    task: Task
    model: cp_model.CpModel
    problem: PreparedProblem
    calendar: CalendarTerms
    team_end: cp_model.IntVar
    chosen: dict[int, cp_model.IntVar] = field(default_factory=dict)
    stretches: dict[int, ClockStretch] = field(default_factory=dict)
    intervals: dict[int, cp_model.IntervalVar] = field(default_factory=dict)
    #: Per resource, one optional interval per piece (tasks that may be split; `intervals` holds the others).
    piece_intervals: dict[int, list[cp_model.IntervalVar]] = field(default_factory=dict)
    lateness: cp_model.IntVar | None = None
    _end: cp_model.IntVar | None = None
    _start: cp_model.IntVar | None = None
    _team_start: cp_model.IntVar | None = None
    _releases: dict[int, cp_model.IntVar] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Prefix of this task's variable names."""
        return f"t{self.task.index}"

    def resource_intervals(self, resource: int) -> list[cp_model.IntervalVar]:
        """The intervals the task may occupy on `resource`: one stretch, or one per piece."""
        if resource in self.piece_intervals:
            return self.piece_intervals[resource]
        return [self.intervals[resource]] if resource in self.intervals else []

    @property
    def pieces(self) -> cp_model.LinearExprT:
        """The task's number of pieces (docs/model.md, Objective level 9): one, plus each later piece used."""
        return 1 + sum(p.used for st in self.stretches.values() for p in st.pieces if p.used is not None)

    @property
    def on_team_days(self) -> bool:
        """True when every clock the task may run on works team days only (its dates are linear in team time)."""
        return all(self.calendar.on_team_days(clock) for clock in self.stretches)

    def _linked(self, lower: int, upper: int, label: str, per_clock: Callable[[ClockStretch], Expr]) -> IntVar:
        """A task-level variable equal to `per_clock(stretch)` on whichever clock the task runs."""
        value = self.model.new_int_var(lower, upper, f"{self.name}_{label}")
        for stretch in self.stretches.values():
            self.model.add(value == per_clock(stretch)).only_enforce_if(stretch.present)
        return value

    def _ceiling(self, extra_days: int = 0) -> int:
        """An upper bound of calendar instants: past the team's last mapped working day, plus `extra_days`."""
        return (self.calendar.team.pattern.day(self.calendar.team.length + extra_days) + 1) * UNITS_PER_DAY

    @property
    def end(self) -> cp_model.IntVar:
        """Finish instant in quarter hours since the plan start (calendar time)."""
        if self._end is None:
            self._end = self._linked(0, self._ceiling(), "end", lambda st: self._instant(st, "end"))
        return self._end

    @property
    def start(self) -> cp_model.IntVar:
        """Start instant in quarter hours since the plan start (calendar time)."""
        if self._start is None:
            self._start = self._linked(
                self.task.release, self._ceiling(), "start", lambda st: self._instant(st, "start")
            )
        return self._start

    @property
    def team_start(self) -> cp_model.IntVar:
        """Start in team time; only for tasks whose clocks all work team days only (then it is linear)."""
        if self._team_start is None:
            clocks = self.problem.clocks
            self._team_start = self._linked(
                0,
                (self.problem.horizon_days + 1) * UNITS_PER_DAY,
                "tstart",
                lambda st: (
                    UNITS_PER_DAY * self._team_position(st, "start").expr
                    + clocks[st.clock].window_start
                    + st.start_offset
                ),
            )
        return self._team_start

    def release(self, lag: int) -> cp_model.IntVar:
        """Earliest calendar-time start of a successor waiting `lag` team working days after this task."""
        if lag == 0:
            return self.end
        if lag not in self._releases:
            self._releases[lag] = self._linked(0, self._ceiling(lag), f"rel{lag}", lambda st: self._released(st, lag))
        return self._releases[lag]

    def _team_position(self, stretch: ClockStretch, which: str) -> Bounded:
        """Team working-day index of the stretch's start or end (clocks on team days only)."""
        if which not in stretch.team_positions:
            name = f"{self.name}c{stretch.clock}{which[0]}"
            position = self.calendar.team_position(stretch.clock, stretch.position(which), name)
            stretch.team_positions[which] = position
        return stretch.team_positions[which]

    def _day(self, stretch: ClockStretch, which: str) -> DayTerm:
        """Calendar day of the stretch's start or end."""
        if which not in stretch.days:
            name = f"{self.name}c{stretch.clock}{which[0]}d"
            if self.calendar.on_team_days(stretch.clock):
                stretch.days[which] = self.calendar.team_day(self._team_position(stretch, which), name)
            else:
                stretch.days[which] = self.calendar.day(stretch.clock, stretch.position(which), name)
        return stretch.days[which]

    def _end_team_facts(self, stretch: ClockStretch) -> tuple[Bounded, Bounded]:
        """Team working days before the end day, and whether the end day is one (clocks off team days)."""
        if stretch.end_team_facts is None:
            day = self._day(stretch, "end")
            name = f"{self.name}c{stretch.clock}e"
            before = self.calendar.team_days_before(day, name)
            on_team_day = Bounded(self.calendar.is_team_day(stretch.clock, day, name), 0, 1)
            stretch.end_team_facts = (before, on_team_day)
        return stretch.end_team_facts

    def _instant(self, stretch: ClockStretch, which: str) -> Expr:
        window = self.problem.clocks[stretch.clock].window_start
        offset = stretch.start_offset if which == "start" else stretch.end_offset
        return UNITS_PER_DAY * self._day(stretch, which).day + window + offset

    def _released(self, stretch: ClockStretch, lag: int) -> Expr:
        """The dependency rule (`rules.release_team_day`): the end's clock time on the day it names (lag >= 1)."""
        if self.calendar.on_team_days(stretch.clock):
            # The end day is a team working day, and its team index is the team working days before it.
            end = self._team_position(stretch, "end")
            target = Bounded(
                release_team_day(end.expr, 1, lag), release_team_day(end.lo, 1, lag), release_team_day(end.hi, 1, lag)
            )
        else:
            before, on_team_day = self._end_team_facts(stretch)
            target = Bounded(
                release_team_day(before.expr, on_team_day.expr, lag),
                release_team_day(before.lo, 0, lag),
                release_team_day(before.hi, 1, lag),
            )
        day = self.calendar.team_day(target, f"{self.name}c{stretch.clock}l{lag}")
        return UNITS_PER_DAY * day.day + self.problem.clocks[stretch.clock].window_start + stretch.end_offset


def _stretch(model: cp_model.CpModel, problem: PreparedProblem, task: Task, clock_index: int) -> ClockStretch:
    """Variables of `task` as one unbroken stretch on clock `clock_index`."""
    clock = problem.clocks[clock_index]
    name = f"t{task.index}c{clock_index}"
    units = clock.units_per_day
    last_position = max(len(clock.working_days) - 1, 0)
    present = model.new_bool_var(f"{name}_on")
    window = start_window(problem, task, clock)
    earliest, latest = window.earliest, window.latest
    if not clock.working_days or window.empty:
        model.add(present == 0)
        earliest, latest = 0, max(clock.total_units - task.work, 0)
    latest = max(latest, earliest)
    start = model.new_int_var(earliest, latest, f"{name}_s")
    end = model.new_int_var(earliest + task.work, latest + task.work, f"{name}_e")
    span = (earliest, latest + task.work)
    pieces = _pieces(model, problem, task, (start, end), span, present, name) if task.pieces.splits else []
    if not pieces:
        model.add(end == start + task.work)
    # Positions only where the dates allow (releases, pins, deadlines, neighbourhood windows): each position a
    # stretch cannot reach would cost calendar literals for nothing.
    start_positions = (min(earliest // units, last_position), min(latest // units, last_position))
    end_positions = (
        min((earliest + task.work - 1) // units, last_position),
        min((latest + task.work - 1) // units, last_position),
    )
    start_position = model.new_int_var(*start_positions, f"{name}_sp")
    # Offsets on the problem's time grain (docs/model.md): starts and ends fall on it, nothing better is lost.
    grain = problem.grain
    start_offset = model.new_int_var_from_domain(cp_model.Domain.from_values(range(0, units, grain)), f"{name}_so")
    end_position = model.new_int_var(*end_positions, f"{name}_ep")
    end_offset = model.new_int_var_from_domain(
        cp_model.Domain.from_values(range(grain, units + 1, grain)), f"{name}_eo"
    )
    model.add(start == units * start_position + start_offset)
    model.add(end == units * end_position + end_offset)
    return ClockStretch(
        clock_index,
        present,
        start,
        end,
        start_position,
        start_offset,
        end_position,
        end_offset,
        start_positions,
        end_positions,
        pieces=pieces,
    )


def _pieces(
    model: cp_model.CpModel,
    problem: PreparedProblem,
    task: Task,
    stretch: tuple[cp_model.IntVar, cp_model.IntVar],
    span: tuple[int, int],
    present: cp_model.IntVar,
    name: str,
) -> list[PieceVars]:
    """Up to `task.pieces.most` pieces from the stretch's start to its end, within `span`, adding up to the work.

    A used piece lasts at least the shortest chunk and starts at least one grain after the previous one ends (a
    pause, so that each modelled piece is one piece of the rules); piece boundaries lie on the time grain.
    """
    grain, rule, work = problem.grain, task.pieces, task.work
    (start, end), (lowest, highest) = stretch, span
    pieces: list[PieceVars] = []
    previous_end: cp_model.IntVar = start
    for k in range(rule.most):
        size_steps = model.new_int_var(0, work // grain, f"{name}_p{k}z")
        size = model.new_int_var(0, work, f"{name}_p{k}d")
        model.add(size == grain * size_steps)
        steps: cp_model.IntVar | None = None
        if k == 0:
            used = None
            piece_start = start
            model.add(size >= rule.shortest)
        else:
            used = model.new_bool_var(f"{name}_p{k}u")
            model.add(used <= present)
            if pieces[-1].used is not None:
                model.add(used <= pieces[-1].used)
            steps = model.new_int_var(lowest // grain, highest // grain, f"{name}_p{k}q")
            piece_start = model.new_int_var(lowest, highest, f"{name}_p{k}s")
            model.add(piece_start == grain * steps)
            model.add(piece_start >= previous_end + grain).only_enforce_if(used)
            model.add(piece_start == previous_end).only_enforce_if(~used)
            model.add(size >= rule.shortest).only_enforce_if(used)
            model.add(size == 0).only_enforce_if(~used)
        piece_end = model.new_int_var(lowest, highest, f"{name}_p{k}e")
        model.add(piece_end == piece_start + size)
        pieces.append(PieceVars(piece_start, size, piece_end, used, steps, size_steps))
        previous_end = piece_end
    model.add(sum(piece.size for piece in pieces) == work)
    model.add(end == previous_end)
    return pieces


def _link_finish(variables: TaskVars, stretch: ClockStretch) -> None:
    """Team-time finish and working-day lateness of the task when it runs on this stretch (docs/model.md)."""
    model, problem = variables.model, variables.problem
    clock = problem.clocks[stretch.clock]
    name = f"{variables.name}c{stretch.clock}"
    if not clock.working_days:
        return
    if variables.calendar.on_team_days(stretch.clock):
        # Positions map onto team working days: team time and lateness are linear in that index.
        end = variables._team_position(stretch, "end")
        team_time = UNITS_PER_DAY * end.expr + clock.window_start + stretch.end_offset
        model.add(variables.team_end == team_time).only_enforce_if(stretch.present)
        _link_lateness(variables, stretch, end.expr)
        return
    before, team_day_fact = variables._end_team_facts(stretch)
    on_team_day = team_day_fact.expr
    if isinstance(on_team_day, int):
        clock_part: Expr = (clock.window_start + stretch.end_offset) if on_team_day else 0
    else:
        team_day = model.new_bool_var(f"{name}_tday")
        model.add(team_day == on_team_day)
        part = model.new_int_var(0, UNITS_PER_DAY, f"{name}_tclock")
        model.add(part == clock.window_start + stretch.end_offset).only_enforce_if(team_day)
        model.add(part == 0).only_enforce_if(~team_day)
        clock_part = part
    model.add(variables.team_end == UNITS_PER_DAY * before.expr + clock_part).only_enforce_if(stretch.present)
    _link_lateness(variables, stretch, before.expr)


def _link_lateness(variables: TaskVars, stretch: ClockStretch, team_days_before_end: Expr) -> None:
    """Lateness, exactly (so that any solution's lateness values are its true ones, e.g. as the next hint).

    Late exactly when the end day is after the deadline, i.e. past the clock's last working day on or before
    it; then lateness = team working days before the end day + 1 - team working days through the deadline.
    """
    model, problem, task, late = variables.model, variables.problem, variables.task, variables.lateness
    if late is None or task.deadline is None:
        return
    deadline = task.deadline
    on_time_days = bisect_right(problem.clocks[stretch.clock].working_days, problem.day_index(deadline))
    first_end, last_end = stretch.end_positions
    if on_time_days > last_end:
        model.add(late == 0).only_enforce_if(stretch.present)
        return
    through = problem.team_days_through(deadline)
    if on_time_days <= first_end:
        model.add(late == team_days_before_end + 1 - through).only_enforce_if(stretch.present)
        return
    is_late = model.new_bool_var(f"{variables.name}c{stretch.clock}_islate")
    model.add(stretch.end_position >= on_time_days).only_enforce_if(is_late)
    model.add(stretch.end_position <= on_time_days - 1).only_enforce_if(~is_late)
    model.add(late == team_days_before_end + 1 - through).only_enforce_if([stretch.present, is_late])
    model.add(late == 0).only_enforce_if([stretch.present, ~is_late])


def _piece_intervals(
    model: cp_model.CpModel, stretch: ClockStretch, chosen: cp_model.IntVar, name: str
) -> list[cp_model.IntervalVar]:
    """One optional interval per piece on one resource: there when the resource is chosen and the piece used."""
    intervals = []
    for k, piece in enumerate(stretch.pieces):
        there = chosen
        if piece.used is not None:
            there = model.new_bool_var(f"{name}_p{k}on")
            model.add_bool_and([chosen, piece.used]).only_enforce_if(there)
            model.add_bool_or([~chosen, ~piece.used]).only_enforce_if(~there)
        intervals.append(model.new_optional_interval_var(piece.start, piece.size, piece.end, there, f"{name}_p{k}iv"))
    return intervals


def create_task_vars(
    model: cp_model.CpModel, problem: PreparedProblem, task: Task, calendar: CalendarTerms, earliest: EarliestFinish
) -> TaskVars:
    """Owner choice, clock stretches, intervals, team-time finish (from its lower bound) and lateness of a task."""
    name = f"t{task.index}"
    latest = (problem.horizon_days + 1) * UNITS_PER_DAY
    team_end = model.new_int_var(min(earliest.team_time, latest), latest, f"{name}_tend")
    variables = TaskVars(task=task, model=model, problem=problem, calendar=calendar, team_end=team_end)
    for resource_index in task.resources:
        clock_index = problem.resources[resource_index].clock
        if clock_index not in variables.stretches:
            variables.stretches[clock_index] = _stretch(model, problem, task, clock_index)
        stretch = variables.stretches[clock_index]
        chosen = model.new_bool_var(f"{name}r{resource_index}")
        variables.chosen[resource_index] = chosen
        if stretch.pieces:
            variables.piece_intervals[resource_index] = _piece_intervals(
                model, stretch, chosen, f"{name}r{resource_index}"
            )
        else:
            variables.intervals[resource_index] = model.new_optional_interval_var(
                stretch.start, task.work, stretch.end, chosen, f"{name}r{resource_index}_iv"
            )
    model.add_exactly_one(variables.chosen.values())
    deadline_table = problem.lateness_table(task)
    if deadline_table is not None:
        most = max(deadline_table)
        variables.lateness = model.new_int_var(min(earliest.lateness, most), most, f"{name}_late")
    for clock_index, stretch in variables.stretches.items():
        on_clock = [c for r, c in variables.chosen.items() if problem.resources[r].clock == clock_index]
        model.add(stretch.present == sum(on_clock))
        _link_finish(variables, stretch)
    return variables
