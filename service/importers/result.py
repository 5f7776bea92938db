"""What an importer returns: a plan request and the notes a planner should read before trusting it."""

from __future__ import annotations

from dataclasses import dataclass, field

from api_schemas.request import PlanRequest


@dataclass(frozen=True)
class ImportNote:
    """Something the importer could not read or had to decide; `ids` names the issues concerned."""

    code: str
    message: str
    ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    """The imported request and every note about it (empty when everything was read as written)."""

    request: PlanRequest
    notes: list[ImportNote]
