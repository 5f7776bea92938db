"""The team's history of finished issues (estimate and actual hours) from a CSV file, for the forecast.

One row per finished issue; columns (case-insensitive, spaces count as underscores): `estimate_hours` (or
`estimate`, `estimated_hours`) and `actual_hours` (or `actual`, `spent_hours`). Other columns (an id, a title)
are ignored. Every cell that cannot be read is reported at once, naming its row (header row 1) and column.
"""

from __future__ import annotations

import csv
import io
import math

from pydantic import ValidationError

from api_schemas.problems import Problem
from api_schemas.request import HistoryRecord
from solver.intake.errors import InvalidRequestError

#: Accepted header names of each column, the first being the contract's.
ESTIMATE_NAMES = ("estimate_hours", "estimate", "estimated_hours")
ACTUAL_NAMES = ("actual_hours", "actual", "spent_hours")
#: Spreadsheet row of the first data row (the header is row 1).
_FIRST_ROW = 2


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    normalised = [name.strip().lower().replace(" ", "_") for name in header]
    return next((normalised.index(name) for name in names if name in normalised), None)


def _hours(text: str, row: int, column: str, problems: list[Problem]) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        problems.append(Problem(
            loc=["history", row, column],
            code="invalid_history_hours",
            message=f"Row {row}, column {column}: '{text.strip()}' is not a positive number of hours.",
        ))
        return None
    return value


def read_history_csv(text: str) -> list[HistoryRecord]:
    """The history records of CSV text; raises InvalidRequestError listing every unreadable cell."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InvalidRequestError([Problem(loc=["history"], code="empty_history", message="The history is empty.")])
    estimate, actual = _column(rows[0], ESTIMATE_NAMES), _column(rows[0], ACTUAL_NAMES)
    if estimate is None or actual is None:
        raise InvalidRequestError([Problem(
            loc=["history"],
            code="missing_history_column",
            message=f"The history needs the columns {ESTIMATE_NAMES[0]} and {ACTUAL_NAMES[0]}; its header is "
            f"{', '.join(rows[0]) or 'empty'}.",
        )])
    problems: list[Problem] = []
    records: list[HistoryRecord] = []
    for row, cells in enumerate(rows[1:], start=_FIRST_ROW):
        if not any(cell.strip() for cell in cells):
            continue
        padded = [*cells, *[""] * (max(estimate, actual) + 1)]
        estimated = _hours(padded[estimate], row, ESTIMATE_NAMES[0], problems)
        spent = _hours(padded[actual], row, ACTUAL_NAMES[0], problems)
        if estimated is None or spent is None:
            continue
        try:
            records.append(HistoryRecord(estimate_hours=estimated, actual_hours=spent))
        except ValidationError as error:
            problems.append(Problem(
                loc=["history", row], code="invalid_history_row", message=f"Row {row}: {error.errors()[0]['msg']}."
            ))
    if problems:
        raise InvalidRequestError(problems)
    if not records:
        raise InvalidRequestError([Problem(loc=["history"], code="empty_history", message="The history has no rows.")])
    return records
