"""Talking to a running capplan service with httpx: plan, what-if and validate over HTTP.

A 422 answer becomes the same problems a local run reports (exit 1); anything else that goes wrong
with the service is exit 3.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from api_schemas.service import ProblemDetails
from service.commands.terminal import fail_invalid, fail_service

Answer = TypeVar("Answer", bound=BaseModel)

#: Seconds allowed on top of the solve's own time limit for the service to answer.
_SLACK_S = 60.0


def _fail_from(response: httpx.Response, what: str) -> NoReturn:
    try:
        details = ProblemDetails.model_validate_json(response.content)
    except ValidationError:
        fail_service(f"the service answered {response.status_code} {response.reason_phrase}.")
    if response.status_code == 422 and details.errors:
        fail_invalid(details.errors, what)
    fail_service(f"the service answered {response.status_code}: {details.detail}")


def post(
    server: str, path: str, body: dict[str, Any], answer: type[Answer], what: str, time_limit_s: float,
    api_key: str | None = None,
) -> Answer:
    """POST `body` to `server` + `path` and parse the answer, or exit with the service's problems."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = server.rstrip("/") + path
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=time_limit_s + _SLACK_S)
    except httpx.HTTPError as error:
        fail_service(f"cannot reach the service at {url}: {error}")
    if response.status_code != 200:
        _fail_from(response, what)
    try:
        return answer.model_validate_json(response.content)
    except ValidationError:
        fail_service(f"the service at {url} answered with something that is not a {answer.__name__}.")
