"""Importers of backlogs from where they live (Jira, Linear, GitHub issues and Projects, CSV, Excel) into plan requests.

`import_backlog(source, data, options, mapping)` is the one entry: a file's bytes, the source, and optionally
a mapping laid over the source's preset. Each returns the request and notes on what it could not read as
written or had to decide; malformed input raises `solver.intake.errors.InvalidRequestError` with problems
naming the item, row or column.
"""

from api_schemas.imports import ImportSource
from service.importers.backlog import ImportOptions, import_backlog, mapping_for
from service.importers.github import GithubOptions, import_github
from service.importers.github_project import import_github_project
from service.importers.mapping import PRESETS, ImportMapping, read_mapping_file
from service.importers.result import ImportNote, ImportResult
from service.importers.spreadsheet import (
    SpreadsheetOptions,
    backlog_from_frames,
    backlog_from_tables,
    import_csv,
    import_excel,
)

__all__ = [
    "PRESETS",
    "GithubOptions",
    "ImportMapping",
    "ImportNote",
    "ImportOptions",
    "ImportResult",
    "ImportSource",
    "SpreadsheetOptions",
    "backlog_from_frames",
    "backlog_from_tables",
    "import_backlog",
    "import_csv",
    "import_excel",
    "import_github",
    "import_github_project",
    "mapping_for",
    "read_mapping_file",
]
