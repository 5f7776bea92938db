"""`capplan worker`: an arq worker that takes capplan jobs from Redis and solves them in its own solver processes.

Start any number, on any machines that reach the Redis of `CAPPLAN_QUEUE_URL`. Each runs `CAPPLAN_WORKERS` jobs
at once, each solve in a solver process of its own (killed when the job is cancelled).

Delivery is at least once, fenced: arq keeps a job on its queue until a worker finishes it, and marks a
worker's hold on it with an expiring key, which this worker renews every third of `CAPPLAN_JOB_LEASE_S`. A worker
killed mid-job stops renewing, so another takes the job up within the lease; the job's attempt number fences
the result, so only the attempt holding the job stores one. A job started `CAPPLAN_JOB_MAX_ATTEMPTS` times
without finishing fails as `worker-crashed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import Any

from arq.connections import RedisSettings
from arq.constants import in_progress_key_prefix
from arq.worker import Worker, func

from api_schemas.jobs import JobKind, JobStatus
from service.jobs.execution import Executor, execute, failure_of, worker_crashed
from service.jobs.redis_backend import JOB_FUNCTION, QUEUE_NAME, JobStore
from service.pool import ProcessBackend, SolvePool
from service.settings import Settings
from service.solve_job import SolveFunction, plan_checked

logger = logging.getLogger(__name__)

#: How often a worker looks for new jobs and for jobs to abort (a cancel stops the solver within this, plus a kill).
POLL_S = 0.2
#: Extra seconds of arq's job timeout beyond the longest a job can solve (the time limits of its solves).
TIMEOUT_MARGIN_S = 60.0


def job_timeout_s(settings: Settings) -> float:
    """Arq's timeout of one job: a what-if with the most scenarios, solved one after another, and a margin."""
    return (settings.max_scenarios + 1) * settings.max_time_limit_s + TIMEOUT_MARGIN_S


async def _keep_lease(store: JobStore, job_id: str, lease_s: float) -> None:
    """Renew this worker's hold on the job (arq's in-progress key) to `lease_s` from now, every third of it."""
    while True:
        await store.redis.pexpire(in_progress_key_prefix + job_id, math.ceil(lease_s * 1000))
        await asyncio.sleep(lease_s / 3)


async def run_capplan_job(ctx: dict[str, Any], job_id: str, kind: str, payload: str) -> None:
    """Arq's job function: take the job for this attempt, run it, store its outcome once."""
    store: JobStore = ctx["store"]
    executor: Executor = ctx["executor"]
    settings = executor.settings
    attempt = int(ctx["job_try"])
    failure = worker_crashed(attempt - 1, job_id).model_dump_json(exclude_none=True)
    taken = await store.start(job_id, attempt, settings.job_max_attempts, failure)
    if taken != "run":
        logger.info("job %s not run (attempt %s): %s", job_id, attempt, taken)
        return
    lease = asyncio.create_task(_keep_lease(store, job_id, settings.job_lease_s))

    async def save_progress(progress: dict[str, Any]) -> None:
        await store.save_progress(job_id, attempt, progress)

    try:
        result = await execute(JobKind(kind), payload, executor, save_progress)
    except asyncio.CancelledError:
        raise  # aborted (the job says cancelled) or this worker stops (another attempt takes the job)
    except Exception as error:
        problem = failure_of(error, job_id, settings).model_dump_json(exclude_none=True)
        await store.finish(job_id, attempt, JobStatus.FAILED, "error", problem)
    else:
        if not await store.finish(job_id, attempt, JobStatus.SUCCEEDED, "result", result):
            logger.warning("job %s attempt %s finished, but the job was cancelled or taken over", job_id, attempt)
    finally:
        lease.cancel()
        await asyncio.gather(lease, return_exceptions=True)


def build_worker(settings: Settings, solve: SolveFunction = plan_checked) -> Worker:
    """The arq worker of `capplan worker` for these settings (`CAPPLAN_QUEUE_URL` must be set)."""
    if settings.queue_url is None:
        raise ValueError("capplan worker needs CAPPLAN_QUEUE_URL (redis://host:6379/0)")
    pool = SolvePool(ProcessBackend(settings.workers, preload=(solve.__module__,)), settings.workers, 0)

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["store"] = JobStore(ctx["redis"], settings.job_ttl_s)
        ctx["executor"] = Executor(pool, solve, settings)
        await pool.start()

    async def shutdown(ctx: dict[str, Any]) -> None:
        await pool.stop()

    return Worker(
        functions=[func(run_capplan_job, name=JOB_FUNCTION, max_tries=settings.job_max_attempts + 1)],
        redis_settings=RedisSettings.from_dsn(settings.queue_url),
        queue_name=QUEUE_NAME,
        max_jobs=settings.workers,
        job_timeout=job_timeout_s(settings),
        keep_result=0,
        poll_delay=POLL_S,
        allow_abort_jobs=True,
        on_startup=startup,
        on_shutdown=shutdown,
        health_check_interval=60,
    )


def run_worker(settings: Settings, solve: SolveFunction = plan_checked) -> None:
    """Run the worker until SIGINT or SIGTERM (a job running then is taken up again by another worker)."""

    async def main() -> None:
        worker = build_worker(settings, solve)
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await worker.async_run()
        finally:
            await worker.close()

    asyncio.run(main())
