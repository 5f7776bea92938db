"""Talking to a running capplan service with httpx: plan, what-if and validate over HTTP.

`call_service` is the client; `post` is the command line's use of it: a 422 answer becomes the same
problems a local run reports (exit 1), any other failure is exit 3. A busy service (503) or an API key over
its limits (429) is asked again after the wait its `Retry-After` gives, a bounded number of times with a
bounded wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from api_schemas.problems import Problem
from api_schemas.service import ProblemDetails
from service.commands.terminal import fail_invalid, fail_service, say

Answer = TypeVar("Answer", bound=BaseModel)

#: Seconds allowed on top of the solve's own time limit for the service to answer.
_SLACK_S = 60.0
#: Answers that ask the client to come back later: 429 (this API key is over its limits) and 503 (busy), with
#: what the command line says of each.
_ASK_AGAIN = {429: "this API key has too many requests in progress or this minute (429)",
              503: "the service is busy (503)"}
#: Requests made to a service that answers 429 or 503 before giving up, the wait when it names none, and the
#: longest wait honoured (a Retry-After of an hour is read as this): at most 3 waits of 30 s, 90 s in all.
BUSY_ATTEMPTS = 4
DEFAULT_RETRY_S = 1.0
MAX_RETRY_S = 30.0


class ServiceError(Exception):
    """The service was not reached, refused the request, or answered with something unexpected.

    `problems` lists the request's problems when the service refused it with them (a 422), else it is empty.
    """

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def _refusal(response: httpx.Response) -> ServiceError:
    """The error for an answer other than 200, with the problems of a 422."""
    try:
        details = ProblemDetails.model_validate_json(response.content)
    except ValidationError:
        return ServiceError(f"the service answered {response.status_code} {response.reason_phrase}.")
    if response.status_code == 422 and details.errors:
        return ServiceError(details.detail, details.errors)
    return ServiceError(f"the service answered {response.status_code}: {details.detail}")


def retry_after_s(response: httpx.Response) -> float:
    """Seconds a 429 or 503 asks the client to wait (`Retry-After` in seconds or as an HTTP date), within the bounds."""
    text = response.headers.get("Retry-After", "").strip()
    wait = DEFAULT_RETRY_S
    if text.isdigit():
        wait = float(text)
    elif text:
        try:
            wait = (parsedate_to_datetime(text) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            wait = DEFAULT_RETRY_S
    return min(max(wait, 0.0), MAX_RETRY_S)


def call_service(
    server: str, path: str, body: dict[str, Any], answer: type[Answer], time_limit_s: float,
    api_key: str | None = None, sleep: Callable[[float], None] = time.sleep,
) -> Answer:
    """POST `body` to `server` + `path` and parse the answer as `answer`; raise `ServiceError` when that fails.

    A 429 or 503 is tried again after its `Retry-After` (`BUSY_ATTEMPTS` requests in all), saying so on stderr.
    """
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = server.rstrip("/") + path
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            response = httpx.post(url, json=body, headers=headers, timeout=time_limit_s + _SLACK_S)
        except httpx.HTTPError as error:
            raise ServiceError(f"cannot reach the service at {url}: {error}") from None
        if response.status_code not in _ASK_AGAIN or attempt == BUSY_ATTEMPTS:
            break
        wait = retry_after_s(response)
        say(f"capplan: {_ASK_AGAIN[response.status_code]}; asking again in {wait:g} s (attempt {attempt + 1} of "
            f"{BUSY_ATTEMPTS}).")
        sleep(wait)
    if response.status_code != 200:
        raise _refusal(response)
    try:
        return answer.model_validate_json(response.content)
    except ValidationError:
        raise ServiceError(f"the service at {url} answered with something that is not a {answer.__name__}.") from None


def post(
    server: str, path: str, body: dict[str, Any], answer: type[Answer], what: str, time_limit_s: float,
    api_key: str | None = None,
) -> Answer:
    """`call_service`, or exit with the service's problems (1) or its failure (3)."""
    try:
        return call_service(server, path, body, answer, time_limit_s, api_key)
    except ServiceError as error:
        if error.problems:
            fail_invalid(error.problems, what)
        fail_service(str(error))
