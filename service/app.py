"""The FastAPI application: `create_app(settings)` builds one; `app` is the one `capplan serve` runs.

Middleware, outermost first: request context (id, log, last-resort 500), CORS when configured, JSON bodies
only (415), the body-size cap. Errors are problem+json everywhere (service.problems); slow clients are cut by
the HTTP protocol `capplan serve` runs (service.http_protocol).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api_schemas.imports import ImportRequest
from api_schemas.jobs import JobSubmission
from api_schemas.reports import ReportRequest
from api_schemas.request import PlanRequest
from api_schemas.service import WhatIfRequest
from api_schemas.slots import SlotRequest
from service import routes_docs, routes_health, routes_imports, routes_jobs, routes_plans, routes_reports
from service.admission import KeyLimits
from service.jobs.backend import JobBackend
from service.jobs.execution import Executor
from service.jobs.memory import MemoryJobs
from service.jobs.redis_backend import RedisJobs
from service.jobs.service import JobsService
from service.logs import configure_logging
from service.middleware import BodySizeLimitMiddleware, JsonBodyMiddleware, RequestContextMiddleware
from service.openapi import install_openapi
from service.planning import PlanningService
from service.pool import Backend, ProcessBackend, SolvePool, ThreadBackend
from service.problems import install_problem_handlers
from service.routes_board import install_board
from service.settings import Settings, get_settings
from service.solve_job import SolveFunction, plan_checked

DESCRIPTION = (
    "Plans a backlog onto people and agents with a constraint solver. Errors are RFC 9457 problem "
    "details (`application/problem+json`) listing every problem with its field path and the ids involved."
)


def _backend(settings: Settings, solve: SolveFunction) -> Backend:
    if settings.pool == "thread":
        return ThreadBackend(settings.workers)
    return ProcessBackend(settings.workers, preload=(solve.__module__,))


def _job_backend(settings: Settings, pool: SolvePool, solve: SolveFunction) -> JobBackend:
    """Jobs on Redis when `CAPPLAN_QUEUE_URL` is set (run by `capplan worker`), else in this process."""
    if settings.queue_url is not None:
        return RedisJobs(settings.queue_url, settings.job_ttl_s)
    return MemoryJobs(Executor(pool, solve, settings), runners=settings.workers)


def _needs_key(settings: Settings, path: str) -> bool:
    """Whether a path needs an API key under these settings: /v1 with keys set, and /version unless public."""
    if not settings.api_keys:
        return False
    return path.startswith("/v1/") or (path == "/version" and not settings.public_docs)


def create_app(settings: Settings | None = None, solve: SolveFunction = plan_checked) -> FastAPI:
    """Build the service; tests pass their own settings and, to control timing, their own solve function.

    With the process pool, `solve` must be a module-level function (it is sent to worker processes).
    """
    settings = settings or get_settings()
    pool = SolvePool(_backend(settings, solve), settings.workers, settings.queue_depth)
    jobs = _job_backend(settings, pool, solve)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        await pool.start()
        try:
            await jobs.start()
            try:
                yield
            finally:
                await jobs.stop()
        finally:
            await pool.stop()

    app = FastAPI(
        title="capplan",
        version=routes_health.service_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by routes_docs, which guard them like the API
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.planning = PlanningService(settings, pool, solve)
    app.state.key_limits = KeyLimits.from_settings(settings)
    app.state.jobs = JobsService(jobs, app.state.planning)
    app.include_router(routes_plans.router)
    app.include_router(routes_jobs.router)
    app.include_router(routes_imports.router)
    app.include_router(routes_reports.router)
    app.include_router(routes_health.router)
    app.include_router(routes_docs.router)
    install_board(app)
    install_problem_handlers(app)
    install_openapi(
        app,
        [PlanRequest, WhatIfRequest, ImportRequest, ReportRequest, SlotRequest, JobSubmission],
        secured=lambda path: _needs_key(settings, path),
    )
    routes_docs.mount_docs_assets(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(JsonBodyMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID", "Idempotency-Key", "Last-Event-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Location", "Idempotent-Replayed"],
        )
    app.add_middleware(RequestContextMiddleware)
    return app


app = create_app()
