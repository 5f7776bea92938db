"""What the job routes need from a back end: the embedded one (`memory.py`) or the Redis one (`redis_backend.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from service.jobs.record import JobRecord, NewJob, Submitted


class JobBackend(Protocol):
    """Stores jobs, queues them for workers, and tells of their changes. Every read is scoped to an owner."""

    #: "embedded" or "redis", shown by /healthz.
    name: str

    async def start(self) -> None:
        """Connect, and start the workers the back end runs itself."""

    async def stop(self) -> None:
        """Stop own workers and disconnect."""

    async def submit(self, job: NewJob, queue_max: int) -> Submitted:
        """Queue a new job, or return the earlier job of the same Idempotency-Key and body.

        Raises QueueFullError when `queue_max` jobs wait, IdempotencyConflictError when the key came with
        another body.
        """

    async def earlier(self, owner: str, key: str) -> tuple[str, str] | None:
        """The job id and body fingerprint an owner's Idempotency-Key was first used with, while that job lives."""

    async def get(self, owner: str, job_id: str) -> JobRecord | None:
        """The owner's job, or None (unknown, expired, or another owner's)."""

    async def cancel(self, owner: str, job_id: str) -> JobRecord | None:
        """Cancel the owner's job if it is not finished (its solver is stopped); the job as it is then."""

    def changes(self, owner: str, job_id: str) -> AsyncIterator[JobRecord]:
        """The job now, then after each change, ending with its final state (nothing if there is no such job)."""

    async def waiting(self) -> int:
        """Jobs queued and not started."""
