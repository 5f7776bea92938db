"""Backlog files sent over HTTP, read by the importers (`service.importers`): one call per source.

The importers read files from disk (CSV, Excel) or parsed JSON (gh), so the content is written to a private
temporary directory under the file's own (sanitised) name, which the importers' messages then quote
('backlog.csv row 3, column estimate_hours: ...'). A file that is not what its source expects is a 422
naming `content`; the importers' own problems (rows, columns, items) are passed on as they are.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd

from api_schemas.imports import ImportNoteOut, ImportRequest, ImportResponse, ImportSource
from api_schemas.problems import Problem
from service.importers import GithubOptions, ImportResult, SpreadsheetOptions, import_csv, import_excel, import_github
from service.problems import ProblemError, invalid_request
from solver.intake.errors import InvalidRequestError

#: What the importers' messages call each source's file.
SOURCE_NAMES = {
    ImportSource.GITHUB: "GitHub backlog", ImportSource.CSV: "CSV backlog", ImportSource.EXCEL: "Excel backlog"
}
#: Extension given to a file name that has none, so messages read like the file a user knows.
_EXTENSIONS = {ImportSource.GITHUB: ".json", ImportSource.CSV: ".csv", ImportSource.EXCEL: ".xlsx"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str, source: ImportSource) -> str:
    """The base name of `name` with only plain characters kept, and the source's extension when it has none."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .") or "backlog"
    base = base[:100]
    return base if "." in base else base + _EXTENSIONS[source]


def _content_problem(message: str, loc: str = "content") -> ProblemError:
    return invalid_request([Problem(loc=[loc], code="unreadable_file", message=message)], "import")


def _bytes_of(body: ImportRequest, name: str) -> bytes:
    """The file's bytes: base64 decoded, or the text as UTF-8."""
    if body.content_encoding == "text":
        return body.content.encode("utf-8")
    try:
        return base64.b64decode(body.content, validate=True)
    except (binascii.Error, ValueError):
        raise _content_problem(f"{name}: content is not valid base64.") from None


def _json_of(text: str, name: str, loc: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _content_problem(f"{name}: not JSON ({error.msg} at line {error.lineno}, column {error.colno}).",
                               loc) from None


def _read_github(body: ImportRequest, name: str, start: date) -> ImportResult:
    issues = _json_of(body.content, name, "content")
    milestones = (
        _json_of(body.milestones_content, "milestones JSON", "milestones_content")
        if body.milestones_content is not None else None
    )
    return import_github(issues, milestones, GithubOptions(start_date=start, hours_per_day=body.hours_per_day))


def _read_spreadsheet(body: ImportRequest, source: ImportSource, name: str, start: date) -> ImportResult:
    options = SpreadsheetOptions(start_date=start, hours_per_day=body.hours_per_day)
    data = _bytes_of(body, name)
    if not data.strip():
        raise _content_problem(f"{name}: the file is empty.")
    with tempfile.TemporaryDirectory(prefix="capplan-import-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        if source is ImportSource.CSV:
            try:
                return import_csv(path, options)
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
                raise _content_problem(f"{name}: not a readable CSV file ({_first_line(error)}).") from None
        try:
            pd.ExcelFile(path).close()
        except (zipfile.BadZipFile, ValueError, KeyError, OSError) as error:
            raise _content_problem(f"{name}: not a readable Excel workbook (.xlsx) ({_first_line(error)}).") from None
        return import_excel(path, options)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def import_backlog(source: ImportSource, body: ImportRequest) -> ImportResponse:
    """Read one backlog file into a plan request with its notes, or raise a 422 listing every problem."""
    name = safe_filename(body.filename, source)
    if source is not ImportSource.EXCEL and body.content_encoding != "text":
        raise _content_problem(f"{name}: {source.value} files are sent as text.", "content_encoding")
    start = body.start_date or date.today()
    try:
        if source is ImportSource.GITHUB:
            result = _read_github(body, name, start)
        else:
            result = _read_spreadsheet(body, source, name, start)
    except InvalidRequestError as error:
        raise invalid_request(error.problems, SOURCE_NAMES[source]) from None
    notes = [ImportNoteOut(code=note.code, message=note.message, ids=list(note.ids)) for note in result.notes]
    return ImportResponse(request=result.request, notes=notes)
