"""The recommendations' share of the request's time budget, split between many small solves.

A budget is a wall-clock deadline; a part of it is a nearer deadline, so time one solve does not use is
left for the next. Solvers follow the request's mode: one worker in deterministic mode, with a
deterministic-time limit equal to the wall-clock one, so a run that proves each answer repeats exactly.
The plan's `solver.budget.TimeBudget` gives the seconds; its limits live in `solver.budget.constants`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from api_schemas.request import SolveMode, SolverOptions
from solver.budget.constants import LARGE_MODEL_TASKS, MIN_REPLAN_SEARCH_S, MIN_SOLVE_S, SHORTEST_LIMIT_S
from solver.budget.cp_solver import configured_solver


@dataclass(frozen=True)
class Budget:
    """A wall-clock deadline, the solver options the time is spent with, and the size of the problem."""

    options: SolverOptions
    deadline: float
    tasks: int = 0
    model_cost: float = 0.0
    """Seconds it takes to prepare and build one model of the problem (measured on the plan's own)."""
    replan_cost: float | None = None
    """Seconds a re-plan takes before it searches (preparing it; up to 50 issues also its model); None: `model_cost`."""

    @classmethod
    def of(
        cls,
        options: SolverOptions,
        seconds: float,
        tasks: int = 0,
        model_cost: float = 0.0,
        replan_cost: float | None = None,
    ) -> Budget:
        """A budget of `seconds` from now for solves of a problem with `tasks` tasks."""
        return cls(options, time.monotonic() + max(seconds, 0.0), tasks, model_cost, replan_cost)

    @property
    def by_replanning(self) -> bool:
        """True above 50 issues: recommendations come from re-planning changed requests, not from full models.

        The plan itself never builds the full model there (its neighbourhood search is faster), and one full model
        of 500 issues takes seconds to build and presolve before it searches at all.
        """
        return self.tasks > LARGE_MODEL_TASKS

    @property
    def startup(self) -> float:
        """Seconds one re-plan needs before it searches."""
        return self.model_cost if self.replan_cost is None else self.replan_cost

    def left(self) -> float:
        """Seconds left (never negative)."""
        return max(self.deadline - time.monotonic(), 0.0)

    @property
    def exhausted(self) -> bool:
        """True when too little time is left to start a solve."""
        return self.left() < MIN_SOLVE_S

    def part(self, fraction: float) -> Budget:
        """A budget ending after `fraction` of the time left (its unused time stays with this budget).

        Above 50 issues a part is never too short for one re-plan while the whole budget has time for one: the
        earlier (more important) parts take it from the later ones rather than all of them getting nothing.
        """
        share = self.left() * min(max(fraction, 0.0), 1.0)
        if self.by_replanning:
            share = max(share, min(self.left(), self.startup + MIN_REPLAN_SEARCH_S))
        return Budget(self.options, time.monotonic() + share, self.tasks, self.model_cost, self.replan_cost)

    def replan_fraction(self, fraction: float) -> float | None:
        """`fraction` of the time left for one re-plan, more when that is too short for one, None when all is."""
        left = self.left()
        if left * fraction >= self.startup + MIN_SOLVE_S:
            return fraction
        if left >= self.startup + MIN_SOLVE_S:
            return min(1.0, (self.startup + MIN_REPLAN_SEARCH_S) / left)
        return None

    def affords(self, models: int = 1) -> bool:
        """True when there is time to build `models` models and still solve."""
        return self.left() >= models * self.model_cost + MIN_SOLVE_S

    def affords_replan(self) -> bool:
        """True when there is time to prepare a re-plan and still search."""
        return self.left() >= self.startup + MIN_SOLVE_S

    def solver(self, fraction: float = 1.0, single_worker: bool = False) -> cp_model.CpSolver:
        """A CP-SAT solver limited to `fraction` of the time left, with the request's seed and mode."""
        seconds = max(self.left() * min(max(fraction, 0.0), 1.0), SHORTEST_LIMIT_S)
        single = single_worker or self.options.mode == SolveMode.DETERMINISTIC
        return configured_solver(
            seconds,
            workers=1 if single else self.options.workers,
            seed=self.options.seed,
            deterministic_seconds=seconds if single else None,
            probing=self.tasks <= LARGE_MODEL_TASKS,  # as the plan's own search: probing starves big models
        )
