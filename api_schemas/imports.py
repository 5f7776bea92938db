"""Backlog imports over HTTP: a file's content sent inside JSON, and the plan request the importer made of it.

The file travels inside a JSON body (text as it is, binary workbooks as base64) so that every `/v1` body is
`application/json`; the answer is the plan request and the importer's notes, or a 422 naming rows and columns.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from api_schemas.common import IsoDate, QuarterHours
from api_schemas.request import PlanRequest

#: Longest file content accepted inside the body, in characters (the body-size cap applies as well).
MAX_CONTENT_CHARS = 8 * 1024 * 1024


#: A two-issue CSV backlog, as the OpenAPI document shows it.
IMPORT_EXAMPLE: dict[str, Any] = {
    "filename": "backlog.csv",
    "content": "id,title,priority,milestone,due,estimate_hours,owner,depends_on\n"
    "#1,Schema,P1,M1,2025-12-05,6,alice,\n#2,API,P1,M1,2025-12-05,4,alice,#1\n",
    "start_date": "2025-11-24",
}


class ImportSource(StrEnum):
    """Where a backlog comes from, and so which preset reads it (the importers' own sources, one for one)."""

    JIRA = "jira"
    LINEAR = "linear"
    GITHUB = "github"
    GITHUB_PROJECT = "github-project"
    CSV = "csv"
    EXCEL = "excel"


class ImportRequest(BaseModel):
    """One backlog file and how to read it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [IMPORT_EXAMPLE]})

    filename: str = Field(
        default="backlog", max_length=200, description="The file's name, used in messages (e.g. 'backlog.csv row 3')."
    )
    content: str = Field(
        max_length=MAX_CONTENT_CHARS,
        description="The file's content: text for every source (CSV exports, gh's JSON), base64 for excel.",
    )
    content_encoding: Literal["text", "base64"] = Field(
        default="text", description="'base64' for binary files (Excel workbooks), 'text' otherwise."
    )
    milestones_content: str | None = Field(
        default=None,
        max_length=MAX_CONTENT_CHARS,
        description="A milestones file as text: github, the JSON of `gh api repos/OWNER/REPO/milestones`; "
        "tables, a CSV of id, name, due.",
    )
    owners_content: str | None = Field(
        default=None, max_length=MAX_CONTENT_CHARS, description="Tables only: an owners CSV (id, hours_per_day, ...)."
    )
    mapping: dict[str, JsonValue] | None = Field(
        default=None,
        description="Fields of a mapping laid over the source's preset, as in a `--map` file (docs/week-plan.md), "
        "e.g. {\"columns\": {\"Cycle Name\": \"milestone\"}}.",
    )
    start_date: IsoDate | None = Field(default=None, description="First day of the plan (default: today).")
    hours_per_day: QuarterHours = Field(
        default=8.0, gt=0, le=24, description="Hours a day of owners the file only names."
    )


class ImportNoteOut(BaseModel):
    """Something the importer could not read as written, or had to decide; `ids` names the issues concerned."""

    model_config = ConfigDict(extra="forbid")

    code: str
    message: str
    ids: list[str] = Field(default_factory=list)


class ImportResponse(BaseModel):
    """The plan request read from the file, and every note about it."""

    model_config = ConfigDict(extra="forbid")

    request: PlanRequest
    notes: list[ImportNoteOut] = Field(default_factory=list)

