"""Slots for new work: where one new issue could go, and what each place would disturb (`POST /v1/plans/slots`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api_schemas.common import Integer, LocalDateTime
from api_schemas.examples import PLAN_REQUEST_EXAMPLE
from api_schemas.request import Issue, PlanRequest

#: The documented example of a slot request: the plan request example and a new 6 h P1 issue.
SLOT_REQUEST_EXAMPLE = {
    "request": PLAN_REQUEST_EXAMPLE,
    "issue": {"id": "NEW-1", "title": "Export to CSV", "estimate_hours": 6, "priority": "P1"},
    "max_options": 3,
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlotRequest(_Model):
    """A plan request (with or without `baseline`) and one new issue to find a place for."""

    request: PlanRequest = Field(description="The backlog as it is; its `baseline`, when given, is the plan to keep.")
    issue: Issue = Field(description="The new issue: it needs an estimate; a pinned_owner limits the options to them.")
    max_options: Integer = Field(default=3, ge=1, le=10, description="At most this many options (K).")


class SlotMove(_Model):
    """Another issue an option moves, and the lateness it gains."""

    id: str
    owner_before: str | None = None
    owner_after: str | None = None
    start_before: LocalDateTime | None = None
    start_after: LocalDateTime | None = None
    lateness_gained_working_days: int = Field(description="Working days of lateness more than in the plan without it.")


class SlotOption(_Model):
    """One place for the new issue, verified by a re-plan that passed the independent checker."""

    owner: str
    start: LocalDateTime
    finish: LocalDateTime
    lateness_working_days: int = Field(ge=0, description="The new issue's own lateness against its deadline.")
    fits_free_capacity: bool = Field(description="True when nothing else moves: it fits in free capacity.")
    moves: list[SlotMove] = Field(default_factory=list, description="Other issues this option moves.")
    lateness_gained_working_days: int = Field(ge=0, description="Total lateness the moved issues gain.")
    checked: bool = Field(description="True: the re-plan behind this option passed the independent checker.")


class SlotResponse(_Model):
    """Up to `max_options` options, those that fit in free capacity first, then by lateness and disruption."""

    issue: str
    options: list[SlotOption] = Field(default_factory=list)
    message: str | None = Field(default=None, description="Why there is no option, when there is none.")
