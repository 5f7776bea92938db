"""Importers of backlogs from where they live (GitHub via gh's JSON, CSV and Excel) into plan requests.

Each returns the request and notes on what it could not read as written; malformed input raises
`solver.intake.errors.InvalidRequestError` with problems naming the item, row or column.
"""

from service.importers.github import GithubOptions, import_github
from service.importers.result import ImportNote, ImportResult
from service.importers.spreadsheet import SpreadsheetOptions, backlog_from_frames, import_csv, import_excel

__all__ = [
    "GithubOptions",
    "ImportNote",
    "ImportResult",
    "SpreadsheetOptions",
    "backlog_from_frames",
    "import_csv",
    "import_excel",
    "import_github",
]
