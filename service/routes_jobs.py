"""The `/v1/jobs` resource: submit, read, follow (server-sent events), cancel, and a plan job's calendar."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from api_schemas.jobs import Job, JobStatus, JobSubmission
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.admission import KeyLimits
from service.auth import api_key_within_limits, key_owner, owner_of_key, require_api_key
from service.calendar_links import calendar_path, key_of_calendar_token
from service.jobs.record import JobRecord
from service.jobs.service import JobsService
from service.json_body import read_json_body
from service.offload import off_loop
from service.openapi import problem_responses, request_body
from service.problems import ProblemError
from service.report.ics import plan_ics
from service.report.plan_view import PlanView

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])
#: Submitting, reading and cancelling count against the key's rate and concurrency (as every /v1 call); an event
#: stream is one long request, so it is authenticated but holds no concurrency slot while it lasts.
LIMITED = [Depends(api_key_within_limits)]
STREAM = [Depends(require_api_key)]

#: Seconds between keep-alive comments on a quiet event stream (proxies close idle connections).
KEEP_ALIVE_S = 15.0
#: How the read routes document a queue they cannot reach (Redis down).
UNREACHABLE_MEANING = {503: "The job queue cannot be reached (`queue-unavailable`); retry after `Retry-After`."}
UNREACHABLE_TYPES: dict[int, tuple[str, ...]] = {503: ("queue-unavailable",)}
#: A job submission's example (the OpenAPI document): validate a request in the background.
SUBMISSION_EXAMPLE = {"kind": "validate", "request": {"start_date": "2025-11-24"}}


def _jobs(request: Request) -> JobsService:
    service: JobsService = request.app.state.jobs
    return service


Jobs = Annotated[JobsService, Depends(_jobs)]
Owner = Annotated[str, Depends(key_owner)]
Key = Annotated[str | None, Depends(require_api_key)]


def _public(record: JobRecord, key: str | None) -> str:
    """The job as JSON, with its calendar's subscription path when it is a plan job (`key`: the caller's key)."""
    job = record.public()
    if record.kind.gives_plan:
        job.calendar_url = calendar_path(record.id, key)
    return job.model_dump_json(exclude_none=True)


def _job_response(
    record: JobRecord, key: str | None, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(content=_public(record, key), status_code=status, media_type="application/json", headers=headers)


@router.post(
    "",
    summary="Submit a job (plan, what-if or validate)",
    status_code=202,
    response_model=Job,
    dependencies=LIMITED,
    openapi_extra=request_body(JobSubmission, SUBMISSION_EXAMPLE, "Validate a request in the background"),
    responses=problem_responses(
        400, 401, 408, 413, 415, 422, 429, 503,
        meanings={503: "The job queue is full (`queue-full`) or unreachable (`queue-unavailable`); retry after "
                  "`Retry-After`."},
        types={422: ("invalid-request", "idempotency-key-reused"), 503: ("queue-full", "queue-unavailable")},
    ),
)
async def submit_job(
    request: Request,
    jobs: Jobs,
    owner: Owner,
    key: Key,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    """Queue the job and answer 202 with its URL in `Location`; the same Idempotency-Key and body give the same job."""
    body = await read_json_body(request)
    submitted = await jobs.submit(owner, body, idempotency_key)
    location = f"/v1/jobs/{submitted.record.id}"
    headers = {"Location": location}
    if not submitted.created:
        headers["Idempotent-Replayed"] = "true"
    return _job_response(submitted.record, key, 202, headers)


@router.get("/{job_id}", summary="A job: status, progress, result", response_model=Job, dependencies=LIMITED,
            responses=problem_responses(401, 404, 429, 503, meanings=UNREACHABLE_MEANING, types=UNREACHABLE_TYPES))
async def get_job(job_id: str, jobs: Jobs, owner: Owner, key: Key) -> Response:
    """The job's status, its progress while it runs, and its result (or problem) once finished."""
    return _job_response(await jobs.get(owner, job_id), key)


@router.delete("/{job_id}", summary="Cancel a job", response_model=Job, dependencies=LIMITED,
               responses=problem_responses(401, 404, 409, 429, 503, meanings=UNREACHABLE_MEANING,
                                           types=UNREACHABLE_TYPES))
async def cancel_job(job_id: str, jobs: Jobs, owner: Owner, key: Key) -> Response:
    """Cancel a queued or running job (its solver stops within a second); 409 if it had already finished."""
    return _job_response(await jobs.cancel(owner, job_id), key)


@router.get(
    "/{job_id}/events",
    summary="Follow a job as server-sent events",
    response_class=StreamingResponse,
    dependencies=STREAM,
    responses={200: {"content": {"text/event-stream": {}}, "description": "`progress` events, then one `final`."},
               **problem_responses(401, 404, 503, meanings=UNREACHABLE_MEANING, types=UNREACHABLE_TYPES)},
)
async def job_events(job_id: str, jobs: Jobs, owner: Owner, key: Key) -> StreamingResponse:
    """`event: progress` with the job on every change, then `event: final` with the finished job; then it closes."""
    changes = await jobs.changes(owner, job_id)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(_events(changes, key), media_type="text/event-stream", headers=headers)


async def _events(changes: AsyncIterator[JobRecord], key: str | None) -> AsyncIterator[bytes]:
    """Each change as one SSE event (id: the job's version); a comment line when nothing happens for a while."""
    iterator = aiter(changes)
    pending: asyncio.Task[JobRecord] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({pending}, timeout=KEEP_ALIVE_S)
            if not done:
                yield b": keep-alive\n\n"
                continue
            try:
                record = pending.result()
            except StopAsyncIteration:
                return
            pending = None
            yield event_bytes(record, key)
            if record.status.final:
                return
    finally:
        if pending is not None:
            pending.cancel()


def event_bytes(record: JobRecord, key: str | None) -> bytes:
    """One server-sent event of a job."""
    name = "final" if record.status.final else "progress"
    data = _public(record, key)
    return f"event: {name}\nid: {record.version}\ndata: {data}\n\n".encode()


async def calendar_reader(
    request: Request,
    job_id: str,
    token: Annotated[str | None, Query(description="The job's `calendar_url` token, for calendar apps that cannot "
                                       "send an Authorization header (API keys on).")] = None,
) -> AsyncIterator[str]:
    """The owner whose calendar is read: by the `token` of the job's calendar link, else as every /v1 call."""
    keys = request.app.state.settings.api_keys
    if token is None or not keys:
        key = require_api_key(request)
    else:
        key = key_of_calendar_token(keys, job_id, token)
        if key is None:
            raise ProblemError(401, "unauthorized", "This calendar link's token is not valid (the key that made it "
                               "may have been removed); ask for the job again for a fresh link, or send "
                               "'Authorization: Bearer <key>'.", headers={"WWW-Authenticate": 'Bearer realm="capplan"'})
    if key is None:
        yield ""
        return
    limits: KeyLimits = request.app.state.key_limits
    with limits.hold(key):
        yield owner_of_key(key)


@router.get(
    "/{job_id}/plan.ics",
    summary="A finished plan job's plan as a calendar",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "One event per slot (RFC 5545)."},
               **problem_responses(401, 404, 409, 429, 503, meanings=UNREACHABLE_MEANING, types=UNREACHABLE_TYPES)},
)
async def job_calendar(job_id: str, jobs: Jobs, owner: Annotated[str, Depends(calendar_reader)]) -> Response:
    """The plan of a succeeded plan job as iCalendar, for calendars to subscribe to; 409 until it has one.

    Readable with the job's `calendar_url` token instead of an Authorization header.
    """
    record = await jobs.get(owner, job_id)
    if not record.kind.gives_plan:
        raise ProblemError(409, "not-a-plan", f"Job {job_id} is a {record.kind.value} job; only plan and "
                           "forecast jobs have a calendar.")
    if record.status != JobStatus.SUCCEEDED or record.result is None or record.request is None:
        raise ProblemError(409, "job-not-finished", f"Job {job_id} is {record.status.value}; its calendar exists "
                           "once it has succeeded.", headers={"Retry-After": "5"} if not record.status.final else {})
    body = await off_loop(_calendar, record.request, record.result)
    return Response(content=body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="capplan-{job_id}.ics"'})


def _calendar(request_json: str, result_json: str) -> bytes:
    view = PlanView(PlanRequest.model_validate_json(request_json), PlanResult.model_validate_json(result_json))
    return plan_ics(view)
