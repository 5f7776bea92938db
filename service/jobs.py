"""The job a solve worker runs: the solver call, with invalid requests turned into data.

Module-level so it pickles to worker processes. Exceptions with custom constructors do not survive
pickling intact, so the planner's `InvalidRequestError` comes back as a list of problems instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from api_schemas.problems import Problem
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from solver.intake.errors import InvalidRequestError
from solver.intake.limits import Limits


class SolveFunction(Protocol):
    """What the service calls to plan: `solver.planner.plan`, or a stand-in given to `create_app` in tests."""

    def __call__(self, request: PlanRequest, limits: Limits, *, warm_start: PlanResult | None = None) -> PlanResult:
        """Plan `request`; `warm_start` is an earlier plan of a similar request to start the search from."""
        ...


@dataclass(frozen=True)
class SolveOutcome:
    """A plan, or the problems that kept the planner from making one."""

    result: PlanResult | None
    problems: list[Problem] = field(default_factory=list)


def solve_job(
    solve: SolveFunction, request: PlanRequest, limits: Limits, warm_start: PlanResult | None = None
) -> SolveOutcome:
    """Plan `request` (from `warm_start` when given); an invalid request gives its problems instead of raising."""
    try:
        return SolveOutcome(solve(request, limits, warm_start=warm_start))
    except InvalidRequestError as error:
        return SolveOutcome(None, list(error.problems))
