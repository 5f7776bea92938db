"""What every recommender works from: the request, its prepared problem, the plan, and how to re-plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from checker.schedule_checker import check_schedule
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule


class PlanFunction(Protocol):
    """Plans a request without recommendations within its own time limit, optionally warm-started (a what-if)."""

    def __call__(self, request: PlanRequest, *, warm_start: PlanResult | None = None) -> PlanResult:
        """The plan of `request`; `warm_start` is an earlier plan of a similar request to start from."""


@dataclass(frozen=True)
class Planning:
    """The planner's entry points, passed in so that the recommenders never import the planner.

    `plan` plans a request without recommendations within its own `options.time_limit_s`, from an earlier plan
    of a similar request when given one as `warm_start`; `prepare` returns the prepared problem of a request
    and a greedy schedule of it (None when greedy cannot place every task).
    """

    plan: PlanFunction
    prepare: Callable[[PlanRequest], tuple[PreparedProblem, Schedule | None]]


@dataclass(frozen=True)
class Context:
    """The plan being explained: request, problem, its schedule and result, and the planner."""

    request: PlanRequest
    problem: PreparedProblem
    schedule: Schedule
    result: PlanResult
    planning: Planning

    @cached_property
    def plan_is_valid(self) -> bool:
        """True when the independent checker finds no violation in the plan (checked once: 0.15 s at 2,000 issues)."""
        return not check_schedule(self.request, self.result)
