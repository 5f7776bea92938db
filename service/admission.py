"""Admission: what one request may take from the solve pool, and what one API key may send.

The service's fairness rules, in one place, for everything that solves (plans, what-ifs, jobs):
- A request's work is the sum of its solves' time limits: its solves times its time limit, in solve-seconds.
- The pool holds at most `(workers + queue_depth) x default time limit` of work, running and waiting; past
  that a request gets 503 `service-busy` with Retry-After at once (an idle pool takes any admissible request).
- One request may bring at most `max_request_share` of that work (and always one solve at the time-limit cap,
  so any single plan fits); more is a 422 naming the limit. Its solves run on at most `max_request_share` of
  the workers (at least one); the others wait behind each other, so a large what-if leaves workers to others.
- With API keys, each key may have `key_concurrency` requests in progress and send `key_rate_per_minute`
  requests a minute; past either, 429 `too-many-requests` with Retry-After.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from api_schemas.problems import Problem
from service.pool import Reservation, SolvePool
from service.problems import ProblemError, invalid_request
from service.settings import Settings


def request_work_s(time_limits_s: Sequence[float]) -> float:
    """A request's work in solve-seconds: its solves times their time limits (each solve's own limit, summed)."""
    return float(sum(time_limits_s))


def _seconds(value: float) -> str:
    """'10 s', '2.5 s': a duration as a planner reads it."""
    return f"{value:.4g} s"


class PoolAdmission:
    """Admission by work to one solve pool: the request's share, the pool's capacity, the request's workers."""

    def __init__(self, settings: Settings, pool: SolvePool) -> None:
        self.settings = settings
        self.pool = pool

    @property
    def capacity_s(self) -> float:
        """Work the pool holds at once, running and waiting: workers plus queue at the default time limit."""
        return (self.pool.workers + self.pool.queue_depth) * self.settings.default_time_limit_s

    @property
    def request_limit_s(self) -> float:
        """Most work one request may bring: its share of the capacity, and never less than one solve at the cap."""
        return max(self.settings.max_request_share * self.capacity_s, self.settings.max_time_limit_s)

    @property
    def request_workers(self) -> int:
        """Most solves of one request that run at once: its share of the workers, at least one."""
        return max(1, math.floor(self.settings.max_request_share * self.pool.workers))

    @property
    def retry_after_s(self) -> int:
        """Seconds a refused client should wait: about one default solve (`Settings.retry_after_s`)."""
        return self.settings.retry_after_s

    def check_work(self, time_limits_s: Sequence[float], what: str = "request", loc: Sequence[str | int] = ()) -> None:
        """Raise a 422 naming the limit when a request's work is over one request's share (jobs call this too)."""
        work = request_work_s(time_limits_s)
        if work <= self.request_limit_s:
            return
        solves = len(time_limits_s)
        slowest = max(time_limits_s)
        settings = self.settings
        message = (
            f"This {what} needs {solves} solve{'s' if solves != 1 else ''} at time limits up to {_seconds(slowest)}, "
            f"{_seconds(work)} of solver work; one request may bring at most {_seconds(self.request_limit_s)} "
            f"({settings.max_request_share:.0%} of the pool's {_seconds(self.capacity_s)}: ({self.pool.workers} "
            f"workers + {self.pool.queue_depth} queued) x the {_seconds(settings.default_time_limit_s)} default "
            f"time limit; CAPPLAN_MAX_REQUEST_SHARE). Send fewer scenarios or a lower options.time_limit_s."
        )
        raise invalid_request([Problem(loc=list(loc), code="request_too_costly", message=message)], what)

    def has_room(self, time_limit_s: float) -> bool:
        """Whether a one-solve request at `time_limit_s` would be admitted now."""
        admitted = self.pool.admitted_work_s
        return not admitted or admitted + time_limit_s <= self.capacity_s + 1e-9

    def admit(self, time_limits_s: Sequence[float], what: str = "request",
              loc: Sequence[str | int] = ()) -> Reservation:
        """Reserve room for a request's solves, or raise: 422 over one request's share, 503 when the pool is full.

        Leave the returned reservation's `with` block to free the room.
        """
        self.check_work(time_limits_s, what, loc)
        work = request_work_s(time_limits_s)
        admitted = self.pool.admitted_work_s
        if admitted and admitted + work > self.capacity_s + 1e-9:
            raise self.busy()
        return self.pool.reserve(len(time_limits_s), work)

    def busy(self) -> ProblemError:
        """The 503 answer when the pool has no room."""
        retry_after = self.retry_after_s
        return ProblemError(
            503,
            "service-busy",
            f"The solver pool is full: {self.pool.running} solves running and {self.pool.waiting} waiting, "
            f"{_seconds(self.pool.admitted_work_s)} of its {_seconds(self.capacity_s)} of work admitted; retry in "
            f"about {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


@dataclass
class _Bucket:
    """One key's token bucket and its requests in progress."""

    tokens: float
    refilled_at: float
    in_progress: int = 0


class KeyLimits:
    """Per API key: requests in progress at once, and requests per minute (a token bucket of a minute's worth)."""

    def __init__(self, concurrency: int, rate_per_minute: int, retry_busy_s: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.concurrency = concurrency
        self.rate_per_minute = rate_per_minute
        self.retry_busy_s = retry_busy_s
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyLimits:
        """The limits the settings configure."""
        return cls(settings.key_concurrency, settings.key_rate_per_minute, settings.retry_after_s)

    def _bucket(self, key: str) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=float(self.rate_per_minute), refilled_at=now)
        per_second = self.rate_per_minute / 60
        bucket.tokens = min(float(self.rate_per_minute), bucket.tokens + (now - bucket.refilled_at) * per_second)
        bucket.refilled_at = now
        return bucket

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        """Count one request of `key` in progress for the `with` block, or raise 429 when over either limit.

        `key` is an accepted API key (there is one bucket per configured key, so the table stays small).
        """
        bucket = self._bucket(key)
        if bucket.in_progress >= self.concurrency:
            raise _too_many(
                f"This API key already has {bucket.in_progress} requests in progress, the most one key may have "
                f"(CAPPLAN_KEY_CONCURRENCY); retry once one has finished, in about {self.retry_busy_s} s.",
                self.retry_busy_s,
            )
        if bucket.tokens < 1:
            wait = max(1, math.ceil((1 - bucket.tokens) * 60 / self.rate_per_minute))
            raise _too_many(
                f"This API key has sent more than {self.rate_per_minute} requests in the last minute "
                f"(CAPPLAN_KEY_RATE_PER_MINUTE); retry in {wait} s.",
                wait,
            )
        bucket.tokens -= 1
        bucket.in_progress += 1
        try:
            yield
        finally:
            bucket.in_progress -= 1


def _too_many(detail: str, retry_after_s: int) -> ProblemError:
    return ProblemError(429, "too-many-requests", detail, headers={"Retry-After": str(retry_after_s)})
