"""A job as the back ends store it (flat, JSON-friendly fields), and its public view (`api_schemas.jobs.Job`).

Both back ends keep the same fields: the embedded one in memory, the Redis one in a hash per job. Results and
errors stay JSON text until someone reads them, so a worker's answer is stored as it came.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from api_schemas.jobs import Job, JobKind, JobProgress, JobStatus
from api_schemas.result import PlanResult
from api_schemas.service import ProblemDetails, ValidateResponse, WhatIfResponse
from api_schemas.slots import SlotResponse

#: The answer model of each kind: the synchronous endpoint's.
RESULT_MODELS: dict[JobKind, type[BaseModel]] = {
    JobKind.PLAN: PlanResult,
    JobKind.FORECAST: PlanResult,
    JobKind.SLOTS: SlotResponse,
    JobKind.WHAT_IF: WhatIfResponse,
    JobKind.VALIDATE: ValidateResponse,
}


def new_job_id() -> str:
    """A fresh job id: random, unguessable, URL-safe."""
    return uuid.uuid4().hex


def now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def plan_request_json(payload: str) -> str | None:
    """The plan request of a plan job's payload, as JSON text (kept for the job's calendar)."""
    requests = json.loads(payload).get("requests") or [None]
    return json.dumps(requests[0]) if requests[0] is not None else None


def fingerprint(kind: str, request: object) -> str:
    """What makes two submissions 'the same body' for an Idempotency-Key: the kind and the request, key order aside."""
    canonical = json.dumps([kind, request], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class JobRecord:
    """One job's stored state. `version` grows with every change (events are sent when it moves)."""

    id: str
    owner: str
    kind: JobKind
    status: JobStatus
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    expires_at: datetime | None = None
    attempts: int = 0
    progress: dict[str, Any] | None = None
    result: str | None = None
    error: str | None = None
    version: int = 0
    #: The request the job ran (plan jobs keep it for their calendar), as JSON text.
    request: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def public(self) -> Job:
        """The job as GET /v1/jobs/{id} shows it."""
        result = RESULT_MODELS[self.kind].model_validate_json(self.result) if self.result is not None else None
        return Job.model_validate({
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "expires_at": self.expires_at,
            "attempts": self.attempts,
            "progress": JobProgress.model_validate(self.progress) if self.progress is not None else None,
            "result": result,
            "error": ProblemDetails.model_validate_json(self.error) if self.error is not None else None,
        })


@dataclass(frozen=True)
class NewJob:
    """A checked submission on its way into a back end."""

    id: str
    owner: str
    kind: JobKind
    #: What the worker runs (`service.jobs.kinds`), as JSON text.
    payload: str
    fingerprint: str
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Submitted:
    """What a back end did with a submission: the job, and whether it is new or an earlier one (same key, body)."""

    record: JobRecord
    created: bool


class QueueFullError(Exception):
    """The queue holds as many waiting jobs as it may."""


class IdempotencyConflictError(Exception):
    """The Idempotency-Key was used before with another body."""

    def __init__(self, job_id: str) -> None:
        super().__init__(job_id)
        self.job_id = job_id
