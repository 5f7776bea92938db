"""The one entry to every importer: `import_backlog(source, data, options, mapping)` from a file's bytes.

The command line (`capplan import SOURCE FILE`) and any upload endpoint call this, so every source is read
the same way: the bytes decoded as `text_encoding` says (UTF-8 with or without BOM, UTF-16 with BOM), the
source's preset mapping with the caller's mapping laid over it, and the notes of what was not read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from api_schemas.common import Priority
from api_schemas.imports import ImportSource
from api_schemas.problems import Problem
from api_schemas.request import Calendar, Owner
from service.importers.estimates import DEFAULT_PRIORITY_LABELS, DEFAULT_SIZE_LABELS
from service.importers.github import GithubOptions, import_github
from service.importers.github_project import import_github_project
from service.importers.mapping import PRESETS, ImportMapping, merge_mapping
from service.importers.result import ImportResult
from service.importers.spreadsheet import SpreadsheetOptions, backlog_from_tables, backlog_from_workbook
from service.importers.tables import read_csv_table, read_excel_tables
from service.text_encoding import decode_text
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import problems_from_pydantic

#: The preset each source starts from (Excel sheets have capplan's CSV columns; GitHub issues its labels).
_PRESET = {
    ImportSource.JIRA: "jira", ImportSource.LINEAR: "linear", ImportSource.GITHUB_PROJECT: "github-project",
    ImportSource.CSV: "csv", ImportSource.EXCEL: "csv", ImportSource.GITHUB: "csv",
}


@dataclass(frozen=True)
class ImportOptions:
    """What every import needs beside the file: the plan's start, calendar and team, and source-specific choices.

    `team` None: the owners the backlog names (assignees, the owner column), at `hours_per_day` each.
    `sheet`: the Excel sheet of issues; `repo`: the GitHub repository whose issues are '#<number>';
    `priority_labels` and `size_labels`: GitHub labels beside the defaults.
    """

    start_date: date
    calendar: Calendar = field(default_factory=Calendar)
    hours_per_day: float = 8.0
    team: Sequence[Owner] | None = None
    sheet: str | None = None
    repo: str | None = None
    priority_labels: Mapping[str, Priority] = field(default_factory=dict)
    size_labels: Mapping[str, float] = field(default_factory=dict)
    default_priority: Priority | None = None


def mapping_for(source: ImportSource, mapping: ImportMapping | Mapping[str, Any] | None) -> ImportMapping:
    """The source's preset with `mapping` (a full mapping, or the fields of a `--map` file) laid over it."""
    if isinstance(mapping, ImportMapping):
        return mapping
    preset = PRESETS[_PRESET[source]]
    return merge_mapping(preset, dict(mapping), "mapping") if mapping is not None else preset


def import_backlog(
    source: ImportSource | str,
    data: bytes,
    options: ImportOptions,
    mapping: ImportMapping | Mapping[str, Any] | None = None,
    *,
    name: str = "backlog",
    milestones: bytes | None = None,
    owners: bytes | None = None,
) -> ImportResult:
    """Read a backlog file's bytes from `source` into a plan request with notes.

    `name` is the file's name in messages; `milestones` is a milestones file (GitHub: the REST milestones
    JSON; tables: a CSV of id, name, due); `owners` an owners CSV (tables only). Unreadable input raises
    `InvalidRequestError` with every problem, each naming the file, row or item and field.
    """
    try:
        return _import(ImportSource(source), data, options, mapping, name, milestones, owners)
    except ValidationError as error:  # a value the contract refuses, met while building: the file's fault, a 422
        raise InvalidRequestError([
            Problem(loc=[name, *problem.loc], code=problem.code, message=f"{name}: {problem.message}", ids=problem.ids)
            for problem in problems_from_pydantic(error)
        ]) from None


def _import(kind: ImportSource, data: bytes, options: ImportOptions, mapping: ImportMapping | Mapping[str, Any] | None,
            name: str, milestones: bytes | None, owners: bytes | None) -> ImportResult:
    """`import_backlog` without its last guard."""
    chosen = mapping_for(kind, mapping)
    if kind is ImportSource.GITHUB or kind is ImportSource.GITHUB_PROJECT:
        github = _github_options(options, chosen, label_sizes=kind is ImportSource.GITHUB)
        items = parse_json_document(data, name)
        if kind is ImportSource.GITHUB_PROJECT:
            return import_github_project(items, github, chosen)
        rest = parse_json_document(milestones, "milestones") if milestones is not None else None
        return import_github(items, rest, github)
    if options.default_priority is not None:
        chosen = chosen.model_copy(update={"default_priority": options.default_priority})
    table_options = SpreadsheetOptions(start_date=options.start_date, calendar=options.calendar,
                                       hours_per_day=options.hours_per_day, team=options.team, mapping=chosen)
    milestone_table = read_csv_table(milestones, "milestones") if milestones is not None else None
    owner_table = read_csv_table(owners, "owners") if owners is not None else None
    if kind is not ImportSource.EXCEL:
        return backlog_from_tables(read_csv_table(data, name), table_options, owner_table, milestone_table)
    return backlog_from_workbook(read_excel_tables(data, name), name, table_options, options.sheet, owner_table,
                                 milestone_table)


def _github_options(options: ImportOptions, mapping: ImportMapping, label_sizes: bool) -> GithubOptions:
    """GitHub's options: its label maps, the mapping's priorities (and sizes) added as labels, its work units."""
    return GithubOptions(
        start_date=options.start_date,
        calendar=options.calendar,
        hours_per_day=options.hours_per_day,
        team=options.team,
        priority_labels={**DEFAULT_PRIORITY_LABELS, **mapping.priorities, **options.priority_labels},
        size_labels={**DEFAULT_SIZE_LABELS, **(mapping.sizes if label_sizes else {}), **options.size_labels},
        default_priority=options.default_priority or mapping.default_priority,
        repo=options.repo,
        units=mapping.units,
    )


def parse_json_document(data: bytes, name: str) -> object:
    """A JSON file's value; malformed JSON is a problem naming the file, line and column."""
    text = decode_text(data, name)
    try:
        parsed: object = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"{name} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        raise InvalidRequestError([Problem(loc=[name], code="invalid_json", message=message)]) from None
    return parsed
