"""Admission of jobs: the one place a submission is let into the queue or refused.

Today: the queue's length cap (`CAPPLAN_JOB_QUEUE_MAX`), refused with 503 and Retry-After. The service's other
limits on work (admission by cost, per-key rates) apply to jobs as well and belong in `JobAdmission.admit`.
The back end checks the cap again atomically as it queues, so concurrent submissions cannot overshoot it.
"""

from __future__ import annotations

from api_schemas.jobs import JobKind
from service.jobs.backend import JobBackend
from service.problems import ProblemError
from service.settings import Settings


class JobAdmission:
    """Decides whether a checked submission may be queued."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def queue_max(self) -> int:
        """Most jobs that may wait."""
        return self.settings.job_queue_max

    def queue_full(self) -> ProblemError:
        """The 503 of a full queue."""
        retry_after = self.settings.retry_after_s
        return ProblemError(
            503,
            "queue-full",
            f"{self.queue_max} jobs are already waiting, the most this service queues; retry in about "
            f"{retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )

    async def admit(self, backend: JobBackend, owner: str, kind: JobKind, payload: str) -> None:
        """Raise a ProblemError (503) when the job may not be queued now; return to let it in."""
        if await backend.waiting() >= self.queue_max:
            raise self.queue_full()
