"""Validation problems: each names the offending field and the ids involved."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """One thing wrong with a request, in words a planner understands."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    loc: list[str | int] = Field(description="Path to the field, e.g. ['issues', 3, 'pinned_owner'].")
    code: str = Field(description="Stable code, e.g. 'unknown_owner', 'dependency_cycle'.")
    message: str
    ids: list[str] = Field(default_factory=list, description="Issue, owner or milestone ids involved.")


class ValidationReport(BaseModel):
    """Outcome of checking a request without solving it."""

    model_config = ConfigDict(extra="forbid")

    valid: bool
    problems: list[Problem] = Field(default_factory=list)
