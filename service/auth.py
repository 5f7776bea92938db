"""Bearer-key authentication of the `/v1` API (off when no keys are configured)."""

from __future__ import annotations

import hmac

from fastapi import Request

from service.problems import ProblemError
from service.settings import Settings


def require_api_key(request: Request) -> None:
    """Let the request through when keys are off or it carries `Authorization: Bearer <a configured key>`."""
    settings: Settings = request.app.state.settings
    if not settings.api_keys:
        return
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    key = key.strip()
    # Compare with every key in constant time, so timing reveals nothing about them.
    accepted = [hmac.compare_digest(key.encode(), known.encode()) for known in settings.api_keys]
    if scheme.lower() != "bearer" or not key or not any(accepted):
        raise ProblemError(
            401,
            "unauthorized",
            "This API needs 'Authorization: Bearer <key>' with a valid key.",
            headers={"WWW-Authenticate": 'Bearer realm="capplan"'},
        )
