"""Small CP-SAT helpers shared by the recommenders: bounded solves and finish-date constraints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ortools.sat.python import cp_model

from api_schemas.common import UNITS_PER_DAY
from solver.model.build import PlanModel
from solver.prepared.rules import day_end_instant
from solver.recommend.budget import Budget


@dataclass
class Solved:
    """A solver after one solve, with its status."""

    solver: cp_model.CpSolver
    status: cp_model.CpSolverStatus

    @property
    def found(self) -> bool:
        """True when a solution is at hand."""
        return self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    @property
    def proven(self) -> bool:
        """True when the solution is proven optimal (or, without objective, the model proven feasible)."""
        return self.status == cp_model.OPTIMAL

    @property
    def infeasible(self) -> bool:
        """True when the model is proven to have no solution."""
        return self.status == cp_model.INFEASIBLE


def solve(model: cp_model.CpModel, budget: Budget, fraction: float = 1.0, single_worker: bool = False) -> Solved:
    """Solve `model` within `fraction` of the budget left; UNKNOWN when no time is left."""
    if budget.exhausted:
        return Solved(cp_model.CpSolver(), cp_model.UNKNOWN)
    solver = budget.solver(fraction, single_worker)
    return Solved(solver, solver.solve(model))


def finish_by(
    plan_model: PlanModel, task_indices: Iterable[int], day: date, unless: dict[int, cp_model.IntVar] | None = None
) -> None:
    """Require the tasks to finish on or before `day`; a task in `unless` is exempt while its literal is true."""
    problem = plan_model.problem
    bound = day_end_instant(problem.day_index(day))
    if bound >= problem.horizon_days * UNITS_PER_DAY:
        return
    for index in task_indices:
        constraint = plan_model.model.add(plan_model.tasks[index].end <= bound)
        if unless is not None and index in unless:
            constraint.only_enforce_if(unless[index].Not())


def add_finish_limits(
    plan_model: PlanModel, limits: dict[str, date], unless: dict[int, cp_model.IntVar] | None = None
) -> None:
    """Require each issue in `limits` (by id) to finish on or before its date."""
    index_of = {task.issue.id: task.index for task in plan_model.problem.tasks}
    for issue_id, day in limits.items():
        if issue_id in index_of:
            finish_by(plan_model, [index_of[issue_id]], day, unless)


def finish_day_variable(plan_model: PlanModel, task_indices: Iterable[int], name: str) -> cp_model.IntVar:
    """A day index no earlier than the finish day of every task listed (minimise it for the earliest finish)."""
    problem = plan_model.problem
    day = plan_model.model.new_int_var(0, problem.horizon_days - 1, name)
    for index in task_indices:
        plan_model.model.add(plan_model.tasks[index].end <= UNITS_PER_DAY * (day + 1))
    return day
