"""The Redis job back end: state in Redis, the queue is arq's, `capplan worker` processes run the jobs.

API servers keep nothing of their own, so any number of them serve the same jobs and a restart loses none.
Each job is a hash `capplan:job:{id}`; every change to it is one Lua script, so a state moves once: a
result is stored only by the attempt that holds the job, once (`stored` counts it), and never over a cancel.
`capplan:queued` holds the ids waiting (the length cap), `capplan:idem:{owner}:{key}` an Idempotency-Key's job.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import abort_jobs_ss
from arq.utils import timestamp_ms

from api_schemas.jobs import JobKind, JobStatus
from service.jobs.record import (
    IdempotencyConflictError,
    JobRecord,
    NewJob,
    QueueFullError,
    Submitted,
    now,
    plan_request_json,
)

logger = logging.getLogger(__name__)

#: arq's queue of capplan jobs, and the function name the workers register.
QUEUE_NAME = "capplan:queue"
JOB_FUNCTION = "capplan_job"
QUEUED_SET = "capplan:queued"
#: How often an event stream looks for a change of its job (one small read per stream).
EVENTS_POLL_S = 0.25


def job_key(job_id: str) -> str:
    """The hash of one job."""
    return f"capplan:job:{job_id}"


def idempotency_key(owner: str, key: str) -> str:
    """Where an owner's Idempotency-Key points to its job (the key hashed: any bytes, bounded length)."""
    return f"capplan:idem:{owner}:{hashlib.sha256(key.encode()).hexdigest()}"


_SUBMIT = """
if ARGV[7] ~= '' then
  local earlier = redis.call('GET', KEYS[2])
  if earlier and redis.call('EXISTS', 'capplan:job:' .. string.sub(earlier, 1, string.find(earlier, '|') - 1)) == 1
  then return {'existing', earlier} end
end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[6]) then return {'full', ''} end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'owner', ARGV[2], 'kind', ARGV[3], 'status', 'queued',
  'created_at', ARGV[4], 'attempts', '0', 'version', '1', 'stored', '0', 'request', ARGV[5])
redis.call('SADD', KEYS[3], ARGV[1])
if ARGV[7] ~= '' then
  redis.call('SET', KEYS[2], ARGV[1] .. '|' .. ARGV[7])
  redis.call('HSET', KEYS[1], 'idem', KEYS[2])
end
return {'created', ''}
"""

#: KEYS: job, queued. ARGV: id, attempt, started_at, max_attempts, failure JSON, finished_at, expires_at, ttl.
_START = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status ~= 'queued' and status ~= 'running' then return status end
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'version', 1)
if tonumber(ARGV[2]) > tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[5], 'finished_at', ARGV[6], 'expires_at', ARGV[7])
  redis.call('HINCRBY', KEYS[1], 'stored', 1)
  redis.call('EXPIRE', KEYS[1], ARGV[8])
  local idem = redis.call('HGET', KEYS[1], 'idem')
  if idem then redis.call('EXPIRE', idem, ARGV[8]) end
  return 'exhausted'
end
redis.call('HSET', KEYS[1], 'status', 'running', 'attempts', ARGV[2])
if not redis.call('HGET', KEYS[1], 'started_at') then redis.call('HSET', KEYS[1], 'started_at', ARGV[3]) end
return 'run'
"""

#: KEYS: job. ARGV: attempt, progress JSON.
_PROGRESS = """
if redis.call('HGET', KEYS[1], 'status') ~= 'running' or redis.call('HGET', KEYS[1], 'attempts') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'progress', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'version', 1)
return 1
"""

#: KEYS: job. ARGV: attempt, status, field ('result' or 'error'), value, finished_at, expires_at, ttl.
_FINISH = """
if redis.call('HGET', KEYS[1], 'status') ~= 'running' or redis.call('HGET', KEYS[1], 'attempts') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], ARGV[3], ARGV[4], 'finished_at', ARGV[5], 'expires_at', ARGV[6])
redis.call('HINCRBY', KEYS[1], 'stored', 1)
redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('EXPIRE', KEYS[1], ARGV[7])
local idem = redis.call('HGET', KEYS[1], 'idem')
if idem then redis.call('EXPIRE', idem, ARGV[7]) end
return 1
"""

#: KEYS: job, queued. ARGV: owner, id, finished_at, expires_at, ttl.
_CANCEL = """
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 'missing' end
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'queued' and status ~= 'running' then return status end
redis.call('HSET', KEYS[1], 'status', 'cancelled', 'finished_at', ARGV[3], 'expires_at', ARGV[4])
redis.call('SREM', KEYS[2], ARGV[2])
redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('EXPIRE', KEYS[1], ARGV[5])
local idem = redis.call('HGET', KEYS[1], 'idem')
if idem then redis.call('EXPIRE', idem, ARGV[5]) end
return 'cancelled'
"""


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def record_of(fields: dict[Any, Any]) -> JobRecord | None:
    """A job from its hash (None for a hash that is gone)."""
    data = {_text(key): _text(value) for key, value in fields.items()}
    if "status" not in data or "owner" not in data:
        return None
    created = _time(data.get("created_at"))
    assert created is not None
    progress = data.get("progress")
    return JobRecord(
        id=str(data["id"]),
        owner=str(data["owner"]),
        kind=JobKind(str(data["kind"])),
        status=JobStatus(str(data["status"])),
        created_at=created,
        started_at=_time(data.get("started_at")),
        finished_at=_time(data.get("finished_at")),
        expires_at=_time(data.get("expires_at")),
        attempts=int(data.get("attempts") or 0),
        progress=json.loads(progress) if progress else None,
        result=data.get("result"),
        error=data.get("error"),
        version=int(data.get("version") or 0),
        request=data.get("request") or None,
        extra={"stored": data.get("stored") or "0"},
    )


class JobStore:
    """The job hashes and their scripts: what API servers and workers both read and write."""

    def __init__(self, redis: ArqRedis, ttl_s: float) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self._submit = redis.register_script(_SUBMIT)
        self._start = redis.register_script(_START)
        self._progress = redis.register_script(_PROGRESS)
        self._finish = redis.register_script(_FINISH)
        self._cancel = redis.register_script(_CANCEL)

    @classmethod
    async def connect(cls, url: str, ttl_s: float) -> JobStore:
        """Connect to the Redis at `url` (a few retries while it starts)."""
        redis = await create_pool(RedisSettings.from_dsn(url), retry=0, default_queue_name=QUEUE_NAME)
        return cls(redis, ttl_s)

    def _ends(self) -> tuple[str, str, int]:
        finished = now()
        return finished.isoformat(), (finished + timedelta(seconds=self.ttl_s)).isoformat(), max(1, int(self.ttl_s))

    async def read(self, job_id: str) -> JobRecord | None:
        """The job, whoever owns it."""
        return record_of(await self.redis.hgetall(job_key(job_id)))  # type: ignore[misc]

    async def start(self, job_id: str, attempt: int, max_attempts: int, failure: str) -> str:
        """Take the job for this attempt: 'run', 'exhausted' (now failed with `failure`), or why not (its status)."""
        finished, expires, ttl = self._ends()
        outcome = await self._start(
            keys=[job_key(job_id), QUEUED_SET],
            args=[job_id, attempt, now().isoformat(), max_attempts, failure, finished, expires, ttl],
        )
        return str(_text(outcome))

    async def save_progress(self, job_id: str, attempt: int, progress: dict[str, Any]) -> None:
        """Store the progress while this attempt holds the running job."""
        await self._progress(keys=[job_key(job_id)], args=[attempt, json.dumps(progress)])

    async def finish(self, job_id: str, attempt: int, status: JobStatus, field: str, value: str) -> bool:
        """Store the outcome if this attempt still holds the running job (False: cancelled, or taken over)."""
        finished, expires, ttl = self._ends()
        stored = await self._finish(
            keys=[job_key(job_id)], args=[attempt, status.value, field, value, finished, expires, ttl]
        )
        return bool(stored)


class RedisJobs:
    """The API side: submit to arq's queue, read and cancel through the job hashes."""

    name = "redis"

    def __init__(self, url: str, ttl_s: float) -> None:
        self._url = url
        self._ttl_s = ttl_s
        self._store: JobStore | None = None

    @property
    def store(self) -> JobStore:
        """The connected store (after `start`)."""
        if self._store is None:
            raise RuntimeError("the Redis job back end is not started")
        return self._store

    async def start(self) -> None:
        """Connect to Redis."""
        if self._store is None:
            self._store = await JobStore.connect(self._url, self._ttl_s)

    async def stop(self) -> None:
        """Disconnect."""
        if self._store is not None:
            await self._store.redis.aclose()
            self._store = None

    async def submit(self, job: NewJob, queue_max: int) -> Submitted:
        """Record the job and put it on arq's queue; or the earlier job of the same key and body."""
        store = self.store
        key = idempotency_key(job.owner, job.idempotency_key) if job.idempotency_key is not None else ""
        request = (plan_request_json(job.payload) or "") if job.kind.gives_plan else ""
        while True:
            outcome, earlier = await store._submit(
                keys=[job_key(job.id), key or "capplan:no-key", QUEUED_SET],
                args=[job.id, job.owner, job.kind.value, now().isoformat(), request, queue_max,
                      job.fingerprint if key else ""],
            )
            outcome, earlier = _text(outcome), _text(earlier) or ""
            if outcome == "full":
                raise QueueFullError
            if outcome != "existing":
                break
            earlier_id, _, earlier_print = earlier.partition("|")
            if earlier_print != job.fingerprint:
                raise IdempotencyConflictError(earlier_id)
            record = await store.read(earlier_id)
            if record is not None:
                return Submitted(record, created=False)
            # The earlier job expired since the script saw it: the script now takes the key for this job.
        await store.redis.enqueue_job(JOB_FUNCTION, job.id, job.kind.value, job.payload, _job_id=job.id)
        record = await store.read(job.id)
        assert record is not None
        return Submitted(record, created=True)

    async def earlier(self, owner: str, key: str) -> tuple[str, str] | None:
        """The job and fingerprint of an owner's key, while that job lives."""
        found = _text(await self.store.redis.get(idempotency_key(owner, key)))
        if not found:
            return None
        job_id, _, print_ = found.partition("|")
        return (job_id, print_) if await self.store.redis.exists(job_key(job_id)) else None

    async def get(self, owner: str, job_id: str) -> JobRecord | None:
        """The owner's job."""
        record = await self.store.read(job_id)
        return record if record is not None and record.owner == owner else None

    async def cancel(self, owner: str, job_id: str) -> JobRecord | None:
        """Mark it cancelled (one script) and ask arq to abort it: its worker kills the solver within a poll."""
        store = self.store
        finished, expires, ttl = store._ends()
        outcome = _text(await store._cancel(
            keys=[job_key(job_id), QUEUED_SET], args=[owner, job_id, finished, expires, ttl]
        ))
        if outcome == "missing":
            return None
        if outcome == "cancelled":
            await store.redis.zadd(abort_jobs_ss, {job_id: timestamp_ms()})
        return await self.get(owner, job_id)

    async def changes(self, owner: str, job_id: str) -> AsyncIterator[JobRecord]:
        """The job now and after each change (its version read every EVENTS_POLL_S), until it is final."""
        record = await self.get(owner, job_id)
        while record is not None:
            yield record
            if record.status.final:
                return
            seen = record.version
            while True:
                await asyncio.sleep(EVENTS_POLL_S)
                version = _text(await self.store.redis.hget(job_key(job_id), "version"))  # type: ignore[misc]
                if version is None or int(version) != seen:
                    break
            record = await self.get(owner, job_id)

    async def waiting(self) -> int:
        """Jobs queued and not started, on every API server and worker."""
        return int(await self.store.redis.scard(QUEUED_SET))  # type: ignore[misc]

