"""Bearer-key authentication (off when no keys are configured), and the per-key limits of an authenticated call."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator

from fastapi import Request

from service.admission import KeyLimits
from service.problems import ProblemError
from service.settings import Settings


def require_api_key(request: Request) -> str | None:
    """The caller's configured key (None when keys are off); 401 unless `Authorization: Bearer <a configured key>`."""
    settings: Settings = request.app.state.settings
    if not settings.api_keys:
        return None
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
    return settings.api_keys[accepted.index(True)]


def require_api_key_unless_public(request: Request) -> None:
    """Guard /version and the docs like the API, unless CAPPLAN_PUBLIC_DOCS keeps them open."""
    settings: Settings = request.app.state.settings
    if not settings.public_docs:
        require_api_key(request)


async def api_key_within_limits(request: Request) -> AsyncIterator[None]:
    """Authenticate, then count the request against its key's concurrency and rate while it runs (429 past)."""
    key = require_api_key(request)
    if key is None:
        yield
        return
    limits: KeyLimits = request.app.state.key_limits
    with limits.hold(key):
        yield


def owner_of_key(key: str | None) -> str:
    """Who owns what a key creates: a digest of the key ('' when keys are off, so all is shared); never the key."""
    return "" if key is None else hashlib.sha256(key.encode()).hexdigest()[:32]


def key_owner(request: Request) -> str:
    """Who owns what this request creates (`owner_of_key` of its authenticated key)."""
    return owner_of_key(require_api_key(request))
