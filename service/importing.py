"""Backlog files sent over HTTP, read by the one importer entry (`service.importers.import_backlog`).

The file's content arrives inside JSON (text, or base64 for workbooks); its name, kept to plain characters, is
the name the importers' messages quote ('backlog.csv row 3, column estimate_hours: ...'). Content that is not
what the transport promised (not base64, empty) is a 422 naming the field; everything the importers cannot read
is their own 422, naming file, row and column or item and field.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date

from api_schemas.imports import ImportNoteOut, ImportRequest, ImportResponse, ImportSource
from api_schemas.problems import Problem
from service.importers import ImportOptions, import_backlog
from service.problems import ProblemError, invalid_request
from solver.intake.errors import InvalidRequestError

#: Extension given to a file name that has none, so messages read like the file a user knows.
_EXTENSIONS = {ImportSource.EXCEL: ".xlsx", ImportSource.GITHUB: ".json", ImportSource.GITHUB_PROJECT: ".json"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str, source: ImportSource) -> str:
    """The base name of `name` with only plain characters kept, and the source's extension when it has none."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .") or "backlog"
    base = base[:100]
    return base if "." in base else base + _EXTENSIONS.get(source, ".csv")


def _content_problem(message: str, loc: str = "content") -> ProblemError:
    return invalid_request([Problem(loc=[loc], code="unreadable_file", message=message)], "import")


def _bytes_of(text: str, encoding: str, name: str, field: str) -> bytes:
    """A file's bytes: base64 decoded, or the text as UTF-8."""
    if encoding == "text":
        return text.encode("utf-8")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _content_problem(f"{name}: {field} is not valid base64.", field) from None


def import_backlog_file(source: ImportSource, body: ImportRequest) -> ImportResponse:
    """Read one backlog file (and its milestones and owners files) into a plan request with its notes, or a 422."""
    name = safe_filename(body.filename, source)
    if source is not ImportSource.EXCEL and body.content_encoding != "text":
        raise _content_problem(f"{name}: {source.value} files are sent as text.", "content_encoding")
    data = _bytes_of(body.content, body.content_encoding, name, "content")
    if not data.strip():
        raise _content_problem(f"{name}: the file is empty.")
    options = ImportOptions(start_date=body.start_date or date.today(), hours_per_day=body.hours_per_day)
    try:
        result = import_backlog(
            source.value,
            data,
            options,
            body.mapping,
            name=name,
            milestones=body.milestones_content.encode("utf-8") if body.milestones_content is not None else None,
            owners=body.owners_content.encode("utf-8") if body.owners_content is not None else None,
        )
    except InvalidRequestError as error:
        raise invalid_request(error.problems, f"{source.value} backlog") from None
    notes = [ImportNoteOut(code=note.code, message=note.message, ids=list(note.ids)) for note in result.notes]
    return ImportResponse(request=result.request, notes=notes)
