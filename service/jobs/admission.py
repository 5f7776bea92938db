"""Admission of jobs: the one place a submission is let into the queue or refused.

The service's limits on work apply to jobs as to the synchronous endpoints (`service.admission`): a job may bring
at most one request's share of the solver pool's work (422 `request_too_costly`, as the endpoint would answer),
and with API keys each key's rate and concurrency count its job calls (`service.auth.api_key_within_limits`, on
the job routes). Jobs wait in their own queue, not the pool's, so what is full for them is that queue: at most
`CAPPLAN_JOB_QUEUE_MAX` waiting jobs, past which 503 with Retry-After. The back end checks the cap again
atomically as it queues, so concurrent submissions cannot overshoot it.
"""

from __future__ import annotations

from api_schemas.jobs import JobKind
from service.admission import PoolAdmission
from service.jobs.backend import JobBackend
from service.jobs.kinds import PreparedJob
from service.problems import ProblemError
from service.settings import Settings


class JobAdmission:
    """Decides whether a checked submission may be queued."""

    def __init__(self, settings: Settings, pool_admission: PoolAdmission) -> None:
        self.settings = settings
        self.pool_admission = pool_admission

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

    async def admit(self, backend: JobBackend, owner: str, kind: JobKind, job: PreparedJob) -> None:
        """Raise a ProblemError (422 over one request's share of work, 503 queue full), or return to let it in."""
        self.pool_admission.check_work(job.time_limits_s, f"{kind.value} job", job.work_loc)
        if await backend.waiting() >= self.queue_max:
            raise self.queue_full()
