"""Tables read as a person sees them: CSV and Excel rows numbered as the spreadsheet numbers them.

The header is row 1; blank lines and rows of empty cells keep their numbers but are skipped; a quoted cell
that spans lines is one row. Cells are kept as typed (text as written, Excel dates as ISO dates, 4.0 as 4).
Repeated column names (Jira writes one `Labels` or `Inward issue link (Blocks)` column per value) give lists.
CSV bytes are UTF-8 with or without a BOM, or UTF-16 with its BOM (`text_encoding.decode_text`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook

from api_schemas.problems import Problem
from service.text_encoding import decode_text
from solver.intake.errors import InvalidRequestError

#: Spreadsheet number of the header row.
HEADER_ROW = 1


@dataclass(frozen=True)
class Row:
    """One non-empty row: its spreadsheet number and its cells by column position."""

    number: int
    cells: tuple[str, ...]


@dataclass
class Table:
    """A header and its non-empty rows, with the name messages use for it ('backlog.csv', "book.xlsx sheet 'x'")."""

    source: str
    header: list[str]
    rows: list[Row] = field(default_factory=list)

    def values(self, row: Row, positions: Sequence[int]) -> list[str]:
        """The non-empty cells of `row` at `positions` (one column, or every column of a repeated name)."""
        return [row.cells[i] for i in positions if i < len(row.cells) and row.cells[i]]


def table_from_rows(source: str, rows: Iterable[Sequence[object]]) -> Table:
    """A table from raw rows (the first is the header), numbering every row, skipping empty ones."""
    iterator = iter(rows)
    header: list[str] | None = None
    table = Table(source=source, header=[])
    for number, raw in enumerate(iterator, start=HEADER_ROW):
        cells = tuple(cell_text(value) for value in raw)
        if header is None:
            if not any(cells):
                continue  # blank lines above the header
            header = [cell for cell in cells]
            table.header = header
            continue
        if any(cells):
            table.rows.append(Row(number, cells))
    if header is None:
        raise InvalidRequestError([Problem(loc=[source], code="empty_table",
                                           message=f"{source}: is empty (no header row).")])
    return table


def cell_text(value: object) -> str:
    """A cell as typed: '' for empty, ISO dates for dates, '4' for 4.0, text stripped of surrounding blanks."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_csv_table(data: bytes, source: str) -> Table:
    """A CSV file's table (comma, semicolon or tab separated, as the header shows)."""
    text = decode_text(data, source)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    return table_from_rows(source, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def read_excel_tables(data: bytes, name: str) -> dict[str, Table]:
    """Every sheet of a workbook as a table, by sheet name."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise InvalidRequestError([Problem(loc=[name], code="invalid_workbook",
                                           message=f"{name}: is not an Excel workbook (.xlsx): {error}")]) from None
    try:
        return {sheet.title: table_from_rows(f"{name} sheet '{sheet.title}'", sheet.iter_rows(values_only=True))
                for sheet in workbook.worksheets}
    finally:
        workbook.close()


def read_file(path: Path) -> bytes:
    """A file's bytes; an unreadable file is a problem naming it."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidRequestError([Problem(loc=[path.name], code="unreadable_file",
                                           message=f"{path}: cannot be read: {error.strerror}")]) from None
