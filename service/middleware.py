"""Pure ASGI middleware: request ids, request logs, the last-resort error answer, JSON bodies only, the body-size cap.

Written against ASGI directly (not Starlette's BaseHTTPMiddleware) so the request's `receive`
channel reaches the handlers untouched: they use it to notice a client that went away.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http_protocol import CUT_BY_DEADLINE
from service.json_body import media_type_refusal
from service.problems import PROBLEM_MEDIA_TYPE, problem_body

access_log = logging.getLogger("service.access")
error_log = logging.getLogger("service.errors")

#: A client-sent request id is kept when it looks like an id (so it cannot forge log lines or headers).
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@=+/-]{1,128}$")


class ClientGoneError(Exception):
    """The client disconnected before its answer was ready; there is nobody to answer."""


async def send_problem(scope: Scope, send: Send, status: int, kind: str, detail: str, headers: dict[str, str]) -> None:
    """Answer with a problem+json response straight from middleware."""
    body = problem_body(scope, status, kind, detail)
    raw_headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    raw_headers += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


def _request_id(scope: Scope) -> str:
    """The client's X-Request-ID when sane, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = bytes(value).decode("latin-1")
            if _SANE_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Give each request an id (echoed as X-Request-ID), log it as one structured record, never leak a trace.

    An exception that escapes the app is logged with its traceback and answered with a generic 500
    problem naming only the request id: the client learns nothing of the server's internals.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 0
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
            await send(message)

        outcome = "answered"
        try:
            await self.app(scope, receive, send_with_id)
        except (ClientGoneError, ClientDisconnect):
            outcome, status = "client_disconnected", 499
            if scope["state"].get(CUT_BY_DEADLINE):
                outcome, status = "body_timeout", 408
        except Exception:
            outcome = "unhandled_error"
            error_log.exception("unhandled error", extra={"request_id": request_id, "path": scope.get("path")})
            if not status:
                await send_problem(
                    scope, send_with_id, 500, "internal-error",
                    f"The server failed to answer; quote request id {request_id} when reporting it.", {},
                )
        finally:
            access_log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "outcome": outcome,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": (scope.get("client") or [None])[0],
                },
            )


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header, or None."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def has_body(scope: Scope) -> bool:
    """Whether the request announces a body: a non-zero Content-Length, or a Transfer-Encoding."""
    length = _header(scope, b"content-length")
    return (length is not None and length.strip() != "0") or _header(scope, b"transfer-encoding") is not None


class JsonBodyMiddleware:
    """Refuse with 415 every request whose body is not declared `application/json` (the rule: `json_body`).

    Applied to every path, so no endpoint can be reached by a cross-site form or a plain-text `fetch`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] == "http" and has_body(scope):
            refusal = media_type_refusal(_header(scope, b"content-type"))
            if refusal is not None:
                await send_problem(scope, send, refusal.status, refusal.kind, refusal.detail, {"connection": "close"})
                return
        await self.app(scope, receive, send)


class _BodyTooLargeError(Exception):
    """The streamed body grew past the cap."""


class BodySizeLimitMiddleware:
    """Refuse bodies over `max_bytes` with 413: by Content-Length up front, and by counting what streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await send_problem(
            scope, send, 413, "payload-too-large",
            f"The request body is larger than this service accepts ({self.max_bytes} bytes).",
            {"connection": "close"},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                declared = value.decode("latin-1").strip()
                if not declared.isdigit():
                    await send_problem(scope, send, 400, "malformed-json", "The Content-Length header is not a number.",
                                       {"connection": "close"})
                    return
                if int(declared) > self.max_bytes:
                    await self._too_large(scope, send)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLargeError:
            if started:
                raise
            await self._too_large(scope, send)
