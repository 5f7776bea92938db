"""Lexicographic solving: one CP-SAT solve per objective level, each fixing the level it proved.

Levels are solved most important first; a level's value is then fixed (`<=`) before the next level is
optimised, with the previous solution as a hint. Budgets roll over: time a level does not use goes to the next.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from api_schemas.request import SolveMode, SolverOptions
from api_schemas.result import SolveStatus
from solver.bounds.schedule_levels import level_values
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


#: Above this many tasks, presolve probing costs more of the budget than it gives back (measured: at 200
#: issues it used 2 s per pass and starved the search), and deterministic mode searches by interleaved LNS.
LARGE_MODEL_TASKS = 50
#: Subsolvers interleaved in deterministic mode on models up to LARGE_MODEL_TASKS.
DETERMINISTIC_PORTFOLIO = ("default_lp", "core")
#: Deterministic seconds the interleaved portfolio accounts per wall second, 2 cores (AMD EPYC; about half on a
#: slower Xeon): 0.12-0.43 over whole plans of eight generated 30-issue backlogs and about 0.45 in their long
#: solves. At 0.1 three of the eight stopped unproven after 1.8-2.5 s of a 10 s limit; at 0.25 all are proven,
#: in at most 4.3 s, so a machine twice as slow still ends inside the limit.
PORTFOLIO_DETERMINISTIC_RATE = 0.25
#: Share of the time limit given as deterministic time in deterministic mode.
DETERMINISTIC_SHARE = 0.9
#: Interleaved LNS accounts about this many deterministic seconds per wall second, divided by the model's
#: variables (measured 700-920 at 200 issues, 640-950 at 500, 850-1,490 at 2,000; 2 cores, presolve
#: included): the low figure keeps the deterministic budget inside the wall budget, so that plans repeat.
LNS_RATE_PER_VARIABLE = 600.0
#: Each LNS level presolves once (one round: the neighbourhoods presolve again anyway), which costs wall
#: seconds and deterministic seconds per model variable before the search starts (one round measured 1.3e-5 to
#: 2.4e-5 s and 1.0e-7 to 2.3e-7 deterministic s per variable, 14,000 to 118,000 variables).
PRESOLVE_SECONDS_PER_VARIABLE = 3e-5
PRESOLVE_DETERMINISTIC_PER_VARIABLE = 3e-7
#: The least deterministic search time an LNS level gets after its presolve (with less, interleaved LNS may stop
#: before it loads its hint: seen at 500 issues when the presolve's share was not added).
LNS_MIN_DETERMINISTIC_S = 0.03
#: At most this share of the time left may go to completing the first hint (measured 0.8 s on 500 issues).
HINT_COMPLETION_SHARE = 0.25


@dataclass
class _Settings:
    """A solver configured for one level, and how to convert its deterministic time back to budget."""

    solver: cp_model.CpSolver
    deterministic_rate: float
    #: True for LNS, which never proves a level and so always uses its whole grant.
    neighbourhood_search: bool = False


def _lns_rate(variables: int) -> float:
    """Deterministic seconds per wall second of interleaved LNS on a model of this size."""
    return min(LNS_RATE_PER_VARIABLE / max(variables, 1), 1 / 8)


def lns_level_cost(variables: int) -> float:
    """The least budget (wall-second equivalents) a level needs to load the model and search a little."""
    return PRESOLVE_SECONDS_PER_VARIABLE * variables + LNS_MIN_DETERMINISTIC_S / _lns_rate(variables)


def _parameters(
    options: SolverOptions, wall_left: float, budget: float, tasks: int, warm: bool, variables: int
) -> _Settings:
    """Solver settings for one level: `budget` is in wall-second equivalents of deterministic time."""
    solver = cp_model.CpSolver()
    if tasks > LARGE_MODEL_TASKS:
        solver.parameters.cp_model_probing_level = 0
        # Every level presolves again: one presolve round instead of three halves that (2.4 s -> 1.1 s at 500
        # issues, 5.6 s -> 2.8 s at 2,000).
        solver.parameters.max_presolve_iterations = 1
    solver.parameters.random_seed = options.seed
    solver.parameters.max_time_in_seconds = max(wall_left, 0.01)
    rate = 1.0
    neighbourhood_search = False
    if options.mode == SolveMode.FAST:
        solver.parameters.num_workers = options.workers
    elif tasks > LARGE_MODEL_TASKS and warm:
        # One worker has no large-neighbourhood search and could not improve a 200-issue greedy plan in 20 s;
        # interleaved LNS workers are repeatable and improved it by 8 % in 12 s.
        solver.parameters.num_workers = 2
        solver.parameters.interleave_search = True
        solver.parameters.use_lns_only = True
        rate = _lns_rate(variables)
        neighbourhood_search = True
        budget -= PRESOLVE_SECONDS_PER_VARIABLE * variables
    else:
        # Two subsolvers (LP-guided search and core-based bounds) interleaved in one deterministic schedule:
        # repeatable, and on the 30-issue benchmark it proves every level in 1.7 s where four subsolvers with
        # the full linear relaxation needed 9.7 s (the earliest-finish bounds made that relaxation unneeded).
        solver.parameters.num_workers = len(DETERMINISTIC_PORTFOLIO)
        solver.parameters.subsolvers.extend(DETERMINISTIC_PORTFOLIO)
        solver.parameters.interleave_search = True
        # Neither neighbourhood search nor batches of several chunks: on twelve generated 30-issue backlogs the
        # whole plans took 19.6 s instead of 25.3 s, every level proven in both (the benchmark's S: 0.70 s, was 0.93).
        solver.parameters.use_lns = False
        solver.parameters.interleave_batch_size = 1
        rate = PORTFOLIO_DETERMINISTIC_RATE
    if options.mode == SolveMode.DETERMINISTIC:
        if neighbourhood_search:
            # The presolve's deterministic time counts against the limit too.
            search = max(budget * rate, LNS_MIN_DETERMINISTIC_S)
            solver.parameters.max_deterministic_time = PRESOLVE_DETERMINISTIC_PER_VARIABLE * variables + search
        else:
            solver.parameters.max_deterministic_time = max(budget * rate, 0.01)
    return _Settings(solver, rate, neighbourhood_search=neighbourhood_search)


#: Builds the model again for the levels after the first `fixed` ones, from the best schedule so far (whose
#: values those levels keep): `solver.bounds.finish_windows.held_by` narrows it to where better plans can lie.
Rebuild = Callable[[Schedule, int], PlanModel]


def solve_levels(
    plan_model: PlanModel,
    options: SolverOptions,
    initial: Schedule | None,
    progress: ProgressCallback | None = None,
    deadline: float | None = None,
    rebuild: Rebuild | None = None,
) -> SearchOutcome:
    """Solve every level in turn within `options.time_limit_s`; `initial` is a known feasible schedule.

    A level whose start value meets its static bound is proven and fixed without a solve. With `rebuild`, the
    model is built again before each solve after the first, narrowed by the levels solved so far.

    `deadline` (a `time.monotonic()` instant) ends the search earlier on the wall clock, e.g. when preparing the
    model already used part of the time limit; the deterministic budget still follows `options` alone.
    """
    started = time.monotonic()
    deadline = min(started + options.time_limit_s, deadline if deadline is not None else float("inf"))
    # Most of the wall budget in deterministic time, converted at conservative rates, so that the search
    # stops on its deterministic limit (and repeats the plan) rather than on the wall clock.
    budget_left = options.time_limit_s * DETERMINISTIC_SHARE
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
        # Each level gets a share of what is left, more for the earlier (more important) ones, and one hard
        # level cannot starve the others (a 200-issue backlog spent 10 s on P1 lateness in fast mode and never
        # reached the finish levels). Fast mode stops on the wall clock, deterministic mode on its budget.
        # Without any plan yet (no greedy start), finding one comes first: the level may use all that is left
        # (a 4-issue request with a hard deadline got no plan from a 0.08 s share of a 3 s limit).
        level_share = 2 / (levels_left + 1) if incumbent is not None else 1.0
        level_wall = wall_left if options.mode == SolveMode.DETERMINISTIC else wall_left * level_share
        grant = budget_left * level_share
        out_of_budget = False
        large = len(problem.tasks) > LARGE_MODEL_TASKS
        if options.mode == SolveMode.DETERMINISTIC and large and incumbent is not None:
            # LNS needs a minimum per level (presolve, loading): grant it while the budget lasts, then stop
            # solving. Decided from the budget, not the clock, so that the plan repeats.
            grant = max(grant, lns_level_cost(variables))
            out_of_budget = grant > budget_left
        settings = _parameters(
            options, level_wall, grant, len(problem.tasks), warm=incumbent is not None, variables=variables
        )
        solver = settings.solver
        callback = _Progress(level.name, started, progress) if progress is not None else None
        # No solve has ever been shorter than the shortest one so far (its presolve alone takes that long):
        # starting one with less time left would only overrun the time limit.
        if out_of_budget or (shortest_solve is not None and wall_left < shortest_solve):
            wall_left = 0.0
        solve_started = time.monotonic()
        solved = solver.solve(model, callback) if wall_left > 0.01 else cp_model.UNKNOWN
        if wall_left > 0.01:
            elapsed = time.monotonic() - solve_started
            shortest_solve = elapsed if shortest_solve is None else min(shortest_solve, elapsed)
        if wall_left > 0.01:
            # LNS never proves a level, so it uses its whole grant; a single worker may stop early and roll over.
            used = solver.response_proto.deterministic_time
            budget_left -= grant if settings.neighbourhood_search else used / settings.deterministic_rate
        if not out_of_budget and (
            wall_left <= 0.01 or (solved != cp_model.OPTIMAL and solver.wall_time >= wall_left - 0.05)
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
            bound = _integer_bound(solver.best_objective_bound) if wall_left > 0.01 else 0
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
