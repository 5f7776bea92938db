"""RFC 9457 problem details: the one shape of every error response, and the handlers that produce it.

Handlers never put exception text from the server's side into a response; only messages written for
the client (validation problems, parse errors of the client's own body) reach it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from api_schemas.problems import Problem
from api_schemas.service import ProblemDetails
from solver.intake.validation import problems_from_pydantic
from solver.verification import PlanCheckError

error_log = logging.getLogger("service.incidents")

PROBLEM_MEDIA_TYPE = "application/problem+json"

#: Stable problem types (relative URI references) and their titles; docs/service.md lists them.
PROBLEM_TITLES: dict[str, str] = {
    "bad-request": "Malformed HTTP request",
    "request-timeout": "Request not received in time",
    "malformed-json": "Malformed JSON body",
    "invalid-request": "Invalid request",
    "unsupported-media-type": "Unsupported media type",
    "payload-too-large": "Request body too large",
    "unauthorized": "Missing or wrong API key",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "too-many-requests": "Too many requests for this API key",
    "service-busy": "Service busy",
    "solver-unavailable": "Solver unavailable",
    "solver-crashed": "Solver crashed",
    "internal-error": "Internal server error",
    "plan-check-failed": "Plan failed its independent check",
    "queue-full": "Job queue full",
    "queue-unavailable": "Job queue unavailable",
    "job-not-finished": "Job not finished",
    "job-finished": "Job already finished",
    "not-a-plan": "Job has no plan",
    "idempotency-key-reused": "Idempotency key reused with another body",
    "worker-crashed": "Job's worker stopped too often",
}

#: Problem type of the plain HTTP errors the router raises itself.
_TYPE_OF_STATUS = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large", 415: "unsupported-media-type"}


@dataclass
class ProblemError(Exception):
    """Raised anywhere in a request to answer with a problem+json response."""

    status: int
    kind: str
    detail: str
    errors: Sequence[Problem] = ()
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.detail)


def request_id_of(scope: Scope) -> str | None:
    """The request id the request-context middleware stored in the scope, if any."""
    state = scope.get("state") or {}
    value = state.get("request_id")
    return value if isinstance(value, str) else None


def problem_details(
    status: int,
    kind: str,
    detail: str,
    errors: Sequence[Problem] = (),
    instance: str | None = None,
    request_id: str | None = None,
) -> ProblemDetails:
    """A problem of type `kind`, titled from PROBLEM_TITLES (also a failed job's `error`)."""
    return ProblemDetails(
        type=f"/problems/{kind}",
        title=PROBLEM_TITLES.get(kind, HTTPStatus(status).phrase),
        status=status,
        detail=detail,
        instance=instance,
        request_id=request_id,
        errors=list(errors),
    )


def problem_body(scope: Scope, status: int, kind: str, detail: str, errors: Sequence[Problem] = ()) -> bytes:
    """Serialise a problem for the request in `scope`."""
    details = problem_details(status, kind, detail, errors, scope.get("path"), request_id_of(scope))
    return details.model_dump_json(exclude_none=True).encode()


def problem_response(
    scope: Scope,
    status: int,
    kind: str,
    detail: str,
    errors: Sequence[Problem] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A problem+json response for the request in `scope`."""
    body = problem_body(scope, status, kind, detail, errors)
    return Response(content=body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE)


def invalid_request(problems: Sequence[Problem], what: str = "request") -> ProblemError:
    """The 422 answer to a request with validation problems."""
    count = len(problems)
    detail = f"The {what} has {count} problem{'s' if count != 1 else ''}: {problems[0].message}" if problems else ""
    if count > 1:
        detail += f" (and {count - 1} more, see 'errors')"
    return ProblemError(422, "invalid-request", detail or f"The {what} is invalid.", problems)


def problems_of(error: ValidationError, raw: object, prefix: Sequence[str | int] = ()) -> list[Problem]:
    """Pydantic's errors as problems that name ids, their paths under `prefix`."""
    return [
        problem.model_copy(update={"loc": [*prefix, *problem.loc]}) for problem in problems_from_pydantic(error, raw)
    ]


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(request.scope, exc.status, exc.kind, exc.detail, exc.errors, exc.headers)


async def _on_plan_check_failed(request: Request, exc: Exception) -> Response:
    """A plan the checker rejected is a bug: log it in full under an incident id; the client gets only the id."""
    assert isinstance(exc, PlanCheckError)
    incident = uuid.uuid4().hex
    error_log.error(
        "plan failed its independent check",
        extra={"incident": incident, "request_id": request_id_of(request.scope), "path": request.url.path,
               "violations": exc.violations},
    )
    detail = (f"capplan produced a plan that breaks its own rules, so it was not returned. This is a bug; quote "
              f"incident {incident} when reporting it.")
    return problem_response(request.scope, 500, "plan-check-failed", detail)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    kind = _TYPE_OF_STATUS.get(exc.status_code, "internal-error" if exc.status_code >= 500 else "invalid-request")
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404:
        detail = f"There is no resource at {request.url.path}; see /docs for the API."
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
        return problem_response(request.scope, 405, kind, detail, headers={"Allow": _allowed_methods(request)})
    return problem_response(request.scope, exc.status_code, kind, detail, headers=exc.headers)


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (a path may have one route per method, as /v1/jobs/{id})."""
    methods: set[str] = set()
    for route in _every_route(request.app.router.routes):
        served = getattr(route, "methods", None)
        if served and route.matches(request.scope)[0] != Match.NONE:
            methods |= set(served)
    return ", ".join(sorted(methods))


def _every_route(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Routes and the routes of included routers (FastAPI wraps an included router; its routes keep full paths)."""
    for route in routes:
        yield route
        inner = getattr(route, "routes", None) or getattr(getattr(route, "original_router", None), "routes", None)
        if inner:
            yield from _every_route(inner)


async def _on_request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        Problem(loc=list(error.get("loc", ())), code="invalid_field", message=str(error.get("msg", "invalid")))
        for error in exc.errors()
    ]
    error = invalid_request(problems)
    return problem_response(request.scope, error.status, error.kind, error.detail, error.errors)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error the framework raises with problem+json."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(PlanCheckError, _on_plan_check_failed)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
