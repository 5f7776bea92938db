"""`POST /v1/imports/{source}`: a backlog file (Jira, Linear, gh, CSV, Excel) inside JSON, read by the importers."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from api_schemas.imports import IMPORT_EXAMPLE, ImportRequest, ImportResponse, ImportSource
from service.auth import api_key_within_limits
from service.importing import import_backlog_file
from service.json_body import read_json_body
from service.offload import off_loop
from service.openapi import problem_responses, request_body
from service.problems import invalid_request, problems_of
from service.routes_plans import json_response

router = APIRouter(prefix="/v1/imports", tags=["imports"], dependencies=[Depends(api_key_within_limits)])


def _read(source: ImportSource, data: object) -> ImportResponse:
    """Parse the body and import its file (CPU-bound: run off the event loop)."""
    try:
        body = ImportRequest.model_validate(data)
    except ValidationError as error:
        raise invalid_request(problems_of(error, data), "import request") from None
    return import_backlog_file(source, body)


@router.post(
    "/{source}",
    summary="Import a backlog file",
    response_model=ImportResponse,
    openapi_extra=request_body(ImportRequest, IMPORT_EXAMPLE, "A two-issue CSV backlog"),
    responses=problem_responses(
        400, 401, 413, 415, 422,
        meanings={422: "The file cannot be read: every problem listed in `errors`, naming its row and column "
                  "(CSV, Excel) or item and field (gh's JSON)."},
    ),
)
async def import_file(source: ImportSource, request: Request) -> Response:
    """Turn a backlog file into a plan request, read by its source's preset (changed by `mapping`).

    Sources: `jira`, `linear`, `github` (gh's JSON), `github-project`, `csv`, `excel` (base64 content).
    """
    data = await read_json_body(request)
    return json_response(await off_loop(_read, source, data))
