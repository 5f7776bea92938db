"""Calendar facts of working-day positions as small CP-SAT terms (see `solver.calendars.day_maps`).

Clocks come in two kinds. A clock that works only on team working days (the team's own calendar, part-time
weekdays, days off) maps its positions onto team working days by a few skips, so team time, lateness and
lags stay linear. A clock that also works other days (7-day agents, holidays worked) maps positions onto
calendar days by its weekly pattern, and reads team working days before that day from the team's pattern.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model, cp_model_helper
from ortools.sat.python.cp_model import LinearExpr

from solver.calendars.day_maps import DAYS_PER_WEEK, DayMap, Skips, WeeklyPattern
from solver.prepared.problem import PreparedProblem

#: A linear term or a constant (what these helpers return and take).
Expr = LinearExpr | int


class Bounded:
    """A linear expression with the bounds of its values, kept flat and rebuilt for every use.

    OR-Tools 9.15 can fold a constant into a sub-expression that an earlier result shares: after `e = s - 1`,
    evaluating `e + 1 - 2` turns `e` itself into `s - 2 - 1`. These expressions are reused (a task's end
    position feeds its lateness, team time and lag releases), so each read gets its own copy.
    """

    __slots__ = ("_coefficients", "_offset", "_variables", "hi", "lo")

    def __init__(self, expr: Expr, lo: int, hi: int) -> None:
        if isinstance(expr, int):
            self._variables: tuple[cp_model.IntVar, ...] = ()
            self._coefficients: tuple[int, ...] = ()
            self._offset = expr
        else:
            flat = cp_model_helper.FlatIntExpr(expr)
            self._variables, self._coefficients, self._offset = tuple(flat.vars), tuple(flat.coeffs), flat.offset
        self.lo, self.hi = lo, hi

    @property
    def expr(self) -> Expr:
        """A new copy of the expression (see the class docstring)."""
        if not self._variables:
            return self._offset
        if self._coefficients == (1,) and self._offset == 0:
            return self._variables[0]
        return LinearExpr.weighted_sum(self._variables, self._coefficients) + self._offset


@dataclass(frozen=True)
class DayTerm:
    """A calendar day as `7 * week + pattern.offsets[slot]`."""

    day: cp_model.IntVar
    week: cp_model.IntVar
    slot: Expr
    pattern: WeeklyPattern
    lo: int
    hi: int


def table_value(model: cp_model.CpModel, index: Expr, table: Sequence[int], name: str) -> Expr:
    """`table[index]`: linear when the table is an arithmetic progression, else a small element constraint."""
    step = table[1] - table[0] if len(table) > 1 else 0
    if step == 0 and all(value == table[0] for value in table):
        return table[0]
    if all(value == table[0] + step * i for i, value in enumerate(table)):
        return table[0] + step * index
    value = model.new_int_var(min(table), max(table), name)
    model.add_element(index, list(table), value)
    return value


def skipped_index(model: cp_model.CpModel, skips: Skips, position: Bounded, name: str) -> Bounded:
    """Base index of a position: the position plus one literal per skip it may have passed."""
    constant = 0
    terms: list[Expr] = []
    previous: cp_model.IntVar | None = None
    for threshold, count in skips.steps:
        if threshold <= position.lo:
            constant += count
        elif threshold <= position.hi:
            passed = model.new_bool_var(f"{name}_k{threshold}")
            model.add(position.expr >= threshold).only_enforce_if(passed)
            model.add(position.expr <= threshold - 1).only_enforce_if(~passed)
            if previous is not None:
                model.add_implication(passed, previous)
            previous = passed
            terms.append(count * passed)
    return Bounded(position.expr + constant + sum(terms), skips.index(position.lo), skips.index(position.hi))


def pattern_day(model: cp_model.CpModel, pattern: WeeklyPattern, index: Bounded, name: str) -> DayTerm:
    """The calendar day of the `index`-th day of a weekly pattern."""
    per_week = pattern.per_week
    week = model.new_int_var(index.lo // per_week, index.hi // per_week, f"{name}_w")
    if per_week == 1:
        slot: Expr = 0
        model.add(index.expr == week)
    else:
        slot_var = model.new_int_var(0, per_week - 1, f"{name}_r")
        model.add(index.expr == per_week * week + slot_var)
        slot = slot_var
    lo, hi = pattern.day(index.lo), pattern.day(index.hi)
    day = model.new_int_var(lo, hi, f"{name}_d")
    model.add(day == DAYS_PER_WEEK * week + table_value(model, slot, pattern.offsets, f"{name}_o"))
    return DayTerm(day, week, slot, pattern, lo, hi)


def at_least(model: cp_model.CpModel, value: Expr, threshold: int, name: str) -> cp_model.IntVar:
    """A literal that is true exactly when `value >= threshold`."""
    literal = model.new_bool_var(name)
    model.add(value >= threshold).only_enforce_if(literal)
    model.add(value <= threshold - 1).only_enforce_if(~literal)
    return literal


class CalendarTerms:
    """Calendar arithmetic of a problem's clocks, built per stretch on demand."""

    def __init__(self, model: cp_model.CpModel, problem: PreparedProblem) -> None:
        self.model = model
        self.problem = problem
        team_days = problem.team_day_indices()
        self.team = DayMap.of(team_days)
        in_horizon = [day for day in team_days if day < problem.horizon_days]
        off_team = problem.clocks_off_team_days()
        self._to_team: dict[int, Skips] = {}
        self._own: dict[int, DayMap] = {}
        for index, clock in enumerate(problem.clocks):
            if not clock.working_days:
                continue
            if index not in off_team:
                self._to_team[index] = Skips.between(in_horizon, clock.working_days)
            else:
                self._own[index] = DayMap.of(clock.working_days)

    def on_team_days(self, clock: int) -> bool:
        """True when the clock works on team working days only (then its facts are linear in team positions)."""
        return clock not in self._own

    def team_position(self, clock: int, position: Bounded, name: str) -> Bounded:
        """Team working-day index of a position on a clock that works on team days only."""
        return skipped_index(self.model, self._to_team.get(clock, Skips(())), position, name)

    def team_day(self, index: Bounded, name: str) -> DayTerm:
        """Calendar day of the `index`-th team working day."""
        return pattern_day(self.model, self.team.pattern, skipped_index(self.model, self.team.skips, index, name), name)

    def day(self, clock: int, position: Bounded, name: str) -> DayTerm:
        """Calendar day of a working-day position on any clock."""
        if clock in self._own:
            own = self._own[clock]
            return pattern_day(self.model, own.pattern, skipped_index(self.model, own.skips, position, name), name)
        return self.team_day(self.team_position(clock, position, f"{name}t"), name)

    def team_days_before(self, term: DayTerm, name: str) -> Bounded:
        """Team working days strictly before a calendar day."""
        team_offsets = self.team.pattern.offsets
        counts = [sum(1 for o in team_offsets if o < offset) for offset in term.pattern.offsets]
        expr: Expr = self.team.pattern.per_week * term.week + table_value(self.model, term.slot, counts, f"{name}_tc")
        for holiday in self.team.skipped_days:
            if holiday < term.lo:
                expr = expr - 1
            elif holiday < term.hi:
                expr = expr - at_least(self.model, term.day, holiday + 1, f"{name}_h{holiday}")
        return Bounded(expr, self.team.count_before(term.lo), self.team.count_before(term.hi))

    def is_team_day(self, clock: int, term: DayTerm, name: str) -> Expr:
        """1 when a calendar day on `clock` is a team working day, else 0."""
        flags = [int(offset in self.team.pattern.offsets) for offset in term.pattern.offsets]
        expr: Expr = table_value(self.model, term.slot, flags, f"{name}_tf")
        working = set(self.problem.clocks[clock].working_days)
        for holiday in self.team.skipped_days:
            if holiday in working and term.lo <= holiday <= term.hi:
                on_holiday = self.model.new_bool_var(f"{name}_on{holiday}")
                self.model.add(term.day == holiday).only_enforce_if(on_holiday)
                self.model.add(term.day != holiday).only_enforce_if(~on_holiday)
                expr = expr - on_holiday
        return expr
