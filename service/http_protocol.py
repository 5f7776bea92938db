"""The HTTP/1.1 protocol `capplan serve` runs: uvicorn's h11 protocol with deadlines for slow clients.

It also answers problem+json where uvicorn would answer in plain text.

- Headers: a request's line and headers must arrive within `headers_timeout_s` of the connection opening
  (or, on a kept-alive connection, of the request's first byte).
- Body: the whole body must arrive within `body_timeout_s` of the headers.
Past either deadline the client gets a 408 `request-timeout` problem (unless an answer has started) and the
connection is closed, so slow or stalled clients cannot hold connections open. A request that is not valid
HTTP (a bad Content-Length, a malformed header) gets a 400 `bad-request` problem instead of uvicorn's text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, cast

import h11
from starlette.types import Scope
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.problems import PROBLEM_MEDIA_TYPE, problem_body, request_id_of
from service.settings import Settings

logger = logging.getLogger(__name__)

#: Set in a request's scope state when its body deadline passed (the app then sees a disconnect).
CUT_BY_DEADLINE = "cut_by_body_deadline"


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a headers deadline, a body deadline, and problem+json for invalid HTTP."""

    headers_timeout_s: float = Settings.model_fields["headers_timeout_s"].default
    body_timeout_s: float = Settings.model_fields["body_timeout_s"].default

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._phase: str | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the headers deadline as soon as the connection opens (a client that sends nothing is cut too)."""
        super().connection_made(transport)
        self._arm("headers", self.headers_timeout_s, self._headers_late)

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop any deadline with the connection."""
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Start the headers deadline at a new request's first byte; follow the request as h11 reads it."""
        if self._phase is None and self.conn.their_state is h11.IDLE:
            self._arm("headers", self.headers_timeout_s, self._headers_late)
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        """After an answer the keep-alive timeout governs an idle connection; a pipelined request is followed."""
        super().on_response_complete()
        self._follow()

    def _follow(self) -> None:
        """Move the deadline along with the client's side: headers, then body, then none once it is all in."""
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._phase != "body":
                self._arm("body", self.body_timeout_s, self._body_late)
        elif state is not h11.IDLE or self._phase == "body":
            self._disarm()

    def _arm(self, phase: str, seconds: float, callback: Callable[[], None]) -> None:
        self._disarm()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline, self._phase = None, None

    def _headers_late(self) -> None:
        """No complete request line and headers in time: answer 408 and close."""
        self._deadline, self._phase = None, None
        if self.transport.is_closing():
            return
        logger.info("slow client cut", extra={"client": _host(self.client), "phase": "headers"})
        self._close_with_problem({}, 408, "request-timeout",
                                 f"The request line and headers did not arrive within {self.headers_timeout_s:g} s.")

    def _body_late(self) -> None:
        """The body did not arrive in time: answer 408 unless an answer has started, tell the app, and close."""
        self._deadline, self._phase = None, None
        if self.transport.is_closing():
            return
        cycle, scope = self.cycle, cast(Scope, self.scope)
        logger.info("slow client cut", extra={"client": _host(self.client), "phase": "body",
                                              "request_id": request_id_of(scope), "path": scope.get("path")})
        answered = cycle is not None and cycle.response_started
        scope.setdefault("state", {})[CUT_BY_DEADLINE] = True  # the access log says 408, not a client that left
        if cycle is not None:
            cycle.disconnected = True  # the app's next receive() reports a disconnect; what it sends is dropped
            cycle.message_event.set()
        if answered:
            self.transport.close()
            return
        self._close_with_problem(scope, 408, "request-timeout",
                                 f"The request body did not arrive within {self.body_timeout_s:g} s of its headers.")

    def send_400_response(self, msg: str) -> None:
        """A request h11 cannot read as HTTP/1.1: a 400 problem (not uvicorn's plain text), then close."""
        self._disarm()
        self._close_with_problem({}, 400, "bad-request", "The request is not valid HTTP/1.1: its request line, "
                                 "a header or its Content-Length could not be read.")

    def _close_with_problem(self, scope: Scope, status: int, kind: str, detail: str) -> None:
        """Write a problem+json answer straight to the connection (h11 may be in no state to send one) and close."""
        body = problem_body(scope, status, kind, detail)
        head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", f"content-type: {PROBLEM_MEDIA_TYPE}",
                f"content-length: {len(body)}", "connection: close"]
        request_id = request_id_of(scope)
        if request_id is not None:
            head.append(f"x-request-id: {request_id}")
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        self.transport.close()


def _host(client: tuple[str, int] | None) -> str | None:
    return client[0] if client else None


def guarded_protocol(settings: Settings) -> type[GuardedH11Protocol]:
    """The protocol class with the settings' deadlines (uvicorn takes a class, and makes one per connection)."""
    return type(
        "CapplanHTTPProtocol",
        (GuardedH11Protocol,),
        {"headers_timeout_s": settings.headers_timeout_s, "body_timeout_s": settings.body_timeout_s},
    )
