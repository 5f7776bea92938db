"""Decision variables: per task its owner choice, its stretch on each candidate clock, and its dates.

A stretch on a clock with `h` units per working day is written with linear position arithmetic:
start = h * start_position + start_offset, end = h * end_position + end_offset. On clocks that follow the
team calendar a position is a team working day, so team time (docs/model.md), lags and lateness are
linear. Calendar days enter only through small position-indexed element tables, and only where a clock
leaves the team calendar (7-day agents, days off), so CP-SAT's presolve stays small.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import IntVar, LinearExprT

from api_schemas.common import UNITS_PER_DAY
from solver.clock import Clock
from solver.problem import Problem, Task


@dataclass
class ClockStretch:
    """A task's stretch on one clock: local start/end and the positions (working days) they fall on."""

    clock: int
    present: cp_model.IntVar
    start: cp_model.IntVar
    end: cp_model.IntVar
    start_position: cp_model.IntVar
    start_offset: cp_model.IntVar
    end_position: cp_model.IntVar
    end_offset: cp_model.IntVar


@dataclass
class TaskVars:
    """All variables of one task.

    `team_end` (finish in team time) always exists; calendar-time `end`, `start` and lag releases are built on
    first use, since they need element tables on clocks that do not follow the team calendar.
    """

    task: Task
    model: cp_model.CpModel
    problem: Problem
    team_end: cp_model.IntVar
    chosen: dict[int, cp_model.IntVar] = field(default_factory=dict)
    stretches: dict[int, ClockStretch] = field(default_factory=dict)
    intervals: dict[int, cp_model.IntervalVar] = field(default_factory=dict)
    lateness: cp_model.IntVar | None = None
    _end: cp_model.IntVar | None = None
    _start: cp_model.IntVar | None = None
    _team_start: cp_model.IntVar | None = None
    _releases: dict[int, cp_model.IntVar] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Prefix of this task's variable names."""
        return f"t{self.task.index}"

    def _linked(self, lower: int, upper: int, label: str, per_clock: Callable[[ClockStretch], LinearExprT]) -> IntVar:
        """A task-level variable equal to `per_clock(stretch)` on whichever clock the task runs."""
        value = self.model.new_int_var(lower, upper, f"{self.name}_{label}")
        for stretch in self.stretches.values():
            self.model.add(value == per_clock(stretch)).only_enforce_if(stretch.present)
        return value

    @property
    def end(self) -> cp_model.IntVar:
        """Finish instant in quarter hours since the plan start (calendar time)."""
        if self._end is None:
            horizon = self.problem.horizon_days * UNITS_PER_DAY
            self._end = self._linked(0, horizon, "end", lambda st: _global_end(self.model, self.problem, st, "ed"))
        return self._end

    @property
    def start(self) -> cp_model.IntVar:
        """Start instant in quarter hours since the plan start (calendar time)."""
        if self._start is None:
            horizon = self.problem.horizon_days * UNITS_PER_DAY
            self._start = self._linked(
                self.task.release, horizon, "start", lambda st: _global_start(self.model, self.problem, st, "sd")
            )
        return self._start

    @property
    def team_start(self) -> cp_model.IntVar:
        """Start in team time; only for tasks whose every clock follows the team calendar (then it is linear)."""
        if self._team_start is None:
            clocks = self.problem.clocks
            self._team_start = self._linked(
                0,
                (self.problem.horizon_days + 1) * UNITS_PER_DAY,
                "tstart",
                lambda st: UNITS_PER_DAY * st.start_position + clocks[st.clock].window_start + st.start_offset,
            )
        return self._team_start

    def release(self, lag: int) -> cp_model.IntVar:
        """Earliest calendar-time start of a successor waiting `lag` team working days after this task."""
        if lag == 0:
            return self.end
        if lag not in self._releases:
            shifts = self.problem.lag_shift_table(lag)
            ceiling = (self.problem.horizon_days + max(shifts)) * UNITS_PER_DAY

            def shifted(stretch: ClockStretch) -> LinearExprT:
                clock = self.problem.clocks[stretch.clock]
                table = [UNITS_PER_DAY * shifts[day] for day in clock.working_days]
                shift = table_at(self.model, stretch.end_position, table, f"{self.name}c{stretch.clock}_lag{lag}")
                return _global_end(self.model, self.problem, stretch, "led") + shift

            self._releases[lag] = self._linked(0, ceiling, f"rel{lag}", shifted)
        return self._releases[lag]


def day_at(model: cp_model.CpModel, clock: Clock, position: cp_model.IntVar, name: str) -> cp_model.LinearExpr:
    """Calendar day index of a working-day position (linear on clocks that work every day)."""
    days = clock.working_days
    if days == tuple(range(days[0], days[0] + len(days))):
        return position + days[0]
    day = model.new_int_var(days[0], days[-1], name)
    model.add_element(position, list(days), day)
    return day


def table_at(model: cp_model.CpModel, position: cp_model.IntVar, table: Sequence[int], name: str) -> cp_model.IntVar:
    """`table[position]` as a variable."""
    value = model.new_int_var(min(table), max(table), name)
    model.add_element(position, list(table), value)
    return value


def _stretch(model: cp_model.CpModel, problem: Problem, task: Task, clock_index: int) -> ClockStretch:
    """Variables of `task` as one unbroken stretch on clock `clock_index`."""
    clock = problem.clocks[clock_index]
    name = f"t{task.index}c{clock_index}"
    units = clock.units_per_day
    last_position = max(len(clock.working_days) - 1, 0)
    present = model.new_bool_var(f"{name}_on")
    earliest = clock.first_unit_at_or_after(task.release)
    latest = clock.total_units - task.work
    if task.pinned_day is not None:
        day_units = clock.units_on_day(task.pinned_day)
        earliest, latest = max(earliest, day_units.start), min(latest, day_units.stop - 1)
    if task.hard_deadline_day is not None:
        latest = min(latest, clock.cumulative[min(task.hard_deadline_day + 1, problem.horizon_days)] - task.work)
    if not clock.working_days or earliest > latest:
        model.add(present == 0)
        earliest, latest = 0, max(clock.total_units - task.work, 0)
    start = model.new_int_var(earliest, max(latest, earliest), f"{name}_s")
    end = model.new_int_var(earliest + task.work, max(latest, earliest) + task.work, f"{name}_e")
    model.add(end == start + task.work)
    start_position = model.new_int_var(0, last_position, f"{name}_sp")
    start_offset = model.new_int_var(0, units - 1, f"{name}_so")
    end_position = model.new_int_var(0, last_position, f"{name}_ep")
    end_offset = model.new_int_var(1, units, f"{name}_eo")
    model.add(start == units * start_position + start_offset)
    model.add(end == units * end_position + end_offset)
    return ClockStretch(clock_index, present, start, end, start_position, start_offset, end_position, end_offset)


def _global_start(model: cp_model.CpModel, problem: Problem, stretch: ClockStretch, name: str) -> cp_model.LinearExpr:
    clock = problem.clocks[stretch.clock]
    day = day_at(model, clock, stretch.start_position, f"t{name}{id(stretch)}_sd")
    return UNITS_PER_DAY * day + clock.window_start + stretch.start_offset


def _global_end(model: cp_model.CpModel, problem: Problem, stretch: ClockStretch, name: str) -> cp_model.LinearExpr:
    clock = problem.clocks[stretch.clock]
    day = day_at(model, clock, stretch.end_position, f"t{name}{id(stretch)}_ed")
    return UNITS_PER_DAY * day + clock.window_start + stretch.end_offset


def _team_end(
    model: cp_model.CpModel, problem: Problem, stretch: ClockStretch, aligned: bool, name: str
) -> LinearExprT:
    """Finish in team time: linear on team-calendar clocks, a position table elsewhere (docs/model.md)."""
    clock = problem.clocks[stretch.clock]
    if aligned:
        return UNITS_PER_DAY * stretch.end_position + clock.window_start + stretch.end_offset
    before = [problem.team_days_before(day) for day in clock.working_days]
    on_team_day = [problem.team.is_working(problem.date_of(day)) for day in clock.working_days]
    base = table_at(
        model,
        stretch.end_position,
        [UNITS_PER_DAY * b + (clock.window_start if team else 0) for b, team in zip(before, on_team_day, strict=True)],
        f"{name}_tbase",
    )
    if all(on_team_day):
        return base + stretch.end_offset
    team_day = model.new_bool_var(f"{name}_tday")
    model.add_element(stretch.end_position, [int(team) for team in on_team_day], team_day)
    clock_part = model.new_int_var(0, clock.units_per_day, f"{name}_tclock")
    model.add(clock_part == stretch.end_offset).only_enforce_if(team_day)
    model.add(clock_part == 0).only_enforce_if(team_day.Not())
    return base + clock_part


def create_task_vars(model: cp_model.CpModel, problem: Problem, task: Task, team_aligned: list[bool]) -> TaskVars:
    """Owner choice, clock stretches, intervals, team-time finish and lateness of one task."""
    name = f"t{task.index}"
    team_end = model.new_int_var(0, (problem.horizon_days + 1) * UNITS_PER_DAY, f"{name}_tend")
    variables = TaskVars(task=task, model=model, problem=problem, team_end=team_end)
    for resource_index in task.resources:
        clock_index = problem.resources[resource_index].clock
        if clock_index not in variables.stretches:
            variables.stretches[clock_index] = _stretch(model, problem, task, clock_index)
        stretch = variables.stretches[clock_index]
        chosen = model.new_bool_var(f"{name}r{resource_index}")
        variables.chosen[resource_index] = chosen
        variables.intervals[resource_index] = model.new_optional_interval_var(
            stretch.start, task.work, stretch.end, chosen, f"{name}r{resource_index}_iv"
        )
    model.add_exactly_one(variables.chosen.values())
    deadline_table = problem.lateness_table(task)
    if deadline_table is not None:
        variables.lateness = model.new_int_var(0, max(deadline_table), f"{name}_late")
    for clock_index, stretch in variables.stretches.items():
        clock = problem.clocks[clock_index]
        cname = f"{name}c{clock_index}"
        on_clock = [c for r, c in variables.chosen.items() if problem.resources[r].clock == clock_index]
        model.add(stretch.present == sum(on_clock))
        aligned = team_aligned[clock_index]
        model.add(team_end == _team_end(model, problem, stretch, aligned, cname)).only_enforce_if(stretch.present)
        if variables.lateness is not None and deadline_table is not None and task.deadline is not None:
            if aligned:
                # Positions are team working days: lateness = (end position + 1) - working days through the deadline.
                through = problem.team_days_through(task.deadline)
                model.add(variables.lateness >= stretch.end_position + 1 - through).only_enforce_if(stretch.present)
            else:
                by_position = [deadline_table[day] for day in clock.working_days]
                late = table_at(model, stretch.end_position, by_position, f"{cname}_late")
                model.add(variables.lateness == late).only_enforce_if(stretch.present)
    return variables
