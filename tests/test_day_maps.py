"""Calendar facts as small arithmetic: day maps against brute force, CP-SAT terms against the calendar tables.

The terms are checked on random requests and on a hand-made one with holidays, days off, part-time, 7-day and
holiday-working owners.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from api_schemas import PlanRequest
from solver.calendars.day_maps import DayMap, Skips, WeeklyPattern
from solver.model.calendar_terms import Bounded, CalendarTerms
from solver.prepared.problem import PreparedProblem, prepare
from tests.strategies import medium_requests


@st.composite
def _day_lists(draw: st.DrawFn) -> list[int]:
    """Increasing day indices: a weekly pattern with some days skipped, sometimes irregular."""
    offsets = draw(st.sets(st.integers(0, 6), min_size=1))
    length = draw(st.integers(1, 120))
    days = [day for day in range(length) if day % 7 in offsets]
    kept = draw(st.lists(st.booleans(), min_size=len(days), max_size=len(days)))
    chosen = [day for day, keep in zip(days, kept, strict=True) if keep]
    return chosen or [days[0] if days else 0]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_day_lists())
def test_day_map_reproduces_its_days_and_counts(days: list[int]) -> None:
    day_map = DayMap.of(days)
    assert [day_map.day(position) for position in range(len(days))] == days
    for day in range(days[-1] + 2):
        assert day_map.count_before(day) == sum(1 for listed in days if listed < day)


def test_skips_reject_a_day_outside_the_base() -> None:
    try:
        Skips.between([0, 1, 2, 4], [1, 3])
    except ValueError as error:
        assert "3" in str(error)
    else:
        raise AssertionError("a day outside the base was accepted")


def test_weekly_pattern_counts_days_before() -> None:
    pattern = WeeklyPattern((0, 1, 2, 3, 4))
    assert [pattern.day(index) for index in range(7)] == [0, 1, 2, 3, 4, 7, 8]
    assert [pattern.count_before(day) for day in (0, 5, 6, 7, 8, 14)] == [0, 5, 5, 5, 6, 10]


def _facts(problem: PreparedProblem, clock: int, fixed: int) -> dict[str, int]:
    """What the CP-SAT terms of `clock` derive for position `fixed` (bounds as in the model: 0..last)."""
    model = cp_model.CpModel()
    calendar = CalendarTerms(model, problem)
    last = len(problem.clocks[clock].working_days) - 1
    position = model.new_int_var(fixed, fixed, "position")
    bounded = Bounded(position, 0, last)
    day = calendar.day(clock, bounded, "d")
    terms: dict[str, cp_model.LinearExprT] = {"day": day.day}
    if calendar.on_team_days(clock):
        terms["team index"] = calendar.team_position(clock, bounded, "t").expr
    else:
        terms["team days before"] = calendar.team_days_before(day, "b").expr
        terms["team day"] = calendar.is_team_day(clock, day, "f")
    values = {name: model.new_int_var(-(10**6), 10**6, name) for name in terms}
    for name, expr in terms.items():
        model.add(values[name] == expr)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return {name: int(solver.value(var)) for name, var in values.items()}


@settings(max_examples=15, deadline=None, derandomize=True)
@given(medium_requests())
def test_calendar_terms_match_the_problem_tables(request: PlanRequest) -> None:
    problem = prepare(request)
    team_days = [day for day in range(problem.horizon_days) if problem.team.is_working(problem.date_of(day))]
    for index, clock in enumerate(problem.clocks):
        last = len(clock.working_days) - 1
        for fixed in sorted({0, last, last // 2, last // 3}) if clock.working_days else []:
            actual_day = clock.working_days[fixed]
            expected = {
                "day": actual_day,
                "team index": team_days.index(actual_day) if actual_day in team_days else -1,
                "team days before": problem.team_days_before(actual_day),
                "team day": int(problem.team.is_working(problem.date_of(actual_day))),
            }
            found = _facts(problem, index, fixed)
            assert found == {name: expected[name] for name in found}, (index, fixed)


def test_calendar_terms_cover_both_kinds_of_clock() -> None:
    """Every position of clocks of both kinds, over two holidays, one worked by an owner.

    The random requests above reach these cases only by chance.
    """
    request = PlanRequest.model_validate(
        {
            "start_date": "2025-12-22",
            "calendar": {"holidays": ["2025-12-25", "2026-01-01"]},
            "owners": [
                {"id": "agent", "working_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
                {"id": "on-call", "working_weekdays": ["thu", "fri", "sat"], "works_holidays": True},
                {"id": "part-time", "working_weekdays": ["mon", "tue", "wed"], "days_off": ["2025-12-23"]},
            ],
            "issues": [{"id": f"i{n}", "estimate_hours": 30} for n in range(4)],
        }
    )
    problem = prepare(request)
    model = cp_model.CpModel()
    calendar = CalendarTerms(model, problem)
    kinds = {calendar.on_team_days(index) for index in range(len(problem.clocks))}
    assert kinds == {True, False}
    for index, clock in enumerate(problem.clocks):
        for fixed in range(len(clock.working_days)):
            found = _facts(problem, index, fixed)
            actual_day = clock.working_days[fixed]
            assert found["day"] == actual_day
            if "team days before" in found:
                assert found["team days before"] == problem.team_days_before(actual_day)
                assert found["team day"] == int(problem.team.is_working(problem.date_of(actual_day)))


def _less_one(expr: cp_model.LinearExpr) -> cp_model.LinearExpr:
    """`expr - 1` built the way the calendar terms build theirs (the sum is then held by the result only)."""
    return expr - 1


def test_a_kept_expression_is_unchanged_by_arithmetic_on_its_copies() -> None:
    # OR-Tools 9.15 folds `+ 1 - 2` on `e = s - 1` into `e` itself; a Bounded hands out copies instead.
    model = cp_model.CpModel()
    week, slot = model.new_int_var(0, 5, "week"), model.new_int_var(0, 5, "slot")
    kept = Bounded(_less_one(5 * week + slot), -1, 29)
    _ = kept.expr + 1 - 2
    _ = kept.expr + 3 - 4
    model.add(week == 2)
    model.add(slot == 3)
    target = model.new_int_var(-100, 100, "target")
    model.add(target == kept.expr)
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL
    assert solver.value(target) == 5 * 2 + 3 - 1
