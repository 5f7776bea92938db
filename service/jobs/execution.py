"""Running one job's payload on a solve pool: the same code in `capplan serve` (embedded) and in `capplan worker`.

`execute` returns the answer of the kind's synchronous endpoint as JSON text, or raises; `failure_of` turns what
it raised into the job's problem+json. Progress goes to a `JobRun`, which the back end saves as it changes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from api_schemas.jobs import JobKind
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from api_schemas.service import ProblemDetails, WhatIfRequest
from api_schemas.slots import SlotRequest, SlotResponse
from service.offload import off_loop
from service.planning import effective_request, solver_crashed, validation_report, verified_outcome
from service.pool import SolvePool, SolverCrashedError
from service.problems import ProblemError, problem_details
from service.settings import Settings
from service.slots import slot_replans_admitted
from service.solve_job import SolveFunction, solve_job
from service.whatif import against_baseline, compare_plans
from solver.slots import slot_options, slot_requests
from solver.verification import PlanCheckError

logger = logging.getLogger(__name__)
incidents = logging.getLogger("service.incidents")

#: Most seconds between two saves of a running job's progress (its elapsed time moves even when nothing else does).
PROGRESS_TICK_S = 1.0


@dataclass(frozen=True)
class Executor:
    """What runs jobs in one process: its solve pool, the solve function and the settings (caps of `validate`)."""

    pool: SolvePool
    solve: SolveFunction
    settings: Settings


class JobRun:
    """A running job's progress: the latest step its solve reported, solves done, time since it started."""

    def __init__(self, solves_total: int) -> None:
        self.started = time.monotonic()
        self.solves_total = solves_total
        self.solves_done = 0
        self._step: dict[str, Any] = {}
        self.changed = asyncio.Event()

    def step(self, payload: Any) -> None:
        """A solve's progress payload (`service.solve_progress`); a step without a plan keeps the last plan."""
        if isinstance(payload, dict):
            best = payload.get("best_plan") or self._step.get("best_plan")
            self._step = {**payload, **({"best_plan": best} if best is not None else {})}
            self.changed.set()

    def solve_done(self) -> None:
        """One more solve of the job finished."""
        self.solves_done += 1
        self.changed.set()

    def snapshot(self) -> dict[str, Any]:
        """The progress as `api_schemas.jobs.JobProgress` data."""
        return {
            **self._step,
            "elapsed_s": round(time.monotonic() - self.started, 3),
            "solves_total": self.solves_total,
            "solves_done": self.solves_done,
        }


def solves_of(payload: dict[str, Any]) -> int:
    """How many solves a payload runs."""
    return len(payload.get("requests", []))


async def execute(
    kind: JobKind, payload_text: str, executor: Executor, save_progress: Callable[[dict[str, Any]], Awaitable[None]]
) -> str:
    """Run the payload and return the answer's JSON; progress is saved at most every PROGRESS_TICK_S (and on change)."""
    payload = await off_loop(_loads, payload_text)
    run = JobRun(solves_of(payload))

    async def report() -> None:
        while True:
            # asyncio.wait, not wait_for: Python 3.11's wait_for can turn a cancel into a timeout and loop for ever.
            change = asyncio.ensure_future(run.changed.wait())
            try:
                await asyncio.wait({change}, timeout=PROGRESS_TICK_S)
            finally:
                change.cancel()
            run.changed.clear()
            await save_progress(run.snapshot())

    reporter = asyncio.create_task(report())
    try:
        answer = await _run(kind, payload, executor, run)
    finally:
        reporter.cancel()
        await asyncio.gather(reporter, return_exceptions=True)
    await save_progress(run.snapshot())  # the last word: every solve done, the final elapsed time
    return answer


def _loads(text: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(text)
    return loaded


async def _run(kind: JobKind, payload: dict[str, Any], executor: Executor, run: JobRun) -> str:
    """The answer of one kind, as JSON text."""
    if kind == JobKind.VALIDATE:
        settings = executor.settings
        report = await off_loop(
            validation_report, payload["data"], settings.limits, lambda r: effective_request(r, settings)
        )
        return report.model_dump_json()
    requests = [PlanRequest.model_validate(request) for request in payload["requests"]]
    if kind.gives_plan:
        (result,) = await _plans(requests, executor, run, None, with_progress=True)
        return result.model_dump_json()
    if kind == JobKind.SLOTS:
        return (await _slots(SlotRequest.model_validate(payload["slot"]), executor, run)).model_dump_json()
    what_if = WhatIfRequest.model_validate(payload["what_if"])
    baseline = what_if.baseline_plan
    if baseline is None:  # the base first, then each scenario against its plan, as POST /v1/plans/what-if does
        (baseline,), requests = await _plans(requests[:1], executor, run, None, with_progress=False), requests[1:]
    scenarios = against_baseline(requests, baseline)
    results = await _plans(scenarios, executor, run, baseline, with_progress=False)
    answer = await off_loop(compare_plans, what_if.base, what_if.scenarios, baseline, results, what_if.include_plans)
    return answer.model_dump_json()


async def _slots(slot: SlotRequest, executor: Executor, run: JobRun) -> SlotResponse:
    """The base plan, then every candidate re-plan on the pool, ranked into options, as POST /v1/plans/slots."""
    (base,) = await _plans([slot.request], executor, run, None, with_progress=True)
    candidates = slot_requests(slot.request, slot.issue, base, slot.max_options, slot_replans_admitted(executor.pool))
    run.solves_total = 1 + len(candidates)
    results = await _plans([candidate.request for candidate in candidates], executor, run, base, with_progress=False)
    return slot_options(slot.issue, base, results, slot.max_options)


async def _plans(
    requests: list[PlanRequest], executor: Executor, run: JobRun, warm_start: PlanResult | None, with_progress: bool
) -> list[PlanResult]:
    """Solve the requests in parallel on the pool (no admission: the job queue admitted the job), each checked."""
    limits = executor.settings.limits

    async def one(request: PlanRequest) -> PlanResult:
        on_progress = run.step if with_progress else None
        outcome = await executor.pool.run(
            solve_job, executor.solve, request, limits, warm_start, on_progress=on_progress
        )
        result = await verified_outcome(request, outcome)
        run.solve_done()
        return result

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(request)) for request in requests]
    return [task.result() for task in tasks]


def failure_of(error: BaseException, job_id: str, settings: Settings) -> ProblemDetails:
    """The problem+json a failed job shows: the synchronous endpoint's problem, or an incident id for a fault."""
    if isinstance(error, BaseExceptionGroup) and len(error.exceptions) >= 1:
        return failure_of(error.exceptions[0], job_id, settings)
    instance = f"/v1/jobs/{job_id}"
    if isinstance(error, SolverCrashedError):
        error = solver_crashed(settings.retry_after_s)
    if isinstance(error, ProblemError):
        return problem_details(error.status, error.kind, error.detail, error.errors, instance)
    incident = uuid.uuid4().hex
    if isinstance(error, PlanCheckError):
        incidents.error("plan failed its independent check", extra={"incident": incident, "job": job_id,
                                                                    "violations": error.violations})
        detail = (f"capplan produced a plan that breaks its own rules, so it was not returned. This is a bug; quote "
                  f"incident {incident} when reporting it.")
        return problem_details(500, "plan-check-failed", detail, instance=instance)
    incidents.error("job failed", exc_info=error, extra={"incident": incident, "job": job_id})
    return problem_details(500, "internal-error", f"The job failed on the server; quote incident {incident}.",
                           instance=instance)


def worker_crashed(attempts: int, job_id: str) -> ProblemDetails:
    """The problem of a job whose worker stopped every time it ran it (killed, out of memory, a crash)."""
    return problem_details(
        500, "worker-crashed",
        f"The worker running this job stopped {attempts} times before finishing it, so it is not run again; "
        "report it if the same request does this again.",
        instance=f"/v1/jobs/{job_id}",
    )
