"""The service's settings, read from `CAPPLAN_*` environment variables."""

from __future__ import annotations

import json
import math
import os
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from api_schemas.service import MAX_SCENARIOS
from solver.intake.limits import DEFAULT_LIMITS, Limits

#: Where the service listens unless told otherwise (the Dockerfile and docs/service.md use the same port).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _default_workers() -> int:
    """One solve per core, at most 4: each CP-SAT solve keeps a core busy."""
    return max(1, min(4, os.cpu_count() or 1))


class Settings(BaseSettings):
    """Everything an operator can tune; every field maps to `CAPPLAN_<FIELD>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="CAPPLAN_", extra="ignore")

    host: str = Field(default=DEFAULT_HOST, description="Interface to listen on.")
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    workers: int = Field(default_factory=_default_workers, ge=1, le=64, description="Solves that run at once.")
    queue_depth: int = Field(default=8, ge=0, le=1000, description="Solves that may wait for a worker.")
    pool: Literal["process", "thread"] = Field(
        default="process",
        description="'process': each solve in a worker process that is killed when its client leaves; "
        "'thread': solves in threads of the service process (lighter, cannot be killed).",
    )
    default_time_limit_s: float = Field(
        default=10.0, gt=0, le=3600, description="Time limit of requests that give none."
    )
    max_time_limit_s: float = Field(default=60.0, gt=0, le=3600, description="Cap on any request's time limit.")
    max_search_workers: int = Field(default=2, ge=1, le=16, description="Cap on a request's CP-SAT search workers.")
    # The size caps' defaults are the solver's own (`solver.intake.limits.Limits`), defined there once.
    max_issues: int = Field(default=DEFAULT_LIMITS.max_issues, ge=1)
    max_owners: int = Field(default=DEFAULT_LIMITS.max_owners, ge=1)
    max_milestones: int = Field(default=DEFAULT_LIMITS.max_milestones, ge=1)
    max_horizon_days: int = Field(
        default=DEFAULT_LIMITS.max_horizon_days, ge=1, description="Latest date a request may mention, in days."
    )
    max_scenarios: int = Field(default=10, ge=1, le=MAX_SCENARIOS, description="Most scenarios in one what-if.")
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, description="Largest request body accepted.")
    max_request_share: float = Field(
        default=0.5, gt=0, le=1,
        description="Largest share of the pool one request may take: of its work (solves x time limit, against "
        "(workers + queue_depth) x default time limit) and of its workers (at least one).",
    )
    headers_timeout_s: float = Field(
        default=10.0, gt=0, le=600, description="Time a client has to send a request's line and headers."
    )
    body_timeout_s: float = Field(
        default=60.0, gt=0, le=3600, description="Time a client has to send a request's whole body, once its "
        "headers are in.",
    )
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Accepted bearer keys, comma separated; empty: no authentication."
    )
    key_concurrency: int = Field(
        default=4, ge=1, le=1000, description="Requests one API key may have in progress at once (with keys set)."
    )
    key_rate_per_minute: int = Field(
        default=120, ge=1, le=1_000_000, description="Requests one API key may send per minute (with keys set)."
    )
    public_docs: bool = Field(
        default=False, description="Keep /version, /docs and /openapi.json open when API keys are set."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed by CORS, comma separated; empty: CORS off."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    queue_url: str | None = Field(
        default=None,
        description="Jobs on Redis ('redis://host:6379/0'), taken by `capplan worker` processes; unset: jobs run "
        "in this service's own solve workers, their state in its memory.",
    )
    job_ttl_s: float = Field(default=86400.0, gt=0, description="Seconds a finished job and its result are kept.")
    job_queue_max: int = Field(default=100, ge=1, le=100_000, description="Jobs that may wait; past it, 503.")
    job_max_attempts: int = Field(
        default=3, ge=1, le=20, description="Times a job is started (after its worker died) before it fails."
    )
    job_lease_s: float = Field(
        default=15.0, ge=1, le=3600,
        description="Seconds without a heartbeat after which a dead worker's job goes to another worker (Redis).",
    )

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """Accept 'a,b' or a JSON list from the environment, as well as a list."""
        if isinstance(value, str) and value.strip().startswith("["):
            return json.loads(value)
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        """Accept 'info' as well as 'INFO'."""
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _default_within_max(self) -> Settings:
        """A default time limit above the cap would be clamped on every request: refuse it instead."""
        if self.default_time_limit_s > self.max_time_limit_s:
            raise ValueError("default_time_limit_s must not exceed max_time_limit_s")
        return self

    @field_validator("queue_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """CAPPLAN_QUEUE_URL= (empty, as compose files write it) means no queue."""
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def retry_after_s(self) -> int:
        """The `Retry-After` of a 503 (busy pool, full job queue): about one default solve."""
        return max(1, math.ceil(self.default_time_limit_s))

    @property
    def limits(self) -> Limits:
        """The solver's size caps, as configured."""
        return Limits(
            max_issues=self.max_issues,
            max_owners=self.max_owners,
            max_milestones=self.max_milestones,
            max_horizon_days=self.max_horizon_days,
            max_time_limit_s=self.max_time_limit_s,
        )


@lru_cache
def get_settings() -> Settings:
    """Return the settings of this process, read once from the environment."""
    return Settings()
