"""What every recommender works from: the request, its prepared problem, the plan, and how to re-plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from solver.problem import Problem
from solver.schedule import Schedule


@dataclass(frozen=True)
class Planning:
    """The planner's entry points, passed in so that the recommenders never import the planner.

    `plan` plans a request without recommendations within its own `options.time_limit_s`; `prepare` returns
    the prepared problem of a request and a greedy schedule of it (None when greedy cannot place every task).
    """

    plan: Callable[[PlanRequest], PlanResult]
    prepare: Callable[[PlanRequest], tuple[Problem, Schedule | None]]


@dataclass(frozen=True)
class Context:
    """The plan being explained: request, problem, its schedule and result, and the planner."""

    request: PlanRequest
    problem: Problem
    schedule: Schedule
    result: PlanResult
    planning: Planning
