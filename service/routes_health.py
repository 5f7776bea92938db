"""Health, readiness and version endpoints: cheap, never queued behind solves.

/healthz and /readyz are open; /version follows the API-key setting unless CAPPLAN_PUBLIC_DOCS keeps it open.
"""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Depends, Request, Response

from api_schemas.service import Health, Readiness, VersionInfo
from service.auth import require_api_key_unless_public
from service.openapi import problem_responses
from service.planning import PlanningService
from service.problems import ProblemError
from service.routes_plans import json_response

router = APIRouter(tags=["health"])

#: The API version in the URL prefix.
API_VERSION = "v1"


def _installed_version(distribution: str) -> str:
    """The installed version of a distribution ('0+unknown' when it is not installed as a package)."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "0+unknown"


def service_version() -> str:
    """The installed capplan's version."""
    return _installed_version("capplan")


@router.get("/healthz", response_model=Health, summary="Liveness", responses=problem_responses())
async def healthz(request: Request) -> Response:
    """Answer at once (never waits for the solver), with the pool's load."""
    pool = request.app.state.planning.pool
    return json_response(Health(solves_running=pool.running, solves_waiting=pool.waiting))


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Readiness, from the solver pool's state",
    responses=problem_responses(
        503,
        meanings={503: "Not ready: no solver worker is up (`solver-unavailable`), or the pool has no room for "
                  "one more solve at the default time limit (`service-busy`, with `Retry-After`)."},
        types={503: ("service-busy", "solver-unavailable")},
    ),
)
async def readyz(request: Request) -> Response:
    """Ready when solver workers are up and the pool has room for one more default solve; nothing is solved."""
    planning: PlanningService = request.app.state.planning
    pool, admission = planning.pool, planning.admission
    alive = pool.live_workers
    if alive == 0:
        raise ProblemError(503, "solver-unavailable", "No solver worker is up (the service is starting or "
                           "stopping).", headers={"Retry-After": str(admission.retry_after_s)})
    if not admission.has_room(planning.settings.default_time_limit_s):
        raise admission.busy()
    return json_response(
        Readiness(workers=pool.workers, workers_up=alive, solves_running=pool.running,
                  solves_waiting=pool.waiting, work_admitted_s=round(pool.admitted_work_s, 3),
                  work_capacity_s=admission.capacity_s)
    )


@router.get(
    "/version",
    response_model=VersionInfo,
    summary="Versions",
    dependencies=[Depends(require_api_key_unless_public)],
    responses=problem_responses(401, meanings={401: "Missing or wrong API key: with keys configured, unless "
                                               "CAPPLAN_PUBLIC_DOCS keeps /version open."}),
)
async def version_info() -> Response:
    """Versions of capplan, its API, Python and OR-Tools."""
    return json_response(
        VersionInfo(
            name="capplan",
            version=service_version(),
            api_version=API_VERSION,
            python=platform.python_version(),
            ortools=_installed_version("ortools"),
        )
    )
