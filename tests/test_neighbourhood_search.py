"""Neighbourhood search on small sub-models: sound sub-problems, plans that only get better, and repeatable."""

from __future__ import annotations

import random
import time

from ortools.sat.python import cp_model

from api_schemas import SolveStatus
from benchmarks.evaluation import checked_result, level_names
from benchmarks.instances import InstanceSpec
from solver.bounds.earliest_finish import earliest_finishes
from solver.bounds.finish_sums import finish_sums
from solver.bounds.schedule_levels import level_floors, level_values
from solver.budget import SearchBudget
from solver.budget.time_budget import affordable_rounds
from solver.model import build_model
from solver.planner import prepare_with_start
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule
from solver.search.neighbourhood import PlanState, free_tasks
from solver.search.neighbourhood_search import NeighbourhoodSearch, search_levels
from solver.starts.squeaky_wheel import round_seconds, squeaky_wheel


def _started(size: str, seed: int) -> tuple[PreparedProblem, Schedule]:
    """A generated backlog of `size` with the planner's improved greedy start."""
    request = InstanceSpec(size, seed, "mixed", 10.0, "deterministic").request()
    problem, start = prepare_with_start(request)
    assert start is not None
    improved = squeaky_wheel(problem, start, affordable_rounds(2.0, round_seconds(problem)), seed)
    assert improved.schedule is not None
    return problem, improved.schedule


def _violations(problem: PreparedProblem, schedule: Schedule) -> list[str]:
    return checked_result(problem, schedule, SolveStatus.FEASIBLE, level_names(problem))[1]


def test_pushing_free_tasks_as_late_as_their_neighbourhood_allows_keeps_the_plan_valid() -> None:
    # The adversarial direction: minimising never tests the limits that fixed successors, fixed work on the same
    # owners and the time window put on free tasks; maximising their finishes runs into every one of them.
    problem, schedule = _started("M", 1)
    state = PlanState(problem, schedule)
    rng = random.Random(7)
    checked = 0
    by_start = sorted(range(len(problem.tasks)), key=lambda index: state.spans[index][0])
    for _ in range(4):
        # Work that runs at about the same time (as the search picks it), so that free tasks meet each other.
        first = rng.randrange(len(by_start) - 20)
        free = by_start[first : first + 20]
        hood = free_tasks(state, free, rng)
        plan_model = build_model(hood.problem)
        plan_model.model.maximize(sum(tv.team_end for tv in plan_model.tasks))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = 0.1
        assert solver.solve(plan_model.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        moves = hood.placements(plan_model.read(solver))
        assert any(moves[index][1] != state.schedule[index].start for index in moves)
        state.place(moves)
        assert _violations(problem, state.schedule) == []
        checked += 1
    assert checked == 4


def test_the_current_placements_of_free_tasks_fit_their_sub_problem() -> None:
    problem, schedule = _started("L", 0)
    state = PlanState(problem, schedule)
    rng = random.Random(3)
    for _ in range(5):
        hood = free_tasks(state, rng.sample(range(len(problem.tasks)), 40), rng)
        plan_model = build_model(hood.problem)
        plan_model.hint(hood.restrict(state.schedule))
        assert plan_model.complete_hint(5.0) is not None


def test_static_bounds_without_the_model_match_the_models_own() -> None:
    # The model leaves out the release-date term of the finish bounds (docs/model.md); with it the search's static
    # bounds are the model's, raised where release dates say more (M's P2 finish here).
    raised = 0
    for size in ("S", "M"):
        problem, start = _started(size, 2)
        floors = NeighbourhoodSearch(problem, start, 0).floors
        models = [level.static_bound for level in build_model(problem).levels]
        earliest = earliest_finishes(problem)
        assert level_floors(problem, earliest, sums=finish_sums(problem, earliest, release_dates=False)) == models
        assert all(floor >= own for floor, own in zip(floors, models, strict=True))
        raised += sum(floor > own for floor, own in zip(floors, models, strict=True))
    assert raised > 0


def _searched(problem: PreparedProblem, start: Schedule, seed: int) -> NeighbourhoodSearch:
    """A search after 0.4 budget units on each level above its bound; no wall-clock limit, so nothing is cut."""
    search = NeighbourhoodSearch(problem, start, seed)
    for position, floor in enumerate(search.floors):
        if search.values[position] > floor:
            report = search.improve_level(position, budget=0.4, deadline=time.monotonic() + 600)
            assert not report.wall_stopped
    return search


def test_each_kept_move_makes_the_plan_better_and_it_stays_valid() -> None:
    problem, start = _started("M", 3)
    kept: list[list[int]] = []
    search = NeighbourhoodSearch(problem, start, 0)
    for position, floor in enumerate(search.floors):
        if search.values[position] > floor:
            search.improve_level(position, 1.0, time.monotonic() + 600, lambda *_: kept.append(list(search.values)))
    assert kept, "no neighbourhood improved a 200-issue greedy plan"
    assert all(later < earlier for earlier, later in zip([level_values(problem, start), *kept], kept, strict=False))
    assert level_values(problem, search.schedule) == search.values == kept[-1]
    assert _violations(problem, search.schedule) == []


def test_the_same_budget_and_seed_give_the_same_plan_and_another_seed_searches_elsewhere() -> None:
    problem, start = _started("L", 4)
    first, second = _searched(problem, start, 0), _searched(problem, start, 0)
    assert first.schedule == second.schedule
    assert _searched(problem, start, 1).schedule != first.schedule


def test_search_levels_reports_the_plans_values_and_static_bounds() -> None:
    problem, start = _started("M", 5)
    options = InstanceSpec("M", 5, "mixed", 2.0, "deterministic").request().options
    outcome = search_levels(problem, SearchBudget.of(options), start)
    assert outcome.schedule is not None and outcome.status == SolveStatus.FEASIBLE
    assert level_values(problem, outcome.schedule) <= level_values(problem, start)
    assert [level.value for level in outcome.levels] == level_values(problem, outcome.schedule)
    # Static bounds, finish levels given the earlier ones at the plan's values.
    values = level_values(problem, outcome.schedule)
    floors = level_floors(problem, NeighbourhoodSearch(problem, start, 0).earliest, values)
    assert [level.bound for level in outcome.levels] == [min(v, f) for v, f in zip(values, floors, strict=True)]
    assert _violations(problem, outcome.schedule) == []
