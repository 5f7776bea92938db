"""The one place that maps between the HTTP contract and the solver: parse, check, clamp, solve.

Handlers call these methods and stay thin; everything here raises `ProblemError` for the client's
mistakes and lets anything else propagate to the last-resort handler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from api_schemas.service import ValidateResponse
from service.admission import PoolAdmission
from service.conflicts import certain_conflicts
from service.pool import SolvePool, SolverCrashedError
from service.problems import ProblemError, invalid_request
from service.request_summary import summarise_request
from service.settings import Settings
from service.solve_job import SolveFunction, solve_job
from solver.budget import capped_time_limit
from solver.intake.limits import Limits
from solver.intake.validation import Adjust, check_request
from solver.verification import PlanCheckError, verified


def effective_request(request: PlanRequest, settings: Settings) -> PlanRequest:
    """Apply the service's time-limit default and caps to a request's solver options.

    Applied before validation: a time limit above the cap is clamped (by the solver's own cap), not refused.
    """
    options = request.options
    asked = options.time_limit_s if "time_limit_s" in options.model_fields_set else None
    time_limit = capped_time_limit(asked if asked is not None else settings.default_time_limit_s, settings.limits)
    workers = min(options.workers, settings.max_search_workers)
    return request.model_copy(
        update={"options": options.model_copy(update={"time_limit_s": time_limit, "workers": workers})}
    )


def validation_report(data: object, limits: Limits, adjust: Adjust) -> ValidateResponse:
    """Every problem of parsed JSON as a plan request (as /v1/plans would see it), and a summary once it parses."""
    plan_request, problems = check_request(data, limits, adjust=adjust)
    if plan_request is None:
        return ValidateResponse(valid=False, problems=problems)
    calendar_ok = not any(problem.loc[:1] in (["calendar"], ["start_date"]) for problem in problems)
    summary = summarise_request(plan_request, limits, with_capacity=calendar_ok)
    conflicts = certain_conflicts(plan_request) if not problems else []
    return ValidateResponse(valid=not problems, problems=problems, conflicts=conflicts, summary=summary)


async def verified_outcome(request: PlanRequest, outcome: PlanResult | PlanCheckError) -> PlanResult:
    """A plan the independent checker passed: the worker's own check, else one here, off the event loop.

    A rejected plan raises PlanCheckError, which `service.problems` answers as a 500 with an incident id.
    """
    if isinstance(outcome, PlanCheckError):
        raise outcome
    if outcome.checked:
        return outcome
    return await asyncio.to_thread(verified, request, outcome)


def solver_crashed(retry_after: int) -> ProblemError:
    """The 503 of a request whose solver process died on it twice (a failed job's `error` too)."""
    return ProblemError(
        503,
        "solver-crashed",
        "The solver process stopped twice while planning this request (it was retried once on a fresh "
        f"process); retry in about {retry_after} s, and report it if it keeps happening.",
        headers={"Retry-After": str(retry_after)},
    )


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
        """The request with the service's time-limit default and caps applied (`effective_request`)."""
        return effective_request(request, self.settings)

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
        return [await verified_outcome(request, task.result()) for request, task in zip(requests, tasks, strict=True)]

    def _crashed(self) -> ProblemError:
        return solver_crashed(self.settings.retry_after_s)
