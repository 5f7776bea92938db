"""What a re-plan changed against its baseline (the previous plan): per issue, with counts and reasons."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from api_schemas.common import LocalDateTime


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChangeKind(StrEnum):
    """How an issue's place differs from the baseline (docs/model.md, "Living plans").

    unchanged: same owner and start; moved: same owner, other start; reassigned: another owner; added: not
    planned in the baseline; removed: planned in the baseline, no longer in the request (or unplanned); done: planned
    in the baseline, no work left now.
    """

    UNCHANGED = "unchanged"
    MOVED = "moved"
    REASSIGNED = "reassigned"
    ADDED = "added"
    REMOVED = "removed"
    DONE = "done"


class ChangeReasonCode(StrEnum):
    """What pushed an issue (docs/model.md, "Changes and their reasons")."""

    ESTIMATE = "estimate"
    NEW_ISSUE = "new_issue"
    PRIORITY = "priority"
    DEADLINE = "deadline"
    CHAIN = "chain"
    DISPLACED = "displaced"
    OWNER_UNAVAILABLE = "owner_unavailable"
    RULES = "rules"
    IN_PROGRESS = "in_progress"
    FREEZE_EXCEPTION = "freeze_exception"
    BETTER_PLAN = "better_plan"


class ChangeReason(_Model):
    """One cause of a change, in words, with the issues or owners it names."""

    code: ChangeReasonCode
    message: str
    ids: list[str] = Field(default_factory=list, description="Issues or owners the reason names.")


class Placement(_Model):
    """Where an issue sits in one plan."""

    owner: str | None = None
    start: LocalDateTime | None = None
    finish: LocalDateTime | None = None


class IssueChange(_Model):
    """One issue's change against the baseline; moved and reassigned issues say why."""

    id: str
    kind: ChangeKind
    before: Placement | None = Field(default=None, description="Its place in the baseline (None when added).")
    after: Placement | None = Field(default=None, description="Its place now (None when removed or done).")
    start_shift_hours: float = Field(
        default=0, description="Hours of the new owner's working time between the baseline start and the new start."
    )
    frozen: bool = Field(default=False, description="True when `freeze_until` kept this placement as it was.")
    reasons: list[ChangeReason] = Field(default_factory=list, description="What pushed it, most direct first.")


class ChangeCounts(_Model):
    """How many issues fall in each kind of change."""

    unchanged: int = 0
    moved: int = 0
    reassigned: int = 0
    added: int = 0
    removed: int = 0
    done: int = 0


class PlanChanges(_Model):
    """Every issue of the baseline or of the request, with how its place changed."""

    counts: ChangeCounts
    issues: list[IssueChange] = Field(default_factory=list, description="One entry per issue, request order first.")
