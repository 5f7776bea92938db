"""Jobs: plans, forecasts, what-ifs, slot searches or validations run in the background, polled, or cancelled.

A job's result has the same schema as the synchronous endpoint of its kind; a failed job carries the
problem+json body that endpoint would have answered.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from api_schemas.result import PlanResult
from api_schemas.service import ProblemDetails, ValidateResponse, WhatIfResponse
from api_schemas.slots import SlotResponse


class _Model(BaseModel):
    """Strict base: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class JobKind(StrEnum):
    """What a job runs, named after the synchronous endpoint whose body it takes and whose answer it gives."""

    PLAN = "plan"  # POST /v1/plans
    FORECAST = "forecast"  # POST /v1/plans/forecast
    WHAT_IF = "what-if"  # POST /v1/plans/what-if
    SLOTS = "slots"  # POST /v1/plans/slots
    VALIDATE = "validate"  # POST /v1/plans/validate

    @property
    def gives_plan(self) -> bool:
        """Kinds whose answer is one plan (a PlanResult), so the job also has that plan's calendar."""
        return self in (JobKind.PLAN, JobKind.FORECAST)


class JobStatus(StrEnum):
    """Where a job is: queued and running change; succeeded, failed and cancelled are final."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        """True once the job will not change any more."""
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobSubmission(_Model):
    """The body of POST /v1/jobs."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "validate", "request": {"start_date": "2025-11-24", "owners": [], "issues": []}},
    ]})

    kind: JobKind = Field(description="'plan', 'forecast', 'what-if', 'slots' or 'validate'.")
    request: JsonValue = Field(description="The body the synchronous endpoint of this kind takes.")


class JobProgress(_Model):
    """How far a running job has come; a plan job also shows the level it improves and its best plan so far."""

    elapsed_s: float = Field(ge=0, description="Seconds since the job started running.")
    solves_total: int = Field(ge=0, description="Solves the job runs (a what-if: the base and each scenario).")
    solves_done: int = Field(ge=0, description="Solves finished.")
    level: str | None = Field(default=None, description="The objective level being improved (plan jobs).")
    levels_total: int | None = Field(default=None, ge=0, description="Levels of the objective.")
    levels_proven: int = Field(default=0, ge=0, description="Levels proven optimal so far.")
    value: int | None = Field(default=None, description="The improving level's value in the best plan so far.")
    bound: int | None = Field(default=None, description="The best lower bound known for that level.")
    gap: float | None = Field(
        default=None, ge=0, description="(value - bound) / max(|value|, 1) of that level; 0 when proven."
    )
    best_plan: PlanResult | None = Field(
        default=None, description="The best plan so far (checked by the independent checker), as it improves."
    )


class Job(_Model):
    """A job as GET /v1/jobs/{id} shows it."""

    id: str = Field(description="The job's id; its URL is /v1/jobs/{id}.")
    kind: JobKind
    status: JobStatus
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    expires_at: datetime | None = Field(
        default=None, description="When a finished job and its result are deleted (CAPPLAN_JOB_TTL_S after it ended)."
    )
    attempts: int = Field(default=0, ge=0, description="Times a worker started this job (more after a worker died).")
    progress: JobProgress | None = None
    result: PlanResult | WhatIfResponse | SlotResponse | ValidateResponse | None = Field(
        default=None, description="When succeeded: the answer of the synchronous endpoint of this kind."
    )
    error: ProblemDetails | None = Field(default=None, description="When failed: why, as problem+json.")
    calendar_url: str | None = Field(
        default=None,
        description="Plan and forecast jobs: the path of the plan as iCalendar, for a calendar app to subscribe to "
        "(it answers once the job has succeeded). With API keys on it carries a `token` that reads this one "
        "calendar and nothing else, so no Authorization header is needed; it stops working with the key that "
        "submitted the job.",
    )
