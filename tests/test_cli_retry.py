"""The command line's HTTP client asks again after a 503 (busy) or 429 (key over its limits) and its Retry-After,
a bounded number of times.

A real HTTP server on a loopback port answers; only the waiting is recorded instead of slept.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from api_schemas.service import ValidateResponse
from service.commands.remote import BUSY_ATTEMPTS, MAX_RETRY_S, ServiceError, call_service

BUSY = {"type": "/problems/service-busy", "title": "Service busy", "status": 503, "detail": "Workers are busy."}
LIMITED = {"type": "/problems/too-many-requests", "title": "Too many requests", "status": 429,
           "detail": "This API key has 4 requests in progress."}


class _Answers:
    """What the server answers, in order: (status, Retry-After header or None)."""

    def __init__(self) -> None:
        self.queue: list[tuple[int, str | None]] = []
        self.requests = 0


@pytest.fixture
def service() -> Iterator[tuple[str, _Answers]]:
    answers = _Answers()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            answers.requests += 1
            status, retry_after = answers.queue.pop(0) if answers.queue else (200, None)
            body = json.dumps({503: BUSY, 429: LIMITED}.get(status, {"valid": True})).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if status == 200 else "application/problem+json")
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", answers
    server.shutdown()
    thread.join()


def test_a_busy_service_is_asked_again_after_its_retry_after(
    service: tuple[str, _Answers], capsys: pytest.CaptureFixture[str]
) -> None:
    url, answers = service
    later = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    answers.queue = [(503, "2"), (503, later), (503, None)]
    waits: list[float] = []
    answer = call_service(url, "/v1/plans/validate", {}, ValidateResponse, 1, sleep=waits.append)
    assert answer.valid and answers.requests == 4
    assert waits == [2, MAX_RETRY_S, 1]  # its seconds; an HTTP date two hours away, capped; none given: 1 s
    assert "the service is busy (503); asking again in 2 s (attempt 2 of 4)" in capsys.readouterr().err


def test_the_retries_are_bounded(service: tuple[str, _Answers]) -> None:
    url, answers = service
    answers.queue = [(503, "0")] * (BUSY_ATTEMPTS + 2)
    waits: list[float] = []
    with pytest.raises(ServiceError) as caught:
        call_service(url, "/v1/plans/validate", {}, ValidateResponse, 1, sleep=waits.append)
    assert answers.requests == BUSY_ATTEMPTS and len(waits) == BUSY_ATTEMPTS - 1
    assert "503: Workers are busy." in str(caught.value)


def test_a_key_over_its_limits_is_asked_again_then_refused(
    service: tuple[str, _Answers], capsys: pytest.CaptureFixture[str]
) -> None:
    url, answers = service
    answers.queue = [(429, "3")]
    waits: list[float] = []
    assert call_service(url, "/v1/plans/validate", {}, ValidateResponse, 1, sleep=waits.append).valid
    assert waits == [3] and answers.requests == 2
    assert "too many requests in progress or this minute (429); asking again in 3 s" in capsys.readouterr().err
    answers.queue = [(429, "0")] * BUSY_ATTEMPTS
    with pytest.raises(ServiceError) as caught:
        call_service(url, "/v1/plans/validate", {}, ValidateResponse, 1, sleep=waits.append)
    assert "429: This API key has 4 requests in progress." in str(caught.value)
