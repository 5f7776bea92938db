"""`capplan import github|csv|excel`: turn a backlog from where it lives into a plan request JSON file.

Notes on what could not be read as written go to stderr; the request goes to stdout or --out.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError

from api_schemas.common import Priority
from api_schemas.request import Calendar, Owner
from service.commands.terminal import STDIO, fail_invalid, read_json, say, write_output
from service.importers import (
    GithubOptions,
    ImportResult,
    SpreadsheetOptions,
    import_csv,
    import_excel,
    import_github,
)
from service.importers.estimates import DEFAULT_PRIORITY_LABELS, DEFAULT_SIZE_LABELS
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import problems_from_pydantic

import_app = typer.Typer(
    name="import",
    help="Turn a backlog from GitHub (gh's JSON), CSV or Excel into a plan request JSON file.",
    no_args_is_help=True,
)

StartOption = Annotated[
    str | None, typer.Option("--start-date", metavar="YYYY-MM-DD", help="First day of the plan (default: today).")
]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", metavar="FILE", help="Write here instead of stdout.")]
HoursOption = Annotated[
    float, typer.Option("--hours-per-day", min=0.25, max=24, help="Hours a day of owners the input only names.")
]
CountryOption = Annotated[
    str | None, typer.Option("--country", metavar="CODE", help="Add this country's public holidays (e.g. JP, US).")
]


def _start(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a date like 2025-11-24.", param_hint="--start-date") from None


def _calendar(country: str | None) -> Calendar:
    try:
        return Calendar(country=country)
    except ValidationError as error:
        fail_invalid(problems_from_pydantic(error, None), "calendar")


def _finish(result: ImportResult, out: Path | None) -> None:
    for note in result.notes:
        say(f"note: {note.message}")
    text = result.request.model_dump_json(indent=2, exclude_none=True) + "\n"
    write_output(text.encode(), out, binary=False)


def _owners(specs: list[str], team: str | None, hours_per_day: float) -> list[Owner] | None:
    """The team: from --team FILE (a JSON list of owners), or --owner ID[:HOURS] options; None: from the input."""
    owners: list[Owner] = []
    if team is not None:
        data = read_json(team, "team file")
        try:
            owners = TypeAdapter(list[Owner]).validate_python(data)
        except ValidationError as error:
            fail_invalid([p.model_copy(update={"message": f"{team}: {p.message}"})
                          for p in problems_from_pydantic(error, None)], "team file")
    for spec in specs:
        identifier, _, hours = spec.partition(":")
        try:
            owners.append(Owner(id=identifier, hours_per_day=float(hours) if hours else hours_per_day))
        except (ValueError, ValidationError):
            raise typer.BadParameter(f"'{spec}' is not ID or ID:HOURS (e.g. alice:6).", param_hint="--owner") from None
    return owners or None


def _pairs(specs: list[str], option: str) -> list[tuple[str, str]]:
    """'LABEL=VALUE' options as pairs; anything else is a usage error."""
    pairs = []
    for spec in specs:
        label, _, value = spec.rpartition("=")
        if not label or not value:
            raise typer.BadParameter(f"'{spec}' is not LABEL=VALUE.", param_hint=option)
        pairs.append((label, value.strip()))
    return pairs


def _priority_labels(specs: list[str]) -> dict[str, Priority]:
    try:
        return {label: Priority(value.upper()) for label, value in _pairs(specs, "--priority-label")}
    except ValueError:
        raise typer.BadParameter("priorities are P0, P1, P2 or P3.", param_hint="--priority-label") from None


def _size_labels(specs: list[str]) -> dict[str, float]:
    try:
        return {label: float(value) for label, value in _pairs(specs, "--size-label")}
    except ValueError:
        raise typer.BadParameter("sizes are hours, e.g. 'size: M=4'.", param_hint="--size-label") from None


@import_app.command("github")
def import_github_command(
    issues: Annotated[str, typer.Argument(metavar="ISSUES_JSON", help="Output of `gh issue list --state all --json "
                                          "number,title,labels,milestone,state,body,assignees` ('-': stdin).")],
    milestones: Annotated[str | None, typer.Option("--milestones", metavar="FILE", help="Output of "
                          "`gh api repos/OWNER/REPO/milestones` (due dates).")] = None,
    start_date: StartOption = None,
    hours_per_day: HoursOption = 8.0,
    owner: Annotated[list[str], typer.Option("--owner", metavar="ID[:HOURS]", help="An owner (repeat for each); "
                     "default: the assignees.")] = [],  # noqa: B006 - typer reads the default, never mutates it
    team: Annotated[str | None, typer.Option("--team", metavar="FILE", help="JSON list of owners.")] = None,
    priority_label: Annotated[list[str], typer.Option("--priority-label", metavar="LABEL=P0", help="Extra label "
                              "meaning a priority (repeatable).")] = [],  # noqa: B006
    size_label: Annotated[list[str], typer.Option("--size-label", metavar="LABEL=HOURS", help="Extra size label "
                          "and its hours (repeatable); defaults: size: XS/S/M/L/XL = 1/2/4/8/16 h.")] = [],  # noqa: B006
    default_priority: Annotated[Priority, typer.Option(help="Priority of issues without a priority label.")] = (
        Priority.P2
    ),
    repo: Annotated[str | None, typer.Option(metavar="OWNER/REPO", help="This repository, so 'OWNER/REPO#12' and "
                    "issue URLs count as local references.")] = None,
    country: CountryOption = None,
    out: OutOption = None,
) -> None:
    """Import a GitHub backlog from gh's JSON: priorities and estimates from labels or body, dependencies from body.

    Closed issues become done work; issues without an estimate stay unplanned and are listed on stderr.
    """
    options = GithubOptions(
        start_date=_start(start_date),
        calendar=_calendar(country),
        hours_per_day=hours_per_day,
        team=_owners(owner, team, hours_per_day),
        priority_labels={**DEFAULT_PRIORITY_LABELS, **_priority_labels(priority_label)},
        size_labels={**DEFAULT_SIZE_LABELS, **_size_labels(size_label)},
        default_priority=default_priority,
        repo=repo,
    )
    issues_json = read_json(issues, "gh issue list JSON")
    milestones_json = read_json(milestones, "milestones JSON") if milestones is not None else None
    try:
        result = import_github(issues_json, milestones_json, options)
    except InvalidRequestError as error:
        fail_invalid(error.problems, "GitHub backlog")
    _finish(result, out)


def _spreadsheet(path: str, what: str) -> Path:
    if path == STDIO or not Path(path).is_file():
        raise typer.BadParameter(f"{what} '{path}' is not a readable file.")
    return Path(path)


@import_app.command("csv")
def import_csv_command(
    backlog: Annotated[str, typer.Argument(metavar="CSV", help="One row per issue; see docs/week-plan.md for the "
                                           "columns (id, title, priority, milestone, due, estimate_hours, ...).")],
    owners: Annotated[str | None, typer.Option("--owners", metavar="CSV", help="Owners table (id, hours_per_day, "
                      "...); default: the owner column.")] = None,
    milestones: Annotated[str | None, typer.Option("--milestones", metavar="CSV", help="Milestones table "
                          "(id, name, due); default: the milestone and due columns.")] = None,
    start_date: StartOption = None,
    hours_per_day: HoursOption = 8.0,
    country: CountryOption = None,
    out: OutOption = None,
) -> None:
    """Import a CSV backlog; every unreadable cell is reported with its row and column (exit 1)."""
    options = SpreadsheetOptions(start_date=_start(start_date), calendar=_calendar(country),
                                 hours_per_day=hours_per_day)
    try:
        result = import_csv(
            _spreadsheet(backlog, "CSV backlog"),
            options,
            owners=_spreadsheet(owners, "owners CSV") if owners else None,
            milestones=_spreadsheet(milestones, "milestones CSV") if milestones else None,
        )
    except InvalidRequestError as error:
        fail_invalid(error.problems, "CSV backlog")
    _finish(result, out)


@import_app.command("excel")
def import_excel_command(
    workbook: Annotated[str, typer.Argument(metavar="XLSX", help="Issues on the first sheet (or --sheet); optional "
                                            "sheets 'owners' and 'milestones'.")],
    sheet: Annotated[str | None, typer.Option(help="Name of the issues sheet.")] = None,
    start_date: StartOption = None,
    hours_per_day: HoursOption = 8.0,
    country: CountryOption = None,
    out: OutOption = None,
) -> None:
    """Import an Excel backlog (same columns as CSV); unreadable cells are reported by row and column (exit 1)."""
    options = SpreadsheetOptions(start_date=_start(start_date), calendar=_calendar(country),
                                 hours_per_day=hours_per_day)
    try:
        result = import_excel(_spreadsheet(workbook, "Excel backlog"), options, sheet)
    except InvalidRequestError as error:
        fail_invalid(error.problems, "Excel backlog")
    _finish(result, out)
