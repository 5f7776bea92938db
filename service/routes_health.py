"""Health, readiness and version endpoints: open without an API key, cheap, never queued behind solves."""

from __future__ import annotations

import logging
import platform
from datetime import date
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Request, Response

from api_schemas.request import Issue, Owner, PlanRequest, SolverOptions
from api_schemas.result import SolveStatus
from api_schemas.service import Health, Readiness, VersionInfo
from service.openapi import problem_responses
from service.planning import PlanningService
from service.problems import ProblemError
from service.routes_plans import json_response

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])

#: The API version in the URL prefix.
API_VERSION = "v1"

#: Solved by /readyz: one owner, one issue, one hour of work; valid under any settings (its time limit is capped like
#: any request's), so it is planned without a check.
READINESS_REQUEST = PlanRequest(
    start_date=date(2025, 1, 6),
    owners=[Owner(id="readiness-owner")],
    issues=[Issue(id="readiness-issue", estimate_hours=1)],
    options=SolverOptions(time_limit_s=2, seed=0),
)


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
    summary="Readiness: solves a tiny plan",
    responses=problem_responses(503, meanings={503: "Not ready: the pool is full (`service-busy`) or the solver "
                                               "failed (`solver-unavailable`, `solver-crashed`)."}),
)
async def readyz(request: Request) -> Response:
    """Solve a one-issue plan; 503 when the pool is full or the solver fails."""
    planning: PlanningService = request.app.state.planning
    tiny = planning.effective(READINESS_REQUEST)
    try:
        result = await planning.plan(tiny)
    except ProblemError:
        raise
    except Exception:
        logger.exception("readiness solve failed")
        raise ProblemError(503, "solver-unavailable", "The solver failed to plan a one-issue request.") from None
    if result.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        raise ProblemError(503, "solver-unavailable", f"The readiness plan came back {result.status.value}.")
    return json_response(Readiness(solve_status=result.status, solve_time_s=result.solve_time_s))


@router.get("/version", response_model=VersionInfo, summary="Versions", responses=problem_responses())
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
