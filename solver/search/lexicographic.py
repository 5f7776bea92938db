"""Lexicographic solving: one CP-SAT solve per objective level, each fixing the level it proved.

Levels are solved most important first; a level's value is then fixed (`<=`) before the next level is
optimised, with the previous solution as a hint. Budgets roll over: time a level does not use goes to the next
(`solver.budget` sets the shares and the rates deterministic time is converted at).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
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
from solver.model.objective import ObjectiveLevel
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


@dataclass(frozen=True)
class SearchProgress:
    """One step of a search: the level being improved, its value and bound, and the best plan when it changed.

    `levels` and `schedule` come together, when the plan in hand changed as a whole (a level fixed, a move kept):
    every level's value in that plan with its bound (proven for the levels fixed, the static bound for the rest).
    `schedule` is the search's own object: read it during the call, never keep it.
    """

    level: str
    position: int
    levels_total: int
    levels_proven: int
    value: int
    bound: int
    elapsed_s: float
    levels: Sequence[LevelOutcome] = ()
    schedule: Schedule | None = None


#: The typed progress hook of both searches (`solve_levels`, `search_levels`); `solver.planner.plan` adds the plan.
SearchProgressHook = Callable[[SearchProgress], None]


@dataclass
class SearchOutcome:
    """What the staged search found."""

    status: SolveStatus
    schedule: Schedule | None
    levels: list[LevelOutcome]
    seconds: float
    repeatable: bool = True
    #: Budget the search charged, in wall-second equivalents: deterministic time converted at its rates in
    #: deterministic mode, the wall clock in fast mode.
    charged: float = 0.0


def _integer_bound(bound: float) -> int:
    """Round a floating bound of an integer objective up (CP-SAT may report 404.99999 for 405)."""
    return math.ceil(bound - 1e-6)


class _Progress(cp_model.CpSolverSolutionCallback):
    """Forwards each improving solution to the caller's hook; cheap (no plan is read) so it does not slow the search."""

    def __init__(self, step: SearchProgress, started: float, hook: SearchProgressHook) -> None:
        super().__init__()
        self._step, self._started, self._hook = step, started, hook

    def on_solution_callback(self) -> None:
        value = round(self.objective_value)
        self._hook(SearchProgress(
            self._step.level, self._step.position, self._step.levels_total, self._step.levels_proven, value,
            min(value, _integer_bound(self.best_objective_bound)), time.monotonic() - self._started,
        ))


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


@dataclass
class _LevelGrant:
    """What one level may spend: `wall` seconds on the clock, `budget` wall-second equivalents of deterministic time.

    `out_of_budget` when the deterministic budget cannot pay the least a level needs: the level is not solved.
    """

    wall: float
    budget: float
    out_of_budget: bool = False


class _LevelSearch:
    """The state of a lexicographic search: the model in hand, the incumbent, the budget left, the outcomes."""

    def __init__(
        self,
        plan_model: PlanModel,
        search: SearchBudget,
        initial: Schedule | None,
        progress: SearchProgressHook | None,
        rebuild: Rebuild | None,
    ) -> None:
        self.started = time.monotonic()
        self.search, self.progress, self.rebuild = search, progress, rebuild
        self.deadline = search.deadline_from(self.started)
        # Most of the wall budget in deterministic time, converted at conservative rates, so that the search
        # stops on its deterministic limit (and repeats the plan) rather than on the wall clock.
        self.budget_left = search.deterministic_seconds
        self.repeatable = True
        self.shortest_solve: float | None = None
        self.plan_model = plan_model
        self.variables = len(plan_model.model.proto.variables)
        self.problem = plan_model.problem
        self.large = len(self.problem.tasks) > LARGE_MODEL_TASKS
        self.incumbent = initial
        self.known = level_values(self.problem, initial) if initial is not None else None
        self.every_value: list[int] | None = None  # the incumbent's value of every model variable, once known
        self.completion_tried = False
        self.outcomes: list[LevelOutcome] = []
        self.solved_once = False

    def run(self) -> SearchOutcome:
        """Each level in turn: fixed at once when the plan in hand meets its static bound, else solved and fixed."""
        for position in range(len(self.plan_model.levels)):
            level = self.plan_model.levels[position]
            floor = level.static_bound
            if self.known is not None and self.known[position] <= floor:
                self._fix(level, LevelOutcome(level.name, self.known[position], self.known[position]))
                continue
            if self.rebuild is not None and self.solved_once and self.incumbent is not None:
                level = self._rebuilt(self.rebuild, position)
            self.solved_once = True
            outcome = self._solve(position, level, floor)
            if isinstance(outcome, SolveStatus):  # no plan at all
                return SearchOutcome(outcome, None, [], time.monotonic() - self.started, charged=self._charged())
            self._fix(level, outcome)
        return self._outcome()

    def _fix(self, level: ObjectiveLevel, outcome: LevelOutcome) -> None:
        """Record the level's outcome and hold it at that value (`<=`) while the next levels are optimised."""
        self.outcomes.append(outcome)
        self.plan_model.model.add(level.expression <= outcome.value)
        self._report_plan()

    def _report_plan(self) -> None:
        """Tell the hook the plan in hand, every level's value in it and the bounds known (after a level is fixed)."""
        if self.progress is None or self.incumbent is None or self.known is None:
            return
        levels = [
            self.outcomes[i] if i < len(self.outcomes) else LevelOutcome(level.name, self.known[i],
                                                                         min(self.known[i], level.static_bound))
            for i, level in enumerate(self.plan_model.levels)
        ]
        last = levels[len(self.outcomes) - 1]
        proven = sum(1 for outcome in self.outcomes if outcome.proven)
        self.progress(SearchProgress(
            last.name, len(self.outcomes) - 1, len(levels), proven, last.value, last.bound,
            time.monotonic() - self.started, levels, self.incumbent,
        ))

    def _rebuilt(self, rebuild: Rebuild, position: int) -> ObjectiveLevel:
        """Build the model again from the incumbent, narrowed by the levels solved so far, which it holds."""
        assert self.incumbent is not None
        self.plan_model = rebuild(self.incumbent, position)
        self.variables = len(self.plan_model.model.proto.variables)
        for earlier, outcome in zip(self.plan_model.levels, self.outcomes, strict=False):
            self.plan_model.model.add(earlier.expression <= outcome.value)
        self.every_value, self.completion_tried = None, False
        return self.plan_model.levels[position]

    def _solve(self, position: int, level: ObjectiveLevel, floor: int) -> LevelOutcome | SolveStatus:
        """Minimise the level within its grant from the best hint: what it reached and proved, or why no plan."""
        wall_left = self.deadline - time.monotonic()
        levels_left = len(self.plan_model.levels) - position
        self.plan_model.model.minimize(level.expression)
        wall_left = self._hint(wall_left)
        grant = self._grant(wall_left, levels_left)
        warm = self.incumbent is not None
        settings = _level_solver(self.search, grant.wall, grant.budget, self.large, warm, self.variables)
        # No solve has ever been shorter than the shortest one so far (its presolve alone takes that long):
        # starting one with less time left would only overrun the time limit.
        if grant.out_of_budget or (self.shortest_solve is not None and wall_left < self.shortest_solve):
            wall_left = 0.0
        solved = self._run_solver(settings, level, wall_left, grant)
        return self._outcome_of(solved, settings.solver, position, level, floor, wall_left)

    def _hint(self, wall_left: float) -> float:
        """Hint the incumbent, completed to every variable once per model; returns the wall seconds left after."""
        if self.incumbent is None:
            return wall_left
        if self.every_value is None and not self.completion_tried:
            self.completion_tried = True
            self.plan_model.hint(self.incumbent)
            self.every_value = self.plan_model.complete_hint(wall_left * HINT_COMPLETION_SHARE)
            wall_left = self.deadline - time.monotonic()
        if self.every_value is not None:
            self.plan_model.hint_values(self.every_value)
        else:
            self.plan_model.hint(self.incumbent)
        return wall_left

    def _grant(self, wall_left: float, levels_left: int) -> _LevelGrant:
        """The level's share of the wall time and of the deterministic budget left (`solver.budget.level_share`).

        Fast mode stops on the wall clock, deterministic mode on its budget.
        """
        warm = self.incumbent is not None
        share = level_share(levels_left, warm)
        wall = wall_left if self.search.deterministic else wall_left * share
        grant = self.budget_left * share
        if self.search.deterministic and self.large and warm:
            # LNS needs a minimum per level (presolve, loading): grant it while the budget lasts, then stop
            # solving. Decided from the budget, not the clock, so that the plan repeats.
            grant = max(grant, lns_level_cost(self.variables))
            return _LevelGrant(wall, grant, out_of_budget=grant > self.budget_left)
        return _LevelGrant(wall, grant)

    def _run_solver(
        self, settings: _LevelSolver, level: ObjectiveLevel, wall_left: float, grant: _LevelGrant
    ) -> cp_model.CpSolverStatus:
        """Solve when there is wall time for it, charge the budget, and note a stop by the clock."""
        solver = settings.solver
        callback = None
        if self.progress is not None:
            position, proven = len(self.outcomes), sum(1 for outcome in self.outcomes if outcome.proven)
            step = SearchProgress(level.name, position, len(self.plan_model.levels), proven, 0, 0, 0.0)
            callback = _Progress(step, self.started, self.progress)
        started = time.monotonic()
        if wall_left > SHORTEST_LIMIT_S:
            solved = solver.solve(self.plan_model.model, callback)
            elapsed = time.monotonic() - started
            self.shortest_solve = elapsed if self.shortest_solve is None else min(self.shortest_solve, elapsed)
            # LNS never proves a level, so it uses its whole grant; a single worker may stop early and roll over.
            used = solver.response_proto.deterministic_time
            self.budget_left -= grant.budget if settings.neighbourhood_search else used / settings.deterministic_rate
        else:
            solved = cp_model.UNKNOWN
        clock_stopped = wall_left <= SHORTEST_LIMIT_S or (
            solved != cp_model.OPTIMAL and solver.wall_time >= wall_left - CLOCK_MARGIN_S
        )
        if not grant.out_of_budget and clock_stopped:
            self.repeatable = False  # stopped by the wall clock, not by the deterministic budget
        return solved

    def _outcome_of(
        self,
        solved: cp_model.CpSolverStatus,
        solver: cp_model.CpSolver,
        position: int,
        level: ObjectiveLevel,
        floor: int,
        wall_left: float,
    ) -> LevelOutcome | SolveStatus:
        """The level's value and bound after its solve, keeping a better plan; the search's status without any plan."""
        if solved in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = self.plan_model.read(solver)
            found_values = level_values(self.problem, found)
            # CP-SAT may drop a hint it could not complete and return something worse, or equal on this level
            # but worse on the next ones (which may get no time): keep the lexicographically better plan.
            if self.known is None or found_values <= self.known:
                self.incumbent, self.known = found, found_values
                self.every_value = list(solver.response_proto.solution)
            bound = _integer_bound(solver.best_objective_bound)
            value = self.known[position]
            if bound > value:
                # The model cannot reach a plan already in hand (it would exclude a valid plan): claim nothing
                # beyond the static bound rather than a proof the model cannot give.
                bound = floor
            return LevelOutcome(level.name, value, min(value, max(bound, floor)))
        if solved == cp_model.INFEASIBLE and position == 0:
            return SolveStatus.INFEASIBLE
        if self.incumbent is not None and self.known is not None:
            bound = _integer_bound(solver.best_objective_bound) if wall_left > SHORTEST_LIMIT_S else 0
            return LevelOutcome(level.name, self.known[position], min(self.known[position], max(bound, floor)))
        return SolveStatus.UNKNOWN

    def _outcome(self) -> SearchOutcome:
        """The final plan's values (a later level may improve an earlier one below its fixed value), and status."""
        outcomes = self.outcomes
        if self.known is not None:
            known = self.known
            outcomes = [LevelOutcome(o.name, known[i], min(o.bound, known[i])) for i, o in enumerate(outcomes)]
        all_proven = all(o.proven for o in outcomes)
        narrowed = self.problem.horizon_capped or self.problem.restricted
        status = SolveStatus.OPTIMAL if all_proven and not narrowed else SolveStatus.FEASIBLE
        return SearchOutcome(
            status, self.incumbent, outcomes, time.monotonic() - self.started, self.repeatable, self._charged()
        )

    def _charged(self) -> float:
        """Budget charged so far: the deterministic budget used, or the wall seconds in fast mode."""
        if not self.search.deterministic:
            return time.monotonic() - self.started
        return max(self.search.deterministic_seconds - self.budget_left, 0.0)


def solve_levels(
    plan_model: PlanModel,
    search: SearchBudget,
    initial: Schedule | None,
    progress: SearchProgressHook | None = None,
    rebuild: Rebuild | None = None,
) -> SearchOutcome:
    """Solve every level in turn within `search`'s budget; `initial` is a known feasible schedule.

    A level whose start value meets its static bound is proven and fixed without a solve. With `rebuild`, the
    model is built again before each solve after the first, narrowed by the levels solved so far. The wall clock
    ends the search at `search.deadline` at the latest; the deterministic budget follows `search.seconds` alone.
    """
    return _LevelSearch(plan_model, search, initial, progress, rebuild).run()
