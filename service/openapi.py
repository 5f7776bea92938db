"""OpenAPI documentation of bodies the handlers parse themselves (to control every error they give).

Request models are published under `components/schemas` with their examples; each operation refers to
them with `request_body(...)`, and `problem_responses(...)` documents its problem+json answers.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from api_schemas.service import ProblemDetails
from service.problems import PROBLEM_MEDIA_TYPE

_REF = "#/components/schemas/{model}"

#: What each error status means for this API, shown in the docs.
_ERROR_MEANINGS = {
    400: "Malformed JSON (syntax, nesting, numbers, unicode).",
    401: "Missing or wrong API key (only when keys are configured).",
    413: "Body larger than the configured maximum.",
    404: "No such job for this key (never submitted, expired, or another key's).",
    409: "The job is not in a state for this (already finished, or not finished yet, or not a plan job).",
    415: "Body not sent as application/json.",
    422: "Invalid request: every problem listed in `errors`, with field paths and ids.",
    500: "A server fault (`internal-error`), or a plan the independent checker rejected (`plan-check-failed`): "
    "logged; the answer names only the request or incident id.",
    503: "All solver workers busy and the queue full (`service-busy`), or the solver process died twice on this "
    "request (`solver-crashed`); retry after `Retry-After` seconds.",
}

#: The `Retry-After` header of a 503 answer.
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


def problem_responses(*statuses: int, meanings: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """`responses` documenting the problem+json answers an operation can give (500 always among them).

    `meanings` replaces the usual description of a status for this operation.
    """
    described = {**_ERROR_MEANINGS, **(meanings or {})}
    return {
        status: {
            "description": described[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _REF.format(model=ProblemDetails.__name__)}}},
            **({"headers": _RETRY_AFTER} if status == 503 else {}),
        }
        for status in sorted({*statuses, 500})
    }


def install_openapi(app: FastAPI, request_models: list[type[BaseModel]]) -> None:
    """Generate the OpenAPI document with the request models (and problem details) added to its components."""

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
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
