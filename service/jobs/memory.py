"""The embedded job back end: jobs in this process's memory, run on its own solve pool. Nothing else to install.

A restart keeps nothing: queued and running jobs are lost with their results (their ids then answer 404).
Runners take queued jobs in order, at most `workers` at once, and share the solve pool (and its worker
processes) with the synchronous endpoints. Cancelling a running job cancels its solve, which kills its solver
process (process pool) so the core is free at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

from api_schemas.jobs import JobStatus
from service.jobs.execution import Executor, execute, failure_of
from service.jobs.record import (
    IdempotencyConflictError,
    JobRecord,
    NewJob,
    QueueFullError,
    Submitted,
    now,
    plan_request_json,
)

logger = logging.getLogger(__name__)


class MemoryJobs:
    """Jobs in a dict, a FIFO of waiting ids, and `runners` tasks taking them."""

    name = "embedded"

    def __init__(self, executor: Executor, runners: int) -> None:
        self._executor = executor
        self._settings = executor.settings
        self._runner_count = runners
        self._jobs: dict[str, JobRecord] = {}
        self._payloads: dict[str, str] = {}
        self._keys: dict[tuple[str, str], tuple[str, str]] = {}
        self._changed: dict[str, asyncio.Event] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._runners: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start the runners (again after a stop)."""
        if not self._runners:
            self._queue = asyncio.Queue()
            self._runners = [asyncio.create_task(self._runner()) for _ in range(self._runner_count)]

    async def stop(self) -> None:
        """Cancel the runners and the jobs they run."""
        tasks = [*self._runners, *self._running.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._runners = []

    async def submit(self, job: NewJob, queue_max: int) -> Submitted:
        """Queue the job, or answer the earlier one of its Idempotency-Key."""
        self._purge()
        if job.idempotency_key is not None:
            earlier = self._keys.get((job.owner, job.idempotency_key))
            if earlier is not None and earlier[0] in self._jobs:
                if earlier[1] != job.fingerprint:
                    raise IdempotencyConflictError(earlier[0])
                return Submitted(self._jobs[earlier[0]], created=False)
        if await self.waiting() >= queue_max:
            raise QueueFullError
        record = JobRecord(job.id, job.owner, job.kind, JobStatus.QUEUED, now(), version=1)
        self._jobs[job.id] = record
        self._payloads[job.id] = job.payload
        self._changed[job.id] = asyncio.Event()
        if job.idempotency_key is not None:
            self._keys[(job.owner, job.idempotency_key)] = (job.id, job.fingerprint)
            record.extra["idempotency_key"] = job.idempotency_key
        if job.kind.gives_plan:
            record.request = plan_request_json(job.payload)
        self._queue.put_nowait(job.id)
        return Submitted(replace(record), created=True)

    async def earlier(self, owner: str, key: str) -> tuple[str, str] | None:
        """The job and fingerprint of an owner's key."""
        self._purge()
        found = self._keys.get((owner, key))
        return found if found is not None and found[0] in self._jobs else None

    async def get(self, owner: str, job_id: str) -> JobRecord | None:
        """The owner's job, if it exists and has not expired."""
        self._purge()
        record = self._jobs.get(job_id)
        return replace(record) if record is not None and record.owner == owner else None

    async def cancel(self, owner: str, job_id: str) -> JobRecord | None:
        """Mark the job cancelled and stop its solve; a finished job stays as it is."""
        record = self._jobs.get(job_id)
        if record is None or record.owner != owner:
            return None
        if not record.status.final:
            self._finish(record, JobStatus.CANCELLED)
            task = self._running.get(job_id)
            if task is not None:
                task.cancel()
        return replace(record)

    async def changes(self, owner: str, job_id: str) -> AsyncIterator[JobRecord]:
        """The job now and after each change, until it is final."""
        record = self._jobs.get(job_id)
        if record is None or record.owner != owner:
            return
        while True:
            # The state sent decides whether it was the last: the job may have finished while it was sent.
            snapshot = replace(record)
            yield snapshot
            if snapshot.status.final:
                return
            while record.version == snapshot.version:
                await self._changed[job_id].wait()

    async def waiting(self) -> int:
        """Queued jobs."""
        return sum(1 for record in self._jobs.values() if record.status == JobStatus.QUEUED)

    def _touch(self, record: JobRecord) -> None:
        """Count a change and wake whoever waits for one."""
        record.version += 1
        event = self._changed.get(record.id)
        if event is not None:
            event.set()
            self._changed[record.id] = asyncio.Event()

    def _finish(
        self, record: JobRecord, status: JobStatus, result: str | None = None, error: str | None = None
    ) -> None:
        record.status, record.result, record.error = status, result, error
        record.finished_at = now()
        record.expires_at = record.finished_at + timedelta(seconds=self._settings.job_ttl_s)
        self._payloads.pop(record.id, None)
        self._touch(record)

    def _purge(self) -> None:
        """Forget finished jobs past their expiry, with their idempotency keys."""
        moment = now()
        for job_id, record in list(self._jobs.items()):
            if record.expires_at is not None and record.expires_at <= moment:
                del self._jobs[job_id]
                self._changed.pop(job_id, None)
                key = record.extra.get("idempotency_key")
                if key is not None:
                    self._keys.pop((record.owner, key), None)

    async def _runner(self) -> None:
        """Take queued jobs one at a time and run them to the end."""
        while True:
            job_id = await self._queue.get()
            record = self._jobs.get(job_id)
            if record is None or record.status != JobStatus.QUEUED:
                continue  # cancelled while it waited
            record.status, record.started_at, record.attempts = JobStatus.RUNNING, now(), 1
            self._touch(record)
            task = asyncio.create_task(self._run(record, self._payloads[job_id]))
            self._running[job_id] = task
            try:
                await asyncio.wait({task})
            finally:
                self._running.pop(job_id, None)

    async def _run(self, record: JobRecord, payload: str) -> None:
        async def save_progress(progress: dict[str, Any]) -> None:
            if record.status == JobStatus.RUNNING:
                record.progress = progress
                self._touch(record)

        try:
            result = await execute(record.kind, payload, self._executor, save_progress)
        except asyncio.CancelledError:
            if record.status == JobStatus.CANCELLED:
                return
            raise
        except Exception as error:
            if record.status == JobStatus.RUNNING:
                self._finish(record, JobStatus.FAILED, error=failure_of(error, record.id, self._settings)
                             .model_dump_json(exclude_none=True))
            return
        if record.status == JobStatus.RUNNING:
            self._finish(record, JobStatus.SUCCEEDED, result=result)

