"""The one place that maps between the HTTP contract and the solver: parse, check, clamp, solve.

Handlers call these methods and stay thin; everything here raises `ProblemError` for the client's
mistakes and lets anything else propagate to the last-resort handler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.admission import PoolAdmission
from service.jobs import SolveFunction, solve_job
from service.pool import SolvePool, SolverCrashedError
from service.problems import ProblemError, invalid_request
from service.settings import Settings
from solver.budget import capped_time_limit
from solver.intake.validation import check_request
from solver.verification import PlanCheckError, verified


def forecasting(data: object) -> object:
    """Decoded JSON of a plan request with `options.forecast` set (its defaults) when it does not say otherwise.

    Anything that is not a request object is left as it is, for the check to report.
    """
    if not isinstance(data, dict):
        return data
    options = data.get("options", {})
    if not isinstance(options, dict) or options.get("forecast") is not None:
        return data
    return {**data, "options": {**options, "forecast": {}}}


class PlanningService:
    """Plans requests on the pool within the configured limits."""

    def __init__(self, settings: Settings, pool: SolvePool, solve: SolveFunction) -> None:
        self.settings = settings
        self.limits = settings.limits
        self.pool = pool
        self.admission = PoolAdmission(settings, pool)
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

    async def plan(self, request: PlanRequest) -> PlanResult:
        """Solve one checked, effective request, or raise 503 at once when the pool is full."""
        return (await self.plan_all([request], loc=["options", "time_limit_s"]))[0]

    async def plan_all(
        self,
        requests: Sequence[PlanRequest],
        warm_start: PlanResult | None = None,
        what: str = "plan request",
        loc: Sequence[str | int] = (),
    ) -> list[PlanResult]:
        """Solve checked requests on the pool, admitted together (all or none) by their work, each from `warm_start`.

        At most `admission.request_workers` of them run at once; the others wait behind each other, so other
        requests find workers meanwhile. The solve does not validate again: `parse`, `parse_what_if` and
        `scenario_requests` have. Over the request's share: 422 naming `loc`; pool full: 503.
        """
        time_limits = [request.options.time_limit_s for request in requests]
        with self.admission.admit(time_limits, what, loc):
            own_workers = asyncio.Semaphore(self.admission.request_workers)

            async def solve(request: PlanRequest) -> PlanResult | PlanCheckError:
                async with own_workers:
                    return await self.pool.run(solve_job, self.solve, request, self.limits, warm_start)

            try:
                async with asyncio.TaskGroup() as group:
                    tasks = [group.create_task(solve(request)) for request in requests]
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
        retry_after = self.admission.retry_after_s
        return ProblemError(
            503,
            "solver-crashed",
            "The solver process stopped twice while planning this request (it was retried once on a fresh "
            f"process); retry in about {retry_after} s, and report it if it keeps happening.",
            headers={"Retry-After": str(retry_after)},
        )
