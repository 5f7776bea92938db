"""Bearer-key authentication of the `/v1` API (off when no keys are configured)."""

from __future__ import annotations

import hashlib
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


def key_owner(request: Request) -> str:
    """Who owns what this request creates: a digest of its API key ('' when keys are off, so all is shared).

    Call after `require_api_key`; the key itself is never stored.
    """
    settings: Settings = request.app.state.settings
    if not settings.api_keys:
        return ""
    _, _, key = request.headers.get("authorization", "").partition(" ")
    return hashlib.sha256(key.strip().encode()).hexdigest()[:32]
