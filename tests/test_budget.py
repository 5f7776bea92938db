"""The time budget: the cap, the shares a plan call hands out, and the CP-SAT set-up of each kind of search."""

from __future__ import annotations

import math

import pytest

from api_schemas.request import SolveMode, SolverOptions
from solver.budget import Search, SearchBudget, TimeBudget, capped_time_limit, configured_solver
from solver.budget.constants import MAX_ROUNDS, PLAN_SHARE, PREPARE_SECONDS_PER_TASK, SHORTEST_LIMIT_S
from solver.budget.cp_solver import DETERMINISTIC_PORTFOLIO
from solver.budget.time_budget import affordable_rounds, level_share, neighbourhood_level_grant
from solver.intake.limits import Limits


def test_the_cap_is_the_limits_longest_time_limit() -> None:
    assert capped_time_limit(90.0, Limits(max_time_limit_s=60.0)) == 60.0
    assert capped_time_limit(5.0, Limits(max_time_limit_s=60.0)) == 5.0


def test_the_plan_gets_its_share_only_when_recommendations_are_asked_for() -> None:
    options = SolverOptions(time_limit_s=10.0)
    alone = TimeBudget.of(options, Limits(), started=100.0, with_recommendations=False)
    shared = TimeBudget.of(options, Limits(), started=100.0, with_recommendations=True)
    assert alone.plan_seconds == 10.0 and alone.plan_deadline == 110.0
    assert shared.plan_seconds == 10.0 * PLAN_SHARE
    assert shared.recommendation_seconds(now=103.0) == 7.0
    assert TimeBudget.of(options, Limits(max_time_limit_s=4.0), 0.0, False).limit_seconds == 4.0


def test_the_search_gets_what_the_start_estimates_leave_never_less_than_nothing() -> None:
    budget = TimeBudget.of(SolverOptions(time_limit_s=10.0, seed=7), Limits(), started=0.0, with_recommendations=False)
    search = budget.full_model_search([1.5, 0.5])
    assert (search.seconds, search.deadline, search.seed) == (8.0, 10.0, 7)
    assert budget.neighbourhood_search(1000, [1.0]).seconds == 9.0 - PREPARE_SECONDS_PER_TASK * 1000
    assert budget.neighbourhood_search(10**6, [1.0]).seconds == 0.0
    assert budget.start_rounds(1.0, [9.0]) == 0
    assert affordable_rounds(1e6, 1e-6) == MAX_ROUNDS
    assert affordable_rounds(10.0, 0.0) == 0


def test_a_search_budget_ends_at_its_seconds_or_the_plans_deadline() -> None:
    search = SearchBudget.of(SolverOptions(time_limit_s=4.0, mode=SolveMode.FAST), deadline=102.0)
    assert search.deadline_from(100.0) == 102.0
    assert SearchBudget.of(SolverOptions(time_limit_s=4.0)).deadline_from(100.0) == 104.0
    assert not search.deterministic and math.isclose(search.deterministic_seconds, 3.6)


@pytest.mark.parametrize("levels_left", [1, 2, 3, 8])
def test_earlier_levels_get_more_and_the_last_gets_all_that_is_left(levels_left: int) -> None:
    assert level_share(1, warm=True) == 1.0 and level_share(levels_left, warm=False) == 1.0
    assert level_share(levels_left, warm=True) >= 1 / levels_left
    assert math.isclose(neighbourhood_level_grant(6.0, levels_left), 6.0 * level_share(levels_left, warm=True))


def test_each_kind_of_search_gets_its_parameters_and_nothing_else() -> None:
    portfolio = configured_solver(2.0, Search.PORTFOLIO, seed=3, deterministic_seconds=0.5).parameters
    assert list(portfolio.subsolvers) == list(DETERMINISTIC_PORTFOLIO)
    assert portfolio.num_workers == len(DETERMINISTIC_PORTFOLIO) and portfolio.interleave_search
    assert (portfolio.random_seed, portfolio.max_deterministic_time, portfolio.max_time_in_seconds) == (3, 0.5, 2.0)
    lns = configured_solver(0.0, Search.INTERLEAVED_LNS, probing=False, presolve_rounds=1).parameters
    assert lns.use_lns_only and lns.num_workers == 2 and lns.max_time_in_seconds == SHORTEST_LIMIT_S
    assert (lns.cp_model_probing_level, lns.max_presolve_iterations) == (0, 1)
    hint = configured_solver(1.0, Search.COMPLETE_HINT).parameters
    assert hint.fix_variables_to_their_hinted_value and hint.stop_after_first_solution and not hint.cp_model_presolve
    workers = configured_solver(1.0, workers=4).parameters
    default = configured_solver(1.0).parameters
    assert workers.num_workers == 4 and math.isinf(workers.max_deterministic_time)
    assert workers.random_seed == default.random_seed and workers.linearization_level == default.linearization_level
