"""OpenAPI documentation of bodies the handlers parse themselves (to control every error they give).

Request models are published under `components/schemas` with their examples; each operation refers to
them with `request_body(...)`, and `problem_responses(...)` documents its problem+json answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from api_schemas.service import ProblemDetails
from service.problems import PROBLEM_MEDIA_TYPE

_REF = "#/components/schemas/{model}"

#: The OpenAPI security scheme the bearer keys are published under.
SECURITY_SCHEME = "bearerAuth"
_BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "One of the keys in CAPPLAN_API_KEYS, as 'Authorization: Bearer <key>'. Needed only when the "
    "server has keys configured; then every /v1 call needs one, and /version, /docs and /openapi.json too "
    "unless CAPPLAN_PUBLIC_DOCS is set.",
}

#: What each error status means for this API, shown in the docs.
_ERROR_MEANINGS = {
    400: "Malformed JSON (syntax, nesting, numbers, unicode), or a request that is not valid HTTP (`bad-request`).",
    401: "Missing or wrong API key (only when keys are configured).",
    408: "The body did not arrive within CAPPLAN_BODY_TIMEOUT_S; the connection is closed.",
    404: "No such job for this key (never submitted, expired, or another key's).",
    409: "The job is not in a state for this (already finished, or not finished yet, or not a plan job).",
    413: "Body larger than the configured maximum.",
    415: "Body not sent as `Content-Type: application/json` (a missing Content-Type included).",
    422: "Invalid request: every problem listed in `errors`, with field paths and ids (duplicate JSON keys, "
    "a request over one request's share of the solver pool).",
    429: "This API key has too many requests in progress or sent too many this minute; retry after `Retry-After`.",
    500: "A server fault (`internal-error`), or a plan the independent checker rejected (`plan-check-failed`): "
    "logged; the answer names only the request or incident id.",
    503: "All solver workers busy and the queue full (`service-busy`), or the solver process died twice on this "
    "request (`solver-crashed`); retry after `Retry-After` seconds.",
}

#: The problem types each error status can carry (`type` is `/problems/<one of these>`); docs/service.md lists them.
PROBLEM_TYPES: dict[int, tuple[str, ...]] = {
    400: ("malformed-json", "bad-request"),
    401: ("unauthorized",),
    404: ("not-found",),
    408: ("request-timeout",),
    409: ("job-finished", "job-not-finished", "not-a-plan"),
    413: ("payload-too-large",),
    415: ("unsupported-media-type",),
    422: ("invalid-request",),
    429: ("too-many-requests",),
    500: ("internal-error", "plan-check-failed"),
    503: ("service-busy", "solver-crashed"),
}

#: The `Retry-After` header of a 429 or 503 answer.
_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer", "minimum": 1}}
}


def request_body(model: type[BaseModel], example: dict[str, Any], summary: str) -> dict[str, Any]:
    """`openapi_extra` of an operation whose JSON body is `model`."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": _REF.format(model=model.__name__)},
                    "examples": {"example": {"summary": summary, "value": example}},
                }
            },
        }
    }


def problem_responses(
    *statuses: int,
    meanings: dict[int, str] | None = None,
    types: dict[int, tuple[str, ...]] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """`responses` documenting the problem+json answers an operation can give (500 always among them).

    Each answer's schema names the problem types it can carry; `meanings` and `types` replace the usual
    description and types of a status for this operation.
    """
    described = {**_ERROR_MEANINGS, **(meanings or {})}
    kinds = {**PROBLEM_TYPES, **(types or {})}
    return {
        status: {
            "description": described[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": _problem_schema(kinds[status])}},
            **({"headers": _RETRY_AFTER} if status in (429, 503) else {}),
        }
        for status in sorted({*statuses, 500})
    }


def _problem_schema(kinds: tuple[str, ...]) -> dict[str, Any]:
    """Problem details whose `type` is one of `kinds`."""
    return {
        "allOf": [
            {"$ref": _REF.format(model=ProblemDetails.__name__)},
            {"type": "object", "properties": {"type": {"type": "string", "enum": [f"/problems/{k}" for k in kinds]}}},
        ]
    }


def install_openapi(
    app: FastAPI, request_models: list[type[BaseModel]], secured: Callable[[str], bool] = lambda path: False
) -> None:
    """Generate the OpenAPI document with the request models (and problem details) added to its components.

    The bearer keys are declared as the `bearerAuth` security scheme; operations whose path `secured` accepts
    (those that need a key under the app's settings) require it.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        models: list[type[BaseModel]] = [*request_models, ProblemDetails]
        inputs: list[tuple[type[BaseModel], JsonSchemaMode]] = [(model, "validation") for model in models]
        _, definitions = models_json_schema(inputs, ref_template=_REF)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in definitions.get("$defs", {}).items():
            schemas.setdefault(name, schema)
        document["components"]["securitySchemes"] = {SECURITY_SCHEME: _BEARER}
        for path, operations in document.get("paths", {}).items():
            if secured(path):
                for operation in operations.values():
                    operation["security"] = [{SECURITY_SCHEME: []}]
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
