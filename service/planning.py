"""The one place that maps between the HTTP contract and the solver: parse, check, clamp, solve.

Handlers call these methods and stay thin; everything here raises `ProblemError` for the client's
mistakes and lets anything else propagate to the last-resort handler.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.solve_job import SolveFunction, solve_job
from service.pool import PoolSaturatedError, SolvePool, SolverCrashedError
from service.problems import ProblemError, invalid_request
from service.settings import Settings
from solver.budget import capped_time_limit
from solver.intake.validation import check_request
from solver.verification import PlanCheckError, verified


class PlanningService:
    """Plans requests on the pool within the configured limits."""

    def __init__(self, settings: Settings, pool: SolvePool, solve: SolveFunction) -> None:
        self.settings = settings
        self.limits = settings.limits
        self.pool = pool
        self.solve = solve

    def parse(self, data: object) -> PlanRequest:
        """Turn parsed JSON into a checked plan request ready to plan (service caps applied), or raise a 422."""
        request, problems = check_request(data, self.limits, adjust=self.effective)
        if request is None or problems:
            raise invalid_request(problems, "plan request")
        return request

    def effective(self, request: PlanRequest) -> PlanRequest:
        """Apply the service's time-limit default and caps to a request's solver options.

        Applied before validation: a time limit above the cap is clamped (by the solver's own cap), not refused.
        """
        options = request.options
        asked = options.time_limit_s if "time_limit_s" in options.model_fields_set else None
        time_limit = capped_time_limit(asked if asked is not None else self.settings.default_time_limit_s, self.limits)
        workers = min(options.workers, self.settings.max_search_workers)
        return request.model_copy(
            update={"options": options.model_copy(update={"time_limit_s": time_limit, "workers": workers})}
        )

    def _busy(self) -> ProblemError:
        retry_after = max(1, math.ceil(self.settings.default_time_limit_s))
        return ProblemError(
            503,
            "service-busy",
            f"All {self.pool.workers} solver workers are busy and {self.pool.queue_depth} solves are waiting; "
            f"retry in about {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )

    async def plan(self, request: PlanRequest) -> PlanResult:
        """Solve one checked, effective request, or raise 503 at once when the pool is full."""
        return (await self.plan_all([request]))[0]

    async def plan_all(
        self, requests: Sequence[PlanRequest], warm_start: PlanResult | None = None
    ) -> list[PlanResult]:
        """Solve checked requests in parallel on the pool, admitted together (all or none), each from `warm_start`.

        The solve does not validate again: `parse`, `parse_what_if` and `scenario_requests` have.
        """
        try:
            admission = self.pool.admit(len(requests))
        except PoolSaturatedError:
            raise self._busy() from None
        with admission:
            try:
                async with asyncio.TaskGroup() as group:
                    tasks = [
                        group.create_task(self.pool.run(solve_job, self.solve, request, self.limits, warm_start))
                        for request in requests
                    ]
            except* SolverCrashedError:
                raise self._crashed() from None
        return [await self._verified(request, task.result()) for request, task in zip(requests, tasks, strict=True)]

    @staticmethod
    async def _verified(request: PlanRequest, outcome: PlanResult | PlanCheckError) -> PlanResult:
        """A plan the independent checker passed: the worker's own check, else one here, off the event loop.

        A rejected plan raises PlanCheckError, which `service.problems` answers as a 500 with an incident id.
        """
        if isinstance(outcome, PlanCheckError):
            raise outcome
        if outcome.checked:
            return outcome
        return await asyncio.to_thread(verified, request, outcome)

    def _crashed(self) -> ProblemError:
        retry_after = max(1, math.ceil(self.settings.default_time_limit_s))
        return ProblemError(
            503,
            "solver-crashed",
            "The solver process stopped twice while planning this request (it was retried once on a fresh "
            f"process); retry in about {retry_after} s, and report it if it keeps happening.",
            headers={"Retry-After": str(retry_after)},
        )
