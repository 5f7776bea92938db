"""Tables of issues (capplan's CSV, Jira and Linear exports, Excel sheets) read through a mapping into a request.

One row per issue; `mapping.ImportMapping` says which column fills which field and how values read. capplan's
own columns (docs/week-plan.md): `id` (required), `title`, `priority`, `milestone`, `due` (the milestone's due
date), `estimate_hours`, `remaining_hours`, `size`, `status`, `deadline`, `hard_deadline`, `not_before`,
`pinned_start`, `owner`, `skills`, `depends_on`, `blocks`. Estimates may carry units ('4h', '2 days', 'PT4H');
priorities may be words ('high', 'Urgent').

A strict mapping (capplan's own tables) refuses every unreadable cell and unknown column at once, naming its
row (as the spreadsheet numbers it, header row 1) and column as typed. A tool's export is read leniently: what
cannot be read is a note naming the row and issue, and the value is left out. Either way, every conflict
settled (an estimate against a size, several milestones) is a note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from api_schemas.common import Priority
from api_schemas.problems import Problem
from api_schemas.request import Calendar, Dependency, Issue, Milestone, Owner, PlanRequest, is_web_link
from service.importers.display_text import importable_text
from service.importers.durations import DurationError
from service.importers.estimates import PRIORITY_WORDS, read_amount, to_quarter_hours
from service.importers.mapping import PRESETS, EstimateUnit, ImportMapping, Target, column_key
from service.importers.result import ImportNote, ImportResult
from service.importers.tables import Row, Table, read_csv_table, read_excel_tables, read_file, table_from_rows
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import problems_from_pydantic, validate_request

#: Columns of the owners table.
OWNER_COLUMNS = ("id", "name", "hours_per_day", "skills", "working_weekdays", "days_off", "works_holidays")
#: Columns of the milestones table.
MILESTONE_COLUMNS = ("id", "name", "due")
#: Names of the Excel sheets read besides the issues sheet.
OWNERS_SHEET = "owners"
MILESTONES_SHEET = "milestones"

_LIST_SEPARATOR = re.compile(r"\s*[,;]\s*")
_DEPENDENCY = re.compile(r"^(?P<id>.+?)\s*(?:\(\s*\+\s*(?P<lag>\d+)\s*\))?$")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0", ""}
#: Priority values that mean "none given".
_NO_PRIORITY = {"", "none", "no priority", "-"}


@dataclass(frozen=True)
class SpreadsheetOptions:
    """The plan's start and calendar, the team (else the owners the table names), and how to read the table."""

    start_date: date
    calendar: Calendar = field(default_factory=Calendar)
    hours_per_day: float = 8.0
    team: Sequence[Owner] | None = None
    mapping: ImportMapping = field(default_factory=lambda: PRESETS["csv"])


@dataclass
class _Issue:
    """One row read: the issue's fields, its row, and its dependencies before they are checked."""

    row: int
    data: dict[str, Any]
    depends_on: list[Dependency]
    blocks: list[Dependency]
    due: date | None = None


class _Reader:
    """Reads one issues table through a mapping, collecting problems (strict) or notes (lenient)."""

    def __init__(self, table: Table, options: SpreadsheetOptions) -> None:
        self.table = table
        self.options = options
        self.mapping = options.mapping
        self.problems: list[Problem] = []
        self.notes: list[ImportNote] = []
        self.positions: dict[Target, list[int]] = {}
        self.sized: list[str] = []
        self._read_header()

    # --- reporting ------------------------------------------------------------------------------------------

    def where(self, row: int | None, column: str | None) -> str:
        return self.table.source + (f" row {row}" if row is not None else "") + (f", column {column}" if column else "")

    def fail(self, row: int | None, column: str | None, message: str, ids: Sequence[str] = ()) -> None:
        loc: list[str | int] = [self.table.source, *([row] if row is not None else []), *([column] if column else [])]
        self.problems.append(Problem(loc=loc, code="invalid_cell", message=f"{self.where(row, column)}: {message}",
                                     ids=list(ids)))

    def note(self, code: str, message: str, ids: Sequence[str] = ()) -> None:
        self.notes.append(ImportNote(code, message, list(ids)))

    def unreadable(self, row: int, column: str, message: str, identifier: str, left: str) -> None:
        """A cell that cannot be read: a problem when strict, else a note saying what was done instead."""
        if self.mapping.strict:
            self.fail(row, column, message, [identifier] if identifier else [])
        else:
            self.note("value_not_read", f"{self.where(row, column)} ({identifier}): {message}; {left}.",
                      [identifier] if identifier else [])

    # --- header ---------------------------------------------------------------------------------------------

    def _read_header(self) -> None:
        targets = {column_key(name): target for name, target in self.mapping.columns.items()}
        unread: list[int] = []
        for position, name in enumerate(self.table.header):
            target = targets.get(column_key(name))
            if target is Target.IGNORE:
                continue
            if target is not None:
                self.positions.setdefault(target, []).append(position)
            elif name and not name.lower().startswith("unnamed:"):
                unread.append(position)
        if Target.ID not in self.positions:
            known = ", ".join(name for name, target in self.mapping.columns.items() if target is Target.ID)
            self.fail(None, known or "id", "is missing: this column is required")
        if self.mapping.strict:
            known = ", ".join(self.mapping.columns)
            for position in unread:
                self.fail(None, self.table.header[position], f"is not a known column (known: {known})")
            return
        with_values = [self.table.header[p] for p in unread if any(self.table.values(r, [p]) for r in self.table.rows)]
        if with_values:
            self.note("columns_not_read", f"{self.table.source}: {len(with_values)} column(s) with values are not read "
                      f"(map them with --map if they matter): {', '.join(dict.fromkeys(with_values))}.")

    def column(self, target: Target) -> str:
        """The column's name as typed in the header."""
        return self.table.header[self.positions[target][0]]

    def cells(self, row: Row, target: Target) -> list[str]:
        return self.table.values(row, self.positions.get(target, []))

    def cell(self, row: Row, target: Target, identifier: str = "") -> str:
        """The one value of a field ('' when empty); extra values of a repeated column are noted."""
        values = self.cells(row, target)
        if len(values) > 1 and target is not Target.ID:
            self.note("several_values", f"{self.where(row.number, self.column(target))} ({identifier}): "
                      f"{len(values)} values ({', '.join(values)}); took the first, '{values[0]}'.", [identifier])
        return values[0] if values else ""

    # --- values ---------------------------------------------------------------------------------------------

    def priority(self, row: Row, identifier: str) -> Priority | None:
        typed = self.cell(row, Target.PRIORITY, identifier)
        key = typed.strip().lower()
        mapped = {name.lower(): priority for name, priority in self.mapping.priorities.items()}
        if key in mapped:
            return mapped[key]
        if key in _NO_PRIORITY:
            return None
        if key in PRIORITY_WORDS:
            return PRIORITY_WORDS[key]
        self.unreadable(row.number, self.column(Target.PRIORITY), f"'{typed}' is not a priority (P0-P3, Highest, "
                        "High, Medium, Low, Urgent...; map others with --map priorities)", identifier,
                        f"took {self.mapping.default_priority.value}")
        return None

    def hours(self, row: Row, target: Target, identifier: str) -> float | None:
        """An estimate cell in hours: a bare number in the mapping's unit, or an amount with its own unit."""
        typed = self.cell(row, target, identifier)
        if not typed:
            return None
        column = self.column(target)
        try:
            if _NUMBER.match(typed):
                unit = self.mapping.estimate_unit
                hours = float(typed.replace(",", ".")) * self.mapping.hours_per(unit)
                shown = f"'{typed}' ({typed} {unit.value})" if unit is not EstimateUnit.HOURS else f"'{typed}'"
            else:
                estimate = read_amount(typed, column, self.mapping.units)
                if estimate.note:
                    self.note("estimate_adjusted", f"{self.where(row.number, column)} ({identifier}): "
                              f"{estimate.note}.", [identifier])
                return estimate.hours
        except DurationError as error:
            self.unreadable(row.number, column, str(error), identifier, "left unestimated")
            return None
        if hours < 0:
            self.unreadable(row.number, column, f"{shown} is negative", identifier, "left unestimated")
            return None
        rounded = to_quarter_hours(hours)
        if rounded != hours and not self.mapping.strict:
            self.note("estimate_adjusted", f"{self.where(row.number, column)} ({identifier}): {shown} is {hours:g} h, "
                      f"rounded up to {rounded:g} h.", [identifier])
            return rounded
        return hours

    def size_hours(self, row: Row, identifier: str) -> tuple[float, str] | None:
        """Hours of a size or story-point cell, and how they were read."""
        typed = self.cell(row, Target.SIZE, identifier)
        if not typed:
            return None
        sizes = {name.lower(): hours for name, hours in self.mapping.sizes.items()}
        if typed.lower() in sizes:
            return to_quarter_hours(sizes[typed.lower()]), f"size '{typed}'"
        if _NUMBER.match(typed) and self.mapping.point_hours is not None:
            points = float(typed.replace(",", "."))
            return to_quarter_hours(points * self.mapping.point_hours), (
                f"{typed} point(s) at {self.mapping.point_hours:g} h a point")
        self.unreadable(row.number, self.column(Target.SIZE), f"size '{typed}' has no hours (give them with --map "
                        "sizes, or point_hours for story points)", identifier, "not read")
        return None

    def day(self, row: Row, target: Target, identifier: str) -> date | None:
        typed = self.cell(row, target, identifier)
        if not typed:
            return None
        parsed = parse_date(typed, self.mapping.date_formats)
        if parsed is None:
            formats = ", ".join(["YYYY-MM-DD", *self.mapping.date_formats])
            self.unreadable(row.number, self.column(target), f"'{typed}' is not a date (read as: {formats})",
                            identifier, "left out")
        return parsed

    def flag(self, row: Row, target: Target, identifier: str) -> bool | None:
        typed = self.cell(row, target, identifier)
        if typed.lower() in _TRUE:
            return True
        if typed.lower() in _FALSE:
            return False if typed else None
        self.unreadable(row.number, self.column(target), f"'{typed}' is not yes or no", identifier, "left out")
        return None

    def links(self, row: Row, target: Target, identifier: str) -> list[Dependency]:
        found = []
        for text in self.cells(row, target):
            for part in split_list(text):
                match = _DEPENDENCY.match(part)
                dependency = None
                if match is not None:
                    try:
                        dependency = Dependency(issue=match.group("id"), lag_days=int(match.group("lag") or 0))
                    except ValidationError:
                        dependency = None
                if dependency is None:
                    self.unreadable(row.number, self.column(target), f"'{part}' is not an issue id or 'ID (+lag)'",
                                    identifier, "that link is not planned")
                    continue
                found.append(dependency)
        return found

    # --- a row ----------------------------------------------------------------------------------------------

    def issue(self, row: Row) -> _Issue | None:
        identifier = self.cell(row, Target.ID)
        if not identifier:
            self.unreadable(row.number, self.column(Target.ID), "has no id", "", "row skipped")
            return None
        data: dict[str, Any] = {"id": identifier}
        if Target.TITLE in self.positions:
            where = f"{self.where(row.number, self.column(Target.TITLE))} ({identifier})"
            data["title"] = importable_text(self.cell(row, Target.TITLE, identifier), where, [identifier], self.notes)
        if Target.URL in self.positions:
            data["url"] = self.link(row, identifier)
        priority = self.priority(row, identifier) if Target.PRIORITY in self.positions else None
        data["priority"] = priority or self.mapping.default_priority
        if Target.MILESTONE in self.positions:
            data["milestone"] = self.cell(row, Target.MILESTONE, identifier) or None
        self.work(row, identifier, data)
        for target, name in ((Target.DEADLINE, "deadline"), (Target.NOT_BEFORE, "not_before"),
                             (Target.PINNED_START, "pinned_start")):
            if target in self.positions:
                data[name] = self.day(row, target, identifier)
        if Target.HARD_DEADLINE in self.positions:
            data["hard_deadline"] = self.flag(row, Target.HARD_DEADLINE, identifier)
        if Target.IN_PROGRESS in self.positions:  # work has started: it continues at the plan start (docs/model.md)
            data["in_progress"] = self.flag(row, Target.IN_PROGRESS, identifier)
        if Target.OWNER in self.positions:
            data["pinned_owner"] = self.cell(row, Target.OWNER, identifier) or None
        if Target.SKILLS in self.positions:
            data["skills"] = [s for text in self.cells(row, Target.SKILLS) for s in split_list(text)]
        due = self.day(row, Target.DUE, identifier) if Target.DUE in self.positions else None
        if due is not None and not data.get("milestone"):
            self.unreadable(row.number, self.column(Target.DUE), "a due date needs a milestone in the same row",
                            identifier, "left out")
            due = None
        return _Issue(row.number, {k: v for k, v in data.items() if v is not None},
                      self.links(row, Target.DEPENDS_ON, identifier), self.links(row, Target.BLOCKS, identifier), due)

    def link(self, row: Row, identifier: str) -> str | None:
        """The issue's link in its tracker; anything but an http(s) link is reported and left out."""
        text = self.cell(row, Target.URL, identifier)
        if text and not is_web_link(text):
            self.unreadable(row.number, self.column(Target.URL), f"'{text}' is not an http:// or https:// link",
                            identifier, "no link")
            return None
        return text or None

    def work(self, row: Row, identifier: str, data: dict[str, Any]) -> None:
        """Estimate and remaining hours: the estimate column, else the size; a done status leaves 0 hours."""
        estimate = self.hours(row, Target.ESTIMATE, identifier) if Target.ESTIMATE in self.positions else None
        remaining = self.hours(row, Target.REMAINING, identifier) if Target.REMAINING in self.positions else None
        size = self.size_hours(row, identifier) if Target.SIZE in self.positions else None
        if size is not None:
            if estimate is None:
                estimate = size[0]
                self.sized.append(f"{identifier} (row {row.number}: {size[1]} = {size[0]:g} h)")
            elif size[0] != estimate:
                self.note("estimate_conflict", f"{self.where(row.number, None)} ({identifier}): "
                          f"{self.column(Target.ESTIMATE)} says {estimate:g} h but {size[1]} makes {size[0]:g} h; "
                          f"took {self.column(Target.ESTIMATE)}.", [identifier])
        status = self.cell(row, Target.STATUS, identifier) if Target.STATUS in self.positions else ""
        if status.lower() in {done.lower() for done in self.mapping.done_statuses}:
            remaining = 0.0
        data["estimate_hours"] = estimate
        data["remaining_hours"] = remaining


def parse_date(text: str, formats: Sequence[str]) -> date | None:
    """An ISO 8601 date or date-time ('2025-12-05', '2025-12-05T00:00:00.000Z'), else the first format that reads it."""
    stripped = text.strip()
    for reader in (date.fromisoformat, lambda value: datetime.fromisoformat(value).date()):
        try:
            return reader(stripped)
        except ValueError:
            continue
    for form in formats:
        candidate = re.sub(r"\s*\([^)]*\)$", "", stripped) if "%z" in form else stripped  # JS dates: '(UTC)' tail
        try:
            return datetime.strptime(candidate, form).date()
        except ValueError:
            continue
    return None


def split_list(text: str) -> list[str]:
    """'a, b; c' -> ['a', 'b', 'c']."""
    return [part for part in _LIST_SEPARATOR.split(text.strip()) if part]


def _contract_problems(reader: _Reader, item: _Issue, error: ValidationError) -> None:
    """Pydantic's objections to one issue, restated as unreadable cells of its row."""
    columns = {"pinned_owner": Target.OWNER, "estimate_hours": Target.ESTIMATE, "remaining_hours": Target.REMAINING}
    identifier = str(item.data.get("id", ""))
    for problem in problems_from_pydantic(error, None):
        name = str(problem.loc[0]) if problem.loc else ""
        target = columns.get(name) or next((t for t in Target if t.value == name), None)
        column = reader.column(target) if target is not None and target in reader.positions else name or None
        detail = problem.message.split(": ", 1)[-1]
        typed = item.data.get(name)
        shown = f"'{typed:g}'" if isinstance(typed, float) else f"'{typed}'" if isinstance(typed, str) else ""
        message = f"{shown}: {detail[:1].lower()}{detail[1:]}" if shown else detail
        reader.unreadable(item.row, column or "", message, identifier, "left out")
        item.data.pop(name, None)


def _issues(reader: _Reader, items: list[_Issue]) -> list[tuple[_Issue, Issue]]:
    """Contract issues of the rows read; in a lenient read a value the contract refuses is dropped with a note."""
    built = []
    for item in items:
        for _ in range(2):
            try:
                built.append((item, Issue.model_validate(item.data)))
                break
            except ValidationError as error:
                _contract_problems(reader, item, error)
                if reader.mapping.strict:
                    break
    return built


def _link(reader: _Reader, issues: list[tuple[_Issue, Issue]]) -> None:
    """Dependencies and reverse links ('blocks') onto the issues; in a lenient read, unknown ids are notes."""
    ids = {issue.id for _, issue in issues}
    by_id = {issue.id: issue for _, issue in issues}
    for item, issue in issues:
        for dependency in item.depends_on:
            if dependency.issue in ids or reader.mapping.strict:
                issue.depends_on.append(dependency)
            else:
                reader.note("unknown_reference", f"{reader.where(item.row, reader.column(Target.DEPENDS_ON))} "
                            f"({issue.id}): depends on {dependency.issue}, which is not in the table; not planned.",
                            [issue.id, dependency.issue])
        for blocked in item.blocks:
            target = by_id.get(blocked.issue)
            if target is None:
                message = f"blocks {blocked.issue}, which is not in the table"
                reader.unreadable(item.row, reader.column(Target.BLOCKS), message, issue.id, "not planned")
            elif all(d.issue != issue.id for d in target.depends_on):
                target.depends_on.append(Dependency(issue=issue.id, lag_days=blocked.lag_days))


def _milestones(reader: _Reader, issues: list[tuple[_Issue, Issue]]) -> list[Milestone]:
    """One milestone per milestone value, its due date from the due column (rows must agree)."""
    milestones: dict[str, Milestone] = {}
    due_row: dict[str, int] = {}
    for item, issue in issues:
        if issue.milestone is None:
            continue
        milestone = milestones.setdefault(issue.milestone, Milestone(id=issue.milestone))
        if item.due is None:
            continue
        if milestone.due is not None and milestone.due != item.due:
            reader.unreadable(item.row, reader.column(Target.DUE), f"milestone '{issue.milestone}' is due {item.due} "
                              f"here but {milestone.due} in row {due_row[issue.milestone]}", issue.id,
                              f"kept {milestone.due}")
            continue
        milestones[issue.milestone] = Milestone(id=issue.milestone, due=item.due)
        due_row[issue.milestone] = item.row
    return list(milestones.values())


def _team(reader: _Reader, issues: list[tuple[_Issue, Issue]], owners: list[Owner] | None) -> list[Owner]:
    """The team given (owners table or options), else the owners the rows name; pins outside the team are notes."""
    team = owners if owners is not None else list(reader.options.team) if reader.options.team is not None else None
    if team is None:
        names = list(dict.fromkeys(issue.pinned_owner for _, issue in issues if issue.pinned_owner))
        if names:
            reader.note("owners_from_issues", f"Owners taken from the {reader.column(Target.OWNER)} column, "
                        f"{reader.options.hours_per_day:g} h a day each: {', '.join(names)}.", names)
        return [Owner(id=name, hours_per_day=reader.options.hours_per_day) for name in names]
    members = {owner.id for owner in team}
    for item, issue in issues:
        if issue.pinned_owner is not None and issue.pinned_owner not in members and not reader.mapping.strict:
            reader.note("assignee_not_in_team", f"{reader.where(item.row, reader.column(Target.OWNER))} "
                        f"({issue.id}): {issue.pinned_owner} is not in the team; any owner may take it.", [issue.id])
            issue.pinned_owner = None
    return team


def backlog_from_tables(
    issues: Table, options: SpreadsheetOptions, owners: Table | None = None, milestones: Table | None = None
) -> ImportResult:
    """Build a plan request from an issues table (and optional owners and milestones tables) through the mapping."""
    reader = _Reader(issues, options)
    if Target.ID not in reader.positions:
        raise InvalidRequestError(reader.problems)
    items = [item for row in issues.rows if (item := reader.issue(row)) is not None]
    built = _issues(reader, items)
    seen: dict[str, int] = {}
    for item, issue in built:
        if issue.id in seen:
            reader.fail(item.row, reader.column(Target.ID), f"'{issue.id}' is also the id of row {seen[issue.id]}",
                        [issue.id])
        seen.setdefault(issue.id, item.row)
    _link(reader, built)
    if reader.sized:
        reader.note("estimate_from_size", f"{len(reader.sized)} estimate(s) come from the "
                    f"{reader.column(Target.SIZE)} column (change with --map sizes or point_hours): "
                    f"{'; '.join(reader.sized)}.", [text.split(' (row')[0] for text in reader.sized])
    owner_list = _owners_table(owners, reader.problems, reader.notes) if owners is not None else None
    milestone_list = _milestones_table(milestones, reader.problems, reader.notes) if milestones is not None else None
    if milestone_list is None:
        milestone_list = _milestones(reader, built)
        undated = [m.id for m in milestone_list if m.due is None]
        if undated and not options.mapping.strict:
            reader.note("milestone_without_due", f"{len(undated)} milestone(s) have no due date in the export: "
                        f"{', '.join(undated)}; give them with --milestones FILE (id, name, due).", undated)
    team = _team(reader, built, owner_list)
    if reader.problems:
        raise InvalidRequestError(reader.problems)
    if not team:
        raise InvalidRequestError([Problem(loc=["owners"], code="no_owners", message=(
            f"{issues.source}: no owners: fill the owner column, give an owners table, or name the team "
            "(--owner ID[:HOURS] or --team FILE)."))])
    request = PlanRequest(start_date=options.start_date, calendar=options.calendar, owners=team,
                          milestones=milestone_list, issues=[issue for _, issue in built])
    rows = [item.row for item, _ in built]
    cross = _request_problems(request, issues.source, rows)
    if cross:
        raise InvalidRequestError(cross)
    unestimated = [issue.id for issue in request.issues if issue.work_hours is None]
    if unestimated:
        reader.note("no_estimate", f"{len(unestimated)} issue(s) have no estimate and stay unplanned: "
                    f"{', '.join(unestimated)}.", unestimated)
    return ImportResult(request=request, notes=reader.notes)


def _request_problems(request: PlanRequest, source: str, rows: list[int]) -> list[Problem]:
    """Cross-field problems (unknown dependencies, cycles...) restated with the row of the issue."""
    problems = []
    for problem in validate_request(request):
        if len(problem.loc) >= 2 and problem.loc[0] == "issues" and isinstance(problem.loc[1], int):
            problem = problem.model_copy(update={"message": f"{source} row {rows[problem.loc[1]]}: {problem.message}"})
        problems.append(problem)
    return problems


def _simple_rows(table: Table, known: Sequence[str], problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    """Rows of capplan's own owners or milestones table as {column: text}; unknown columns are problems."""
    names = [column_key(name) for name in table.header]
    for name, typed in zip(names, table.header, strict=True):
        if name not in known and typed:
            problems.append(Problem(loc=[table.source, typed], code="invalid_cell", message=(
                f"{table.source}, column {typed}: is not a known column (known: {', '.join(known)})")))
    if "id" not in names:
        problems.append(Problem(loc=[table.source, "id"], code="invalid_cell",
                                message=f"{table.source}, column id: is missing: this column is required"))
    return [(row.number, {name: row.cells[i] for i, name in enumerate(names) if i < len(row.cells) and row.cells[i]})
            for row in table.rows]


def _validated(source: str, number: int, model: type[BaseModel], data: dict[str, Any], problems: list[Problem],
               row: dict[str, str]) -> Any:
    """One contract object from a row; each pydantic error names the row, the column and the cell as typed."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for problem in problems_from_pydantic(error, None):
            column = str(problem.loc[0]) if problem.loc else None
            detail = problem.message.split(": ", 1)[-1]
            typed = row.get(column or "")
            if typed:
                detail = f"'{typed}': {detail[:1].lower()}{detail[1:]}"
            where = f"{source} row {number}" + (f", column {column}" if column else "")
            problems.append(Problem(loc=[source, number, *([column] if column else [])], code="invalid_cell",
                                    message=f"{where}: {detail}", ids=[str(data.get("id", ""))]))
        return None


def _owners_table(table: Table, problems: list[Problem], notes: list[ImportNote]) -> list[Owner]:
    owners = []
    for number, row in _simple_rows(table, OWNER_COLUMNS, problems):
        data: dict[str, Any] = {"id": row.get("id", "")}
        if "name" in row:
            data["name"] = importable_text(row["name"], f"{table.source} row {number}, column name", [data["id"]],
                                           notes)
        if "hours_per_day" in row:
            try:
                data["hours_per_day"] = float(row["hours_per_day"].replace(",", "."))
            except ValueError:
                data["hours_per_day"] = row["hours_per_day"]
        for column in ("skills", "days_off"):
            if column in row:
                data[column] = split_list(row[column])
        if "working_weekdays" in row:
            data["working_weekdays"] = [day.lower()[:3] for day in split_list(row["working_weekdays"])]
        if "works_holidays" in row:
            data["works_holidays"] = row["works_holidays"].lower() in _TRUE
        owner = _validated(table.source, number, Owner, data, problems, row)
        if owner is not None:
            owners.append(owner)
    return owners


def _milestones_table(table: Table, problems: list[Problem], notes: list[ImportNote]) -> list[Milestone]:
    milestones = []
    for number, row in _simple_rows(table, MILESTONE_COLUMNS, problems):
        data = {column: row[column] for column in MILESTONE_COLUMNS if column in row}
        if "name" in data:
            data["name"] = importable_text(data["name"], f"{table.source} row {number}, column name",
                                           [data.get("id", "")], notes)
        milestone = _validated(table.source, number, Milestone, data, problems, row)
        if milestone is not None:
            milestones.append(milestone)
    return milestones


def backlog_from_frames(
    issues: pd.DataFrame,
    options: SpreadsheetOptions,
    owners: pd.DataFrame | None = None,
    milestones: pd.DataFrame | None = None,
    source: str = "backlog",
) -> ImportResult:
    """`backlog_from_tables` for pandas frames (a notebook's tables), rows numbered from 2 as a sheet would."""

    def table(frame: pd.DataFrame, name: str) -> Table:
        return table_from_rows(name, [list(frame.columns), *frame.itertuples(index=False, name=None)])

    return backlog_from_tables(
        table(issues, source),
        options,
        owners=table(owners, f"{source} owners") if owners is not None else None,
        milestones=table(milestones, f"{source} milestones") if milestones is not None else None,
    )


def import_csv(
    path: Path, options: SpreadsheetOptions, owners: Path | None = None, milestones: Path | None = None
) -> ImportResult:
    """Read a CSV backlog (and optional owners and milestones CSV files)."""
    return backlog_from_tables(
        read_csv_table(read_file(path), path.name),
        options,
        owners=read_csv_table(read_file(owners), owners.name) if owners is not None else None,
        milestones=read_csv_table(read_file(milestones), milestones.name) if milestones is not None else None,
    )


def backlog_from_workbook(
    sheets: dict[str, Table],
    name: str,
    options: SpreadsheetOptions,
    sheet: str | None = None,
    owners: Table | None = None,
    milestones: Table | None = None,
) -> ImportResult:
    """A workbook's backlog: issues from `sheet` (else the first sheet not named owners or milestones).

    Owners and milestones come from the tables given, else from the sheets of those names.
    """
    names = list(sheets)
    issues_sheet = sheet if sheet is not None else next(
        (title for title in names if title.lower() not in (OWNERS_SHEET, MILESTONES_SHEET)), names[0] if names else ""
    )
    if issues_sheet not in sheets:
        problem = Problem(loc=[name], code="unknown_sheet",
                          message=f"{name}: there is no sheet '{issues_sheet}' (sheets: {', '.join(names)}).")
        raise InvalidRequestError([problem])
    by_lower = {title.lower(): table for title, table in sheets.items()}
    return backlog_from_tables(sheets[issues_sheet], options, owners=owners or by_lower.get(OWNERS_SHEET),
                               milestones=milestones or by_lower.get(MILESTONES_SHEET))


def import_excel(path: Path, options: SpreadsheetOptions, sheet: str | None = None) -> ImportResult:
    """Read an Excel backlog file: issues from `sheet` (else the first), owners and milestones sheets if any."""
    return backlog_from_workbook(read_excel_tables(read_file(path), path.name), path.name, options, sheet)
