"""How a table's columns and values become a backlog: the mapping layer, its presets and `--map` files.

A mapping names, for each source column, the capplan field it fills, and how to read values: priority words,
sizes or story points, statuses that mean done, the unit of bare estimate numbers and the date formats.
Presets describe the stock exports (capplan's own CSV, Jira, Linear, GitHub Projects); a `--map` file
(JSON or TOML, the same fields) is laid over a preset, so it only says what differs.
"""

from __future__ import annotations

import json
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api_schemas.common import Priority
from api_schemas.problems import Problem
from service.importers.durations import DAYS_PER_ESTIMATE_WEEK, HOURS_PER_ESTIMATE_DAY, WorkUnits
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import problems_from_pydantic


class Target(StrEnum):
    """The capplan field a source column fills."""

    ID = "id"
    TITLE = "title"
    URL = "url"
    PRIORITY = "priority"
    MILESTONE = "milestone"
    DUE = "due"
    ESTIMATE = "estimate"
    REMAINING = "remaining"
    SIZE = "size"
    STATUS = "status"
    DEADLINE = "deadline"
    HARD_DEADLINE = "hard_deadline"
    IN_PROGRESS = "in_progress"
    NOT_BEFORE = "not_before"
    PINNED_START = "pinned_start"
    OWNER = "owner"
    SKILLS = "skills"
    DEPENDS_ON = "depends_on"
    BLOCKS = "blocks"
    IGNORE = "ignore"  # read by nothing, and not listed among the columns not read (e.g. to drop a preset's column)


class EstimateUnit(StrEnum):
    """What a bare number in an estimate column means (a value with a unit, '4h' or 'PT4H', says it itself)."""

    HOURS = "hours"
    MINUTES = "minutes"
    SECONDS = "seconds"
    DAYS = "days"


#: Hours per bare number of each estimate unit (days are working days of `hours_per_day`; see `hours_per`).
_UNIT_HOURS = {EstimateUnit.HOURS: 1.0, EstimateUnit.MINUTES: 1 / 60, EstimateUnit.SECONDS: 1 / 3600}


class ImportMapping(BaseModel):
    """How to read one kind of table; every field has the default of capplan's own CSV columns."""

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, Target] = Field(
        default_factory=dict, description="Source column (case and spacing ignored) -> capplan field."
    )
    priorities: dict[str, Priority] = Field(
        default_factory=dict,
        description="Priority value (case ignored) -> P0-P3; 'Highest', 'Urgent', 'high', 'P1'... are known already.",
    )
    sizes: dict[str, Annotated[float, Field(ge=0, le=10000)]] = Field(
        default_factory=dict, description="Size or story-point value (case ignored) -> hours, e.g. {'M': 4, '3': 6}."
    )
    point_hours: Annotated[float, Field(gt=0, le=1000)] | None = Field(
        default=None, description="Hours per story point for numeric sizes not in `sizes` (None: not read)."
    )
    done_statuses: list[str] = Field(
        default_factory=lambda: ["done", "closed", "resolved", "canceled", "cancelled", "won't do", "duplicate"],
        description="Statuses (case ignored) whose issues are done: 0 hours left.",
    )
    estimate_unit: EstimateUnit = Field(default=EstimateUnit.HOURS, description="Unit of a bare estimate number.")
    hours_per_day: Annotated[float, Field(gt=0, le=24)] = Field(
        default=HOURS_PER_ESTIMATE_DAY, description="Hours in a day of estimate ('2d', 'P2D')."
    )
    days_per_week: Annotated[float, Field(gt=0, le=7)] = Field(
        default=DAYS_PER_ESTIMATE_WEEK, description="Days in a week of estimate ('1w')."
    )
    date_formats: list[str] = Field(
        default_factory=list,
        description="strftime formats tried after ISO 8601, e.g. '%d/%b/%y %I:%M %p' (Jira: 18/Dec/26 12:00 AM).",
    )
    default_priority: Priority = Field(default=Priority.P2, description="Priority of issues that give none.")
    strict: bool = Field(
        default=True,
        description="True: an unreadable cell or unknown column is an error (a table written for capplan); "
        "False: it is a note and the value is left out (a tool's export, whose extra columns are expected).",
    )

    @property
    def units(self) -> WorkUnits:
        """What a day and a week of estimate are worth."""
        return WorkUnits(self.hours_per_day, self.days_per_week)

    def hours_per(self, unit: EstimateUnit) -> float:
        """Hours in one bare estimate number."""
        return self.hours_per_day if unit is EstimateUnit.DAYS else _UNIT_HOURS[unit]


def column_key(name: str) -> str:
    """'Issue key' and 'issue_key ' alike: columns match whatever their case and spacing."""
    return "_".join(name.strip().lower().replace("_", " ").split())


#: capplan's own CSV and Excel columns (docs/week-plan.md).
_NATIVE_COLUMNS = {
    "id": Target.ID, "title": Target.TITLE, "url": Target.URL, "priority": Target.PRIORITY,
    "milestone": Target.MILESTONE,
    "due": Target.DUE, "estimate_hours": Target.ESTIMATE, "remaining_hours": Target.REMAINING,
    "deadline": Target.DEADLINE, "hard_deadline": Target.HARD_DEADLINE, "not_before": Target.NOT_BEFORE,
    "pinned_start": Target.PINNED_START, "owner": Target.OWNER, "skills": Target.SKILLS,
    "depends_on": Target.DEPENDS_ON, "blocks": Target.BLOCKS, "status": Target.STATUS, "size": Target.SIZE,
    "in_progress": Target.IN_PROGRESS,
}

PRESETS: dict[str, ImportMapping] = {
    "csv": ImportMapping(columns=_NATIVE_COLUMNS),
    # Jira Cloud: Filters > Export > Export CSV (all fields). Estimates in seconds, dates like 18/Dec/26 12:00 AM.
    "jira": ImportMapping(
        columns={
            "Issue key": Target.ID, "Summary": Target.TITLE, "Priority": Target.PRIORITY,
            "Fix Version/s": Target.MILESTONE, "Due Date": Target.DEADLINE, "Original Estimate": Target.ESTIMATE,
            "Remaining Estimate": Target.REMAINING, "Custom field (Story Points)": Target.SIZE,
            "Custom field (Story point estimate)": Target.SIZE, "Assignee": Target.OWNER, "Status": Target.STATUS,
            "Inward issue link (Blocks)": Target.DEPENDS_ON, "Outward issue link (Blocks)": Target.BLOCKS,
        },
        estimate_unit=EstimateUnit.SECONDS,
        date_formats=["%d/%b/%y %I:%M %p", "%d/%b/%y", "%d/%m/%Y %H:%M", "%d/%m/%Y"],
        strict=False,
    ),
    # Linear: Settings > Import / Export > Export CSV. Estimates are points; Project is the milestone.
    "linear": ImportMapping(
        columns={
            "ID": Target.ID, "Title": Target.TITLE, "Priority": Target.PRIORITY, "Project": Target.MILESTONE,
            "Estimate": Target.SIZE, "Assignee": Target.OWNER, "Status": Target.STATUS, "Due Date": Target.DEADLINE,
            "Blocked by": Target.DEPENDS_ON,
        },
        priorities={"no priority": Priority.P2},
        point_hours=4,
        date_formats=["%a %b %d %Y %H:%M:%S GMT%z"],
        strict=False,
    ),
    # GitHub Projects: `gh project item-list N --owner OWNER --format json`; fields named as in the project.
    "github-project": ImportMapping(
        columns={"status": Target.STATUS, "estimate": Target.ESTIMATE, "priority": Target.PRIORITY,
                 "size": Target.SIZE, "iteration": Target.MILESTONE},
        sizes={"xs": 1, "s": 2, "m": 4, "l": 8, "xl": 16},
        strict=False,
    ),
}


def read_mapping_file(path: Path, base: ImportMapping) -> ImportMapping:
    """A `--map` file (JSON, or TOML by its .toml suffix) over `base`; its columns and value maps add to the base's.

    Problems (unknown keys, a field name capplan does not have, a priority not P0-P3) name the file and key.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
        data: Any = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InvalidRequestError([Problem(loc=[path.name], code="invalid_mapping",
                                           message=f"{path.name}: cannot be read as a mapping: {error}")]) from None
    return merge_mapping(base, data, path.name)


def merge_mapping(base: ImportMapping, data: object, source: str) -> ImportMapping:
    """`data` (a mapping's fields) over `base`; `columns`, `priorities` and `sizes` add to the base's entries."""
    if not isinstance(data, dict):
        raise InvalidRequestError([Problem(loc=[source], code="invalid_mapping",
                                           message=f"{source}: a mapping is an object of fields (columns, ...).")])
    merged: dict[str, Any] = base.model_dump(mode="json")
    for key, value in data.items():
        if key in ("columns", "priorities", "sizes") and isinstance(value, dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    try:
        return ImportMapping.model_validate(merged)
    except ValidationError as error:
        problems = problems_from_pydantic(error, None)
        raise InvalidRequestError([p.model_copy(update={"message": f"{source}: {p.message}"})
                                   for p in problems]) from None
