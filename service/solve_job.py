"""The job a solve worker runs, and the solve function the service plans with by default.

Module-level so they pickle to worker processes. Requests reach a worker only after the service has
checked them (`PlanningService.parse`, `parse_what_if`, `scenario_requests`), so the solve skips that check.
"""

from __future__ import annotations

from typing import Protocol

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.progress_channel import current_sink
from service.solve_progress import ProgressReporter
from solver.intake.limits import Limits
from solver.planner import plan
from solver.verification import PlanCheckError


class SolveFunction(Protocol):
    """What the service calls to plan a request it has checked: `plan_checked`, or a stand-in given to `create_app`."""

    def __call__(self, request: PlanRequest, limits: Limits, *, warm_start: PlanResult | None = None) -> PlanResult:
        """Plan `request`; `warm_start` is an earlier plan of a similar request to start the search from."""
        ...


def plan_checked(request: PlanRequest, limits: Limits, *, warm_start: PlanResult | None = None) -> PlanResult:
    """`solver.planner.plan` of a request the service has already validated against `limits` (not validated again).

    Run by a job that asked for progress, it reports the search's steps and best plans (`service.solve_progress`).
    """
    sink = current_sink()
    reporter = ProgressReporter(sink) if sink is not None else None
    return plan(request, limits, warm_start=warm_start, validated=True, on_progress=reporter)


def solve_job(
    solve: SolveFunction, request: PlanRequest, limits: Limits, warm_start: PlanResult | None = None
) -> PlanResult | PlanCheckError:
    """Plan `request` with `solve` (from `warm_start` when given); the pool passes positional arguments only.

    A plan the checker rejected comes back as its PlanCheckError (data, not a traceback), so the service can
    answer it as an incident.
    """
    try:
        return solve(request, limits, warm_start=warm_start)
    except PlanCheckError as error:
        return error
