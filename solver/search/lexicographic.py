"""Lexicographic solving: one CP-SAT solve per objective level, each fixing the level it proved.

Levels are solved most important first; a level's value is then fixed (`<=`) before the next level is
optimised, with the previous solution as a hint. Budgets roll over: time a level does not use goes to the next
(`solver.budget` sets the shares and the rates deterministic time is converted at).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from api_schemas.request import SolveMode
from api_schemas.result import SolveStatus
from solver.bounds.schedule_levels import level_values
from solver.budget.constants import (
    CLOCK_MARGIN_S,
    HINT_COMPLETION_SHARE,
    LARGE_MODEL_TASKS,
    PORTFOLIO_DETERMINISTIC_RATE,
    SHORTEST_LIMIT_S,
)
from solver.budget.cp_solver import Search, configured_solver
from solver.budget.time_budget import (
    SearchBudget,
    level_share,
    lns_deterministic_seconds,
    lns_level_cost,
    lns_rate,
    portfolio_deterministic_seconds,
)
from solver.model.build import PlanModel
from solver.prepared.schedule import Schedule

#: Called on each improving solution: level name, objective value, best bound, seconds elapsed.
ProgressCallback = Callable[[str, int, int, float], None]


@dataclass
class LevelOutcome:
    """The value and proven bound of one objective level."""

    name: str
    value: int
    bound: int

    @property
    def proven(self) -> bool:
        """True when this level is optimal given the levels before it."""
        return self.value == self.bound


@dataclass
class SearchOutcome:
    """What the staged search found."""

    status: SolveStatus
    schedule: Schedule | None
    levels: list[LevelOutcome]
    seconds: float
    repeatable: bool = True


def _integer_bound(bound: float) -> int:
    """Round a floating bound of an integer objective up (CP-SAT may report 404.99999 for 405)."""
    return math.ceil(bound - 1e-6)


class _Progress(cp_model.CpSolverSolutionCallback):
    """Forwards each improving solution to the caller's callback; cheap so it does not slow the search."""

    def __init__(self, level: str, started: float, callback: ProgressCallback) -> None:
        super().__init__()
        self._level, self._started, self._callback = level, started, callback

    def on_solution_callback(self) -> None:
        self._callback(
            self._level,
            round(self.objective_value),
            _integer_bound(self.best_objective_bound),
            time.monotonic() - self._started,
        )


@dataclass
class _LevelSolver:
    """A solver configured for one level, and how to convert its deterministic time back to budget."""

    solver: cp_model.CpSolver
    deterministic_rate: float
    #: True for LNS, which never proves a level and so always uses its whole grant.
    neighbourhood_search: bool = False


def _level_solver(
    search: SearchBudget, wall: float, grant: float, large: bool, warm: bool, variables: int
) -> _LevelSolver:
    """A solver for one level: `wall` seconds on the clock, `grant` wall-second equivalents of deterministic time.

    Fast mode runs the request's workers on the clock; deterministic mode interleaved LNS from a start plan on a
    large model, else the proving portfolio, each stopped by its deterministic limit.
    """
    seconds: float | None = None
    if search.mode == SolveMode.FAST:
        kind, rate = Search.WORKERS, 1.0
    elif large and warm:
        kind, rate = Search.INTERLEAVED_LNS, lns_rate(variables)
        seconds = lns_deterministic_seconds(grant, variables)
    else:
        kind, rate = Search.PORTFOLIO, PORTFOLIO_DETERMINISTIC_RATE
        seconds = portfolio_deterministic_seconds(grant)
    # Every level of a large model presolves again: no probing, and one presolve round instead of three halves
    # that (2.4 s -> 1.1 s at 500 issues, 5.6 s -> 2.8 s at 2,000).
    solver = configured_solver(
        wall,
        kind,
        workers=search.workers,
        seed=search.seed,
        deterministic_seconds=seconds,
        probing=not large,
        presolve_rounds=1 if large else None,
    )
    return _LevelSolver(solver, rate, neighbourhood_search=kind == Search.INTERLEAVED_LNS)


#: Builds the model again for the levels after the first `fixed` ones, from the best schedule so far (whose
#: values those levels keep): `solver.bounds.finish_windows.held_by` narrows it to where better plans can lie.
Rebuild = Callable[[Schedule, int], PlanModel]


def solve_levels(
    plan_model: PlanModel,
    search: SearchBudget,
    initial: Schedule | None,
    progress: ProgressCallback | None = None,
    rebuild: Rebuild | None = None,
) -> SearchOutcome:
    """Solve every level in turn within `search`'s budget; `initial` is a known feasible schedule.

    A level whose start value meets its static bound is proven and fixed without a solve. With `rebuild`, the
    model is built again before each solve after the first, narrowed by the levels solved so far. The wall clock
    ends the search at `search.deadline` at the latest; the deterministic budget follows `search.seconds` alone.
    """
    started = time.monotonic()
    deadline = search.deadline_from(started)
    # Most of the wall budget in deterministic time, converted at conservative rates, so that the search
    # stops on its deterministic limit (and repeats the plan) rather than on the wall clock.
    budget_left = search.deterministic_seconds
    repeatable = True
    shortest_solve: float | None = None
    problem, model = plan_model.problem, plan_model.model
    incumbent = initial
    every_value: list[int] | None = None  # the incumbent's value of every model variable, once known
    completion_tried = False
    known = level_values(problem, incumbent) if incumbent is not None else None
    outcomes: list[LevelOutcome] = []
    levels = plan_model.levels
    variables = len(model.proto.variables)
    solved_once = False
    for position in range(len(levels)):
        level = levels[position]
        floor = level.static_bound
        if known is not None and known[position] <= floor:
            outcomes.append(LevelOutcome(level.name, known[position], known[position]))
            model.add(level.expression <= known[position])
            continue
        if rebuild is not None and solved_once and incumbent is not None:
            plan_model = rebuild(incumbent, position)
            model, levels, variables = plan_model.model, plan_model.levels, len(plan_model.model.proto.variables)
            for earlier, outcome in zip(levels, outcomes, strict=False):
                model.add(earlier.expression <= outcome.value)
            level, every_value, completion_tried = levels[position], None, False
        solved_once = True
        wall_left = deadline - time.monotonic()
        levels_left = len(levels) - position
        model.minimize(level.expression)
        if incumbent is not None:
            if every_value is None and not completion_tried:
                completion_tried = True
                plan_model.hint(incumbent)
                every_value = plan_model.complete_hint(wall_left * HINT_COMPLETION_SHARE)
                wall_left = deadline - time.monotonic()
            if every_value is not None:
                plan_model.hint_values(every_value)
            else:
                plan_model.hint(incumbent)
        # Each level gets a share of what is left (`level_share`). Fast mode stops on the wall clock,
        # deterministic mode on its budget.
        share = level_share(levels_left, incumbent is not None)
        level_wall = wall_left if search.deterministic else wall_left * share
        grant = budget_left * share
        out_of_budget = False
        large = len(problem.tasks) > LARGE_MODEL_TASKS
        if search.deterministic and large and incumbent is not None:
            # LNS needs a minimum per level (presolve, loading): grant it while the budget lasts, then stop
            # solving. Decided from the budget, not the clock, so that the plan repeats.
            grant = max(grant, lns_level_cost(variables))
            out_of_budget = grant > budget_left
        settings = _level_solver(search, level_wall, grant, large, incumbent is not None, variables)
        solver = settings.solver
        callback = _Progress(level.name, started, progress) if progress is not None else None
        # No solve has ever been shorter than the shortest one so far (its presolve alone takes that long):
        # starting one with less time left would only overrun the time limit.
        if out_of_budget or (shortest_solve is not None and wall_left < shortest_solve):
            wall_left = 0.0
        solve_started = time.monotonic()
        solved = solver.solve(model, callback) if wall_left > SHORTEST_LIMIT_S else cp_model.UNKNOWN
        if wall_left > SHORTEST_LIMIT_S:
            elapsed = time.monotonic() - solve_started
            shortest_solve = elapsed if shortest_solve is None else min(shortest_solve, elapsed)
        if wall_left > SHORTEST_LIMIT_S:
            # LNS never proves a level, so it uses its whole grant; a single worker may stop early and roll over.
            used = solver.response_proto.deterministic_time
            budget_left -= grant if settings.neighbourhood_search else used / settings.deterministic_rate
        if not out_of_budget and (
            wall_left <= SHORTEST_LIMIT_S
            or (solved != cp_model.OPTIMAL and solver.wall_time >= wall_left - CLOCK_MARGIN_S)
        ):
            repeatable = False  # stopped by the wall clock, not by the deterministic budget
        if solved in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = plan_model.read(solver)
            found_values = level_values(problem, found)
            # CP-SAT may drop a hint it could not complete and return something worse, or equal on this level
            # but worse on the next ones (which may get no time): keep the lexicographically better plan.
            if known is None or found_values <= known:
                incumbent, known = found, found_values
                every_value = list(solver.response_proto.solution)
            bound = _integer_bound(solver.best_objective_bound)
            value = known[position]
            if bound > value:
                # The model cannot reach a plan already in hand (it would exclude a valid plan): claim nothing
                # beyond the static bound rather than a proof the model cannot give.
                bound = floor
            outcomes.append(LevelOutcome(level.name, value, min(value, max(bound, floor))))
        elif solved == cp_model.INFEASIBLE and position == 0:
            return SearchOutcome(SolveStatus.INFEASIBLE, None, [], time.monotonic() - started)
        elif incumbent is not None and known is not None:
            bound = _integer_bound(solver.best_objective_bound) if wall_left > SHORTEST_LIMIT_S else 0
            outcomes.append(LevelOutcome(level.name, known[position], min(known[position], max(bound, floor))))
        else:
            return SearchOutcome(SolveStatus.UNKNOWN, None, [], time.monotonic() - started)
        model.add(level.expression <= outcomes[-1].value)
    if known is not None:
        # A later level may improve an earlier one below the value fixed for it (`<=`): report the final plan.
        outcomes = [LevelOutcome(o.name, known[i], min(o.bound, known[i])) for i, o in enumerate(outcomes)]
    all_proven = all(o.proven for o in outcomes)
    narrowed = problem.horizon_capped or problem.restricted
    status = SolveStatus.OPTIMAL if all_proven and not narrowed else SolveStatus.FEASIBLE
    return SearchOutcome(status, incumbent, outcomes, time.monotonic() - started, repeatable)
