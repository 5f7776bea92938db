"""Spreadsheet backlogs (CSV or Excel, read with pandas) turned into a plan request.

One row per issue. Columns (header names are case-insensitive; spaces count as underscores):

- `id` (required): the issue id, e.g. `#840`.
- `title`, `priority` (P0-P3, default P2), `milestone` (a milestone id).
- `estimate_hours`, `remaining_hours`: hours to a quarter hour; leave both empty for an unestimated issue.
- `due`: the milestone's due date (give it on any row of that milestone; rows must agree).
- `deadline`, `not_before`, `pinned_start`: dates (YYYY-MM-DD); `hard_deadline`: yes/no.
- `in_progress`: yes when work has started (it continues at the plan start on its `owner`).
- `owner`: the owner who must do the issue; `skills`: skills it needs, separated by commas or semicolons.
- `depends_on`: issue ids separated by commas or semicolons; `#840 (+1)` waits one working day after #840.

Owners come from an owners table (`id`, `name`, `hours_per_day`, `skills`, `working_weekdays`, `days_off`,
`works_holidays`; the Excel sheet `owners`), else from the `owner` column with a default of hours per day.
Milestones may also come from a milestones table (`id`, `name`, `due`; the Excel sheet `milestones`).
Every cell that cannot be read is reported at once, naming its row (as the spreadsheet numbers it, header
row 1) and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from api_schemas.problems import Problem
from api_schemas.request import Calendar, Issue, Milestone, Owner, PlanRequest
from service.importers.result import ImportNote, ImportResult
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import problems_from_pydantic, validate_request

#: Columns of the issues table.
ISSUE_COLUMNS = (
    "id", "title", "priority", "milestone", "estimate_hours", "remaining_hours", "due", "deadline", "hard_deadline",
    "not_before", "pinned_start", "owner", "skills", "depends_on", "in_progress",
)
#: Columns of the owners table.
OWNER_COLUMNS = ("id", "name", "hours_per_day", "skills", "working_weekdays", "days_off", "works_holidays")
#: Columns of the milestones table.
MILESTONE_COLUMNS = ("id", "name", "due")
#: Names of the Excel sheets read besides the first (issues) sheet.
OWNERS_SHEET = "owners"
MILESTONES_SHEET = "milestones"

_LIST_SEPARATOR = re.compile(r"\s*[,;]\s*")
_DEPENDENCY = re.compile(r"^(?P<id>.+?)\s*(?:\(\s*\+\s*(?P<lag>\d+)\s*\))?$")
_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0", ""}
#: Spreadsheet row of the first data row (the header is row 1).
_FIRST_ROW = 2


@dataclass(frozen=True)
class SpreadsheetOptions:
    """The plan's start, calendar and the hours of owners named only in the `owner` column."""

    start_date: date
    calendar: Calendar = field(default_factory=Calendar)
    hours_per_day: float = 8.0


@dataclass
class _Table:
    """One table's rows as text cells, with where it came from (for messages)."""

    source: str
    rows: list[dict[str, str]]
    problems: list[Problem] = field(default_factory=list)

    def fail(self, row: int | None, column: str | None, message: str, ids: Sequence[str] = ()) -> None:
        where = self.source + (f" row {row}" if row is not None else "") + (f", column {column}" if column else "")
        loc: list[str | int] = [self.source, *([row] if row is not None else []), *([column] if column else [])]
        self.problems.append(Problem(loc=loc, code="invalid_cell", message=f"{where}: {message}", ids=list(ids)))


def _column_name(name: object) -> str:
    return re.sub(r"\s+", "_", str(name).strip().lower())


def _table(frame: pd.DataFrame, source: str, known: Sequence[str], required: Sequence[str] = ("id",)) -> _Table:
    """Text cells of a frame; unknown or missing columns are problems (a typo must not drop data silently)."""
    names = [_column_name(column) for column in frame.columns]
    table = _Table(source=source, rows=[])
    for name in names:
        if name not in known and not name.startswith("unnamed:"):
            table.fail(None, name, f"is not a known column (known: {', '.join(known)})")
    for name in required:
        if name not in names:
            table.fail(None, name, "is missing: this column is required")
    frame = frame.set_axis(names, axis=1)
    for record in frame.to_dict("records"):
        table.rows.append({str(key): _text(value) for key, value in record.items() if str(key) in known})
    return table


def _text(value: object) -> str:
    """A cell as text: '' for empty cells, ISO dates for dates, '4' for 4.0."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _split(text: str) -> list[str]:
    return [part for part in _LIST_SEPARATOR.split(text) if part]


def _boolean(table: _Table, number: int, column: str, text: str) -> bool | None:
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    table.fail(number, column, f"'{text}' is not yes or no")
    return None


def _number(table: _Table, number: int, column: str, text: str) -> float | None:
    """A cell of hours as a number (the contract takes JSON numbers, not text)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        table.fail(number, column, f"'{text}' is not a number of hours")
        return None
    return value


def _validated(
    table: _Table,
    number: int,
    model: type[BaseModel],
    data: dict[str, Any],
    column_of: Callable[[str], str],
    row: dict[str, str] | None = None,
) -> Any:
    """Build one contract object from a row; each pydantic error becomes a problem naming row and column.

    `row`, the cells as text, shows a number as it was written ('30', not 30.0).
    """
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for problem in problems_from_pydantic(error, None):
            column = column_of(str(problem.loc[0])) if problem.loc else None
            detail = problem.message.split(": ", 1)[-1]
            shown = data.get(str(problem.loc[0])) if problem.loc else None
            if isinstance(shown, float) and row is not None and column is not None:
                shown = row.get(column, shown)
            if isinstance(shown, str | int | float) and shown != "":
                detail = f"'{shown}': {detail[:1].lower()}{detail[1:]}"
            table.fail(number, column, detail, [str(data.get("id", ""))])
        return None


def _dependencies(table: _Table, number: int, text: str) -> list[dict[str, Any]]:
    found = []
    for part in _split(text):
        match = _DEPENDENCY.match(part)
        if match is None:
            table.fail(number, "depends_on", f"'{part}' is not an issue id or 'ID (+lag)'")
            continue
        found.append({"issue": match.group("id"), "lag_days": int(match.group("lag") or 0)})
    return found


def _issue(table: _Table, number: int, row: dict[str, str]) -> Issue | None:
    data: dict[str, Any] = {"id": row.get("id", "")}
    for column in ("title", "priority", "milestone", "deadline", "not_before", "pinned_start"):
        if row.get(column):
            data[column] = row[column].upper() if column == "priority" else row[column]
    unreadable = False
    for column in ("estimate_hours", "remaining_hours"):
        if row.get(column):
            hours = _number(table, number, column, row[column])
            unreadable = unreadable or hours is None
            data[column] = hours
    if row.get("owner"):
        data["pinned_owner"] = row["owner"]
    if row.get("skills"):
        data["skills"] = _split(row["skills"])
    if row.get("depends_on"):
        data["depends_on"] = _dependencies(table, number, row["depends_on"])
    for flag in ("hard_deadline", "in_progress"):
        value = _boolean(table, number, flag, row[flag]) if row.get(flag) else None
        if value is not None:
            data[flag] = value
    if unreadable:  # already reported; the rest of the row is still checked
        data = {key: value for key, value in data.items() if value is not None}
    issue: Issue | None = _validated(
        table, number, Issue, data, lambda name: {"pinned_owner": "owner"}.get(name, name), row
    )
    return None if unreadable else issue


def _due(table: _Table, number: int, row: dict[str, str]) -> date | None:
    """The row's `due` cell as a date (None when empty or unreadable, which is reported)."""
    if not row.get("due"):
        return None
    if not row.get("milestone"):
        table.fail(number, "due", "a due date needs a milestone in the same row")
        return None
    parsed = _validated(table, number, Milestone, {"id": row.get("milestone") or "-", "due": row["due"]},
                        lambda name: name)
    return parsed.due if isinstance(parsed, Milestone) else None


def _milestones_from_issues(
    table: _Table, issues: list[tuple[int, Issue, dict[str, str]]], dues: dict[int, date | None]
) -> list[Milestone]:
    """One milestone per `milestone` value, its due date from the `due` column (rows must agree)."""
    milestones: dict[str, Milestone] = {}
    due_row: dict[str, int] = {}
    for number, issue, _ in issues:
        due = dues.get(number)
        if issue.milestone is None:
            continue
        milestone = milestones.setdefault(issue.milestone, Milestone(id=issue.milestone))
        if due is None:
            continue
        if milestone.due is not None and milestone.due != due:
            table.fail(number, "due", f"milestone '{issue.milestone}' is due {due} here but "
                       f"{milestone.due} in row {due_row[issue.milestone]}")
            continue
        milestones[issue.milestone] = Milestone(id=issue.milestone, due=due)
        due_row[issue.milestone] = number
    return list(milestones.values())


def _owners_table(table: _Table) -> list[Owner]:
    owners = []
    for number, row in enumerate(table.rows, start=_FIRST_ROW):
        data: dict[str, Any] = {"id": row.get("id", "")}
        if row.get("name"):
            data["name"] = row["name"]
        if row.get("hours_per_day"):
            hours = _number(table, number, "hours_per_day", row["hours_per_day"])
            if hours is None:
                continue
            data["hours_per_day"] = hours
        for column in ("skills", "days_off"):
            if row.get(column):
                data[column] = _split(row[column])
        if row.get("working_weekdays"):
            data["working_weekdays"] = [day.lower()[:3] for day in _split(row["working_weekdays"])]
        if row.get("works_holidays"):
            data["works_holidays"] = _boolean(table, number, "works_holidays", row["works_holidays"])
        owner = _validated(table, number, Owner, data, lambda name: name, row)
        if owner is not None:
            owners.append(owner)
    return owners


def _milestones_table(table: _Table) -> list[Milestone]:
    milestones = []
    for number, row in enumerate(table.rows, start=_FIRST_ROW):
        data = {column: row[column] for column in MILESTONE_COLUMNS if row.get(column)}
        milestone = _validated(table, number, Milestone, data, lambda name: name)
        if milestone is not None:
            milestones.append(milestone)
    return milestones


def _request_problems(request: PlanRequest, table: _Table) -> list[Problem]:
    """Cross-field problems (unknown dependencies, cycles...) restated with the row of the issue."""
    problems = []
    for problem in validate_request(request):
        if len(problem.loc) >= 2 and problem.loc[0] == "issues" and isinstance(problem.loc[1], int):
            row = problem.loc[1] + _FIRST_ROW
            problem = problem.model_copy(update={"message": f"{table.source} row {row}: {problem.message}"})
        problems.append(problem)
    return problems


def backlog_from_frames(
    issues: pd.DataFrame,
    options: SpreadsheetOptions,
    owners: pd.DataFrame | None = None,
    milestones: pd.DataFrame | None = None,
    source: str = "backlog",
) -> ImportResult:
    """Build a plan request from an issues table (and optional owners and milestones tables)."""
    issue_table = _table(issues, source, ISSUE_COLUMNS)
    owner_table = _table(owners, f"{source} owners", OWNER_COLUMNS) if owners is not None else None
    milestone_table = (
        _table(milestones, f"{source} milestones", MILESTONE_COLUMNS) if milestones is not None else None
    )
    parsed: list[tuple[int, Issue, dict[str, str]]] = []
    dues: dict[int, date | None] = {}
    for number, row in enumerate(issue_table.rows, start=_FIRST_ROW):
        dues[number] = _due(issue_table, number, row)
        issue = _issue(issue_table, number, row)
        if issue is not None:
            parsed.append((number, issue, row))
    notes: list[ImportNote] = []
    if milestone_table is not None:
        milestone_list = _milestones_table(milestone_table)
    else:
        milestone_list = _milestones_from_issues(issue_table, parsed, dues)
    if owner_table is not None:
        owner_list = _owners_table(owner_table)
    else:
        names = list(dict.fromkeys(issue.pinned_owner for _, issue, _ in parsed if issue.pinned_owner))
        owner_list = [Owner(id=name, hours_per_day=options.hours_per_day) for name in names]
        if owner_list:
            notes.append(ImportNote("owners_from_issues", f"Owners taken from the owner column, "
                                    f"{options.hours_per_day:g} h a day each: {', '.join(names)}.", names))
    problems = [
        *issue_table.problems,
        *(owner_table.problems if owner_table else []),
        *(milestone_table.problems if milestone_table else []),
    ]
    if not owner_list and not problems:
        problems.append(Problem(loc=["owners"], code="no_owners", message=(
            f"{source}: no owners: fill the owner column or give an owners table."
        )))
    if problems:
        raise InvalidRequestError(problems)
    request = PlanRequest(start_date=options.start_date, calendar=options.calendar, owners=owner_list,
                          milestones=milestone_list, issues=[issue for _, issue, _ in parsed])
    cross = _request_problems(request, issue_table)
    if cross:
        raise InvalidRequestError(cross)
    unestimated = [issue.id for _, issue, _ in parsed if issue.work_hours is None]
    if unestimated:
        notes.append(ImportNote("no_estimate", f"{len(unestimated)} issue(s) have no estimate and stay unplanned: "
                                f"{', '.join(unestimated)}.", unestimated))
    return ImportResult(request=request, notes=notes)


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)


def import_csv(
    path: Path, options: SpreadsheetOptions, owners: Path | None = None, milestones: Path | None = None
) -> ImportResult:
    """Read a CSV backlog (and optional owners and milestones CSV files)."""
    return backlog_from_frames(
        _read_csv(path),
        options,
        owners=_read_csv(owners) if owners is not None else None,
        milestones=_read_csv(milestones) if milestones is not None else None,
        source=path.name,
    )


def import_excel(path: Path, options: SpreadsheetOptions, sheet: str | None = None) -> ImportResult:
    """Read an Excel backlog: issues from `sheet` (else the first sheet), owners and milestones sheets if present."""
    sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    names = list(sheets)
    issues_sheet = sheet if sheet is not None else next(
        (name for name in names if name.lower() not in (OWNERS_SHEET, MILESTONES_SHEET)), names[0]
    )
    if issues_sheet not in sheets:
        problem = Problem(loc=[path.name], code="unknown_sheet",
                          message=f"{path.name}: there is no sheet '{issues_sheet}' (sheets: {', '.join(names)}).")
        raise InvalidRequestError([problem])
    by_lower = {name.lower(): frame for name, frame in sheets.items()}
    return backlog_from_frames(
        sheets[issues_sheet],
        options,
        owners=by_lower.get(OWNERS_SHEET),
        milestones=by_lower.get(MILESTONES_SHEET),
        source=f"{path.name} sheet '{issues_sheet}'",
    )
