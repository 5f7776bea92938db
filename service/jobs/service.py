"""The jobs' side of the service: check a submission, admit it, queue it; read, cancel and follow jobs.

Handlers call these methods and stay thin. Everything a client did wrong is a ProblemError; a back end that
cannot be reached (Redis down) is a 503 `queue-unavailable`, never a 500.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import NoReturn

from pydantic import ValidationError
from redis.exceptions import RedisError

from api_schemas.jobs import JobStatus, JobSubmission
from api_schemas.problems import Problem
from service.jobs.admission import JobAdmission
from service.jobs.backend import JobBackend
from service.jobs.kinds import prepare_job
from service.jobs.record import (
    IdempotencyConflictError,
    JobRecord,
    NewJob,
    QueueFullError,
    Submitted,
    fingerprint,
    new_job_id,
)
from service.planning import PlanningService
from service.problems import ProblemError, invalid_request, problems_of

logger = logging.getLogger(__name__)

#: Longest Idempotency-Key accepted (the draft standard's keys are UUIDs; 255 leaves room for others).
MAX_IDEMPOTENCY_KEY = 255


@contextlib.contextmanager
def _reachable() -> Iterator[None]:
    """Turn a lost connection to the queue into a 503 with Retry-After."""
    try:
        yield
    except (RedisError, OSError) as error:
        logger.warning("job queue unreachable: %s", error)
        raise ProblemError(503, "queue-unavailable", "The job queue cannot be reached just now; retry shortly.",
                           headers={"Retry-After": "5"}) from None


class JobsService:
    """Jobs on one back end, admitted by one `JobAdmission`."""

    def __init__(self, backend: JobBackend, planning: PlanningService) -> None:
        self.backend = backend
        self.planning = planning
        self.admission = JobAdmission(planning.settings, planning.admission)

    async def submit(self, owner: str, body: object, key: str | None) -> Submitted:
        """Check the submission as its kind's endpoint would, admit it, queue it (or find its key's earlier job)."""
        submission = _submission(body)
        key = _checked_key(key)
        request = submission.request
        print_ = fingerprint(submission.kind.value, request)
        if key is not None:
            with _reachable():
                earlier = await self._earlier(owner, key, print_)
            if earlier is not None:
                return earlier
        prepared = await prepare_job(submission.kind, request, self.planning)
        job = NewJob(new_job_id(), owner, submission.kind, prepared.payload, print_, key)
        with _reachable():
            await self.admission.admit(self.backend, owner, submission.kind, prepared)
            try:
                return await self.backend.submit(job, self.admission.queue_max)
            except QueueFullError:
                raise self.admission.queue_full() from None
            except IdempotencyConflictError as conflict:
                _key_reused(conflict.job_id)

    async def _earlier(self, owner: str, key: str, print_: str) -> Submitted | None:
        """A key seen before: its job when the body is the same (no new checks, no admission), else a 422."""
        earlier = await self.backend.earlier(owner, key)
        if earlier is None:
            return None
        job_id, earlier_print = earlier
        if earlier_print != print_:
            _key_reused(job_id)
        record = await self.backend.get(owner, job_id)
        return Submitted(record, created=False) if record is not None else None

    async def get(self, owner: str, job_id: str) -> JobRecord:
        """The owner's job, or 404."""
        with _reachable():
            record = await self.backend.get(owner, job_id)
        if record is None:
            raise _not_found(job_id)
        return record

    async def cancel(self, owner: str, job_id: str) -> JobRecord:
        """Cancel the owner's job; 409 when it had already succeeded or failed."""
        with _reachable():
            record = await self.backend.cancel(owner, job_id)
        if record is None:
            raise _not_found(job_id)
        if record.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            raise ProblemError(409, "job-finished", f"Job {job_id} had already {record.status.value}; it stays so.")
        return record

    async def changes(self, owner: str, job_id: str) -> AsyncIterator[JobRecord]:
        """The job now and after each change, until final (404 before the first when there is no such job)."""
        stream = self.backend.changes(owner, job_id)
        with _reachable():
            first = await anext(stream, None)
        if first is None:
            raise _not_found(job_id)
        return _prepend(first, stream)


async def _prepend(first: JobRecord, rest: AsyncIterator[JobRecord]) -> AsyncIterator[JobRecord]:
    yield first
    async for record in rest:
        yield record


def _submission(body: object) -> JobSubmission:
    """The body as a JobSubmission, or a 422 naming every problem."""
    try:
        return JobSubmission.model_validate(body)
    except ValidationError as error:
        raise invalid_request(problems_of(error, body), "job submission") from None


def _checked_key(key: str | None) -> str | None:
    """The Idempotency-Key header if it is usable (1 to 255 visible ASCII characters), else a 422."""
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY or not all(33 <= ord(char) <= 126 for char in key):
        raise invalid_request([Problem(
            loc=["headers", "Idempotency-Key"], code="invalid_idempotency_key",
            message=f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters (a UUID, say).",
        )], "job submission")
    return key


def _key_reused(job_id: str) -> NoReturn:
    raise ProblemError(422, "idempotency-key-reused", "This Idempotency-Key was used before with another body "
                       f"(job {job_id}); use a new key for a new request.", [Problem(
                           loc=["headers", "Idempotency-Key"], code="idempotency_key_reused",
                           message="The same Idempotency-Key came with a different kind or request.",
                           ids=[job_id])])


def _not_found(job_id: str) -> ProblemError:
    return ProblemError(404, "not-found", f"There is no job {job_id} (it may have expired, or belong to another key).")
