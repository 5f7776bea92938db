"""Calendar links that calendar apps can subscribe to: a plan job's feed, readable with a token in its URL.

Calendar apps cannot send an Authorization header, so with API keys on a plan job's `plan.ics` also accepts
`?token=`: an HMAC of the job id under the key that submitted it. It reads that one calendar and nothing else,
needs no stored secret, and stops working when the key is removed from CAPPLAN_API_KEYS.
"""

from __future__ import annotations

import hashlib
import hmac

#: What the token's HMAC signs besides the job id, so a token can never stand for anything but a calendar.
_PURPOSE = b"capplan plan.ics "
#: Hex characters of the HMAC kept in the token (128 bits).
_TOKEN_CHARS = 32


def calendar_token(key: str, job_id: str) -> str:
    """The token that reads job `job_id`'s calendar, for the key that owns the job."""
    return hmac.new(key.encode(), _PURPOSE + job_id.encode(), hashlib.sha256).hexdigest()[:_TOKEN_CHARS]


def calendar_path(job_id: str, key: str | None) -> str:
    """The path a calendar app subscribes to: with a token when keys are on (`key` is the job's key)."""
    path = f"/v1/jobs/{job_id}/plan.ics"
    return path if key is None else f"{path}?token={calendar_token(key, job_id)}"


def key_of_calendar_token(keys: tuple[str, ...] | list[str], job_id: str, token: str) -> str | None:
    """The configured key whose token for `job_id` is `token`, or None; every key is compared in constant time."""
    matches = [hmac.compare_digest(token.encode(), calendar_token(key, job_id).encode()) for key in keys]
    return keys[matches.index(True)] if any(matches) else None
