"""`capplan import jira|linear|github|github-project|csv|excel FILE`: a backlog from where it lives into a request.

Every source goes through `service.importers.import_backlog` with its preset mapping, changed by `--map FILE`.
Notes on what could not be read as written go to stderr; the request goes to stdout or --out.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError

from api_schemas.common import Priority
from api_schemas.request import Calendar, Owner
from service.commands.terminal import fail_invalid, read_bytes, read_json, say, write_output
from service.importers import ImportOptions, ImportResult, ImportSource, import_backlog, mapping_for
from service.importers.mapping import read_mapping_file
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import problems_from_pydantic

import_app = typer.Typer(
    name="import",
    help="Turn a backlog from Jira, Linear, GitHub (issues or a project), CSV or Excel into a plan request JSON file.",
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
MapOption = Annotated[
    Path | None,
    typer.Option("--map", metavar="FILE", help="Mapping (JSON, or TOML by suffix) laid over the source's preset: "
                 "columns, priorities, sizes, point_hours, done_statuses, estimate_unit, date_formats; see "
                 "docs/week-plan.md."),
]
OwnerOption = Annotated[
    list[str] | None,
    typer.Option("--owner", metavar="ID[:HOURS]", help="An owner (repeat for each); default: the assignees."),
]
TeamOption = Annotated[str | None, typer.Option("--team", metavar="FILE", help="JSON list of owners.")]
DefaultPriorityOption = Annotated[
    Priority | None, typer.Option("--default-priority", help="Priority of issues that give none (default P2).")
]
TableMilestonesOption = Annotated[
    str | None, typer.Option("--milestones", metavar="CSV", help="Milestones table (id, name, due): due dates "
                             "the export lacks.")
]
OwnersTableOption = Annotated[
    str | None, typer.Option("--owners", metavar="CSV", help="Owners table (id, name, hours_per_day, skills, "
                             "working_weekdays, days_off, works_holidays); default: the owner column.")
]
RepoOption = Annotated[
    str | None, typer.Option(metavar="OWNER/REPO", help="This repository, so 'OWNER/REPO#12' and issue URLs count as "
                             "local references.")
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


def _owners(specs: list[str] | None, team: str | None, hours_per_day: float) -> list[Owner] | None:
    """The team: from --team FILE (a JSON list of owners), or --owner ID[:HOURS] options; None: from the input."""
    owners: list[Owner] = []
    if team is not None:
        data = read_json(team, "team file")
        try:
            owners = TypeAdapter(list[Owner]).validate_python(data)
        except ValidationError as error:
            fail_invalid([p.model_copy(update={"message": f"{team}: {p.message}"})
                          for p in problems_from_pydantic(error, None)], "team file")
    for spec in specs or []:
        identifier, _, hours = spec.partition(":")
        try:
            owners.append(Owner(id=identifier, hours_per_day=float(hours) if hours else hours_per_day))
        except (ValueError, ValidationError):
            raise typer.BadParameter(f"'{spec}' is not ID or ID:HOURS (e.g. alice:6).", param_hint="--owner") from None
    return owners or None


def _pairs(specs: list[str] | None, option: str) -> list[tuple[str, str]]:
    """'LABEL=VALUE' options as pairs; anything else is a usage error."""
    pairs = []
    for spec in specs or []:
        label, _, value = spec.rpartition("=")
        if not label or not value:
            raise typer.BadParameter(f"'{spec}' is not LABEL=VALUE.", param_hint=option)
        pairs.append((label, value.strip()))
    return pairs


def _priority_labels(specs: list[str] | None) -> dict[str, Priority]:
    try:
        return {label: Priority(value.upper()) for label, value in _pairs(specs, "--priority-label")}
    except ValueError:
        raise typer.BadParameter("priorities are P0, P1, P2 or P3.", param_hint="--priority-label") from None


def _size_labels(specs: list[str] | None) -> dict[str, float]:
    try:
        return {label: float(value) for label, value in _pairs(specs, "--size-label")}
    except ValueError:
        raise typer.BadParameter("sizes are hours, e.g. 'size: M=4'.", param_hint="--size-label") from None


def _run(
    source: ImportSource,
    file: str,
    options: ImportOptions,
    map_file: Path | None,
    out: Path | None,
    milestones: str | None = None,
    owners: str | None = None,
) -> None:
    """Import `file` from `source` and write the request (exit 1 with every problem when it cannot be read)."""
    what = f"{source.value} backlog"
    try:
        mapping = read_mapping_file(map_file, mapping_for(source, None)) if map_file is not None else None
        result = import_backlog(
            source,
            read_bytes(file, what),
            options,
            mapping,
            name=Path(file).name if file != "-" else "standard input",
            milestones=read_bytes(milestones, "milestones file") if milestones is not None else None,
            owners=read_bytes(owners, "owners file") if owners is not None else None,
        )
    except InvalidRequestError as error:
        fail_invalid(error.problems, what)
    _finish(result, out)


def _finish(result: ImportResult, out: Path | None) -> None:
    for note in result.notes:
        say(f"note: {note.message}")
    text = result.request.model_dump_json(indent=2, exclude_none=True) + "\n"
    write_output(text.encode(), out, binary=False)


def _options(start_date: str | None, country: str | None, hours_per_day: float, owner: list[str] | None,
             team: str | None, **more: Any) -> ImportOptions:
    return ImportOptions(start_date=_start(start_date), calendar=_calendar(country), hours_per_day=hours_per_day,
                         team=_owners(owner, team, hours_per_day), **more)


@import_app.command("jira")
def import_jira_command(
    export: Annotated[str, typer.Argument(metavar="CSV", help="Jira's 'Export CSV (all fields)' of a filter.")],
    map_file: MapOption = None,
    milestones: TableMilestonesOption = None,
    start_date: StartOption = None,
    hours_per_day: HoursOption = 8.0,
    owner: OwnerOption = None,
    team: TeamOption = None,
    default_priority: DefaultPriorityOption = None,
    country: CountryOption = None,
    out: OutOption = None,
) -> None:
    """Import a Jira CSV export; every value not read is a note on stderr.

    Read: Issue key, Summary, Priority (Highest..Lowest), Original and Remaining Estimate (seconds), Story Points,
    Due Date (18/Dec/26 12:00 AM), Fix Version/s (milestone), Assignee, Status, Blocks links.
    """
    options = _options(start_date, country, hours_per_day, owner, team, default_priority=default_priority)
    _run(ImportSource.JIRA, export, options, map_file, out, milestones)


@import_app.command("linear")
def import_linear_command(
    export: Annotated[str, typer.Argument(metavar="CSV", help="Linear's 'Export CSV' of a team or view.")],
    map_file: MapOption = None,
    milestones: TableMilestonesOption = None,
    start_date: StartOption = None,
    hours_per_day: HoursOption = 8.0,
    owner: OwnerOption = None,
    team: TeamOption = None,
    default_priority: DefaultPriorityOption = None,
    country: CountryOption = None,
    out: OutOption = None,
) -> None:
    """Import a Linear CSV export; every value not read is a note on stderr.

    Read: ID, Title, Priority (Urgent..Low), Estimate (points, 4 h each unless --map says), Project (milestone),
    Assignee, Status, Due Date, Blocked by.
    """
    options = _options(start_date, country, hours_per_day, owner, team, default_priority=default_priority)
    _run(ImportSource.LINEAR, export, options, map_file, out, milestones)


@import_app.command("github")
def import_github_command(
    issues: Annotated[str, typer.Argument(metavar="ISSUES_JSON", help="Output of `gh issue list --state all --json "
                                          "number,title,url,labels,milestone,state,body,assignees` ('-': stdin).")],
    milestones: Annotated[str | None, typer.Option("--milestones", metavar="FILE", help="Output of "
                          "`gh api repos/OWNER/REPO/milestones` (due dates).")] = None,
    map_file: MapOption = None,
    start_date: StartOption = None,
    hours_per_day: HoursOption = 8.0,
    owner: OwnerOption = None,
    team: TeamOption = None,
    priority_label: Annotated[list[str] | None, typer.Option("--priority-label", metavar="LABEL=P0", help="Extra "
                              "label meaning a priority (repeatable).")] = None,
    size_label: Annotated[list[str] | None, typer.Option("--size-label", metavar="LABEL=HOURS", help="Extra size "
                          "label and its hours (repeatable); defaults: size: XS/S/M/L/XL = 1/2/4/8/16 h.")] = None,
    default_priority: DefaultPriorityOption = None,
    repo: RepoOption = None,
    country: CountryOption = None,
    out: OutOption = None,
) -> None:
    """Import a GitHub backlog from gh's JSON: priorities and estimates from labels or body, dependencies from body.

    Closed issues become done work; issues without an estimate stay unplanned and are listed on stderr.
    """
    options = _options(start_date, country, hours_per_day, owner, team, default_priority=default_priority,
                       repo=repo, priority_labels=_priority_labels(priority_label),
                       size_labels=_size_labels(size_label))
    _run(ImportSource.GITHUB, issues, options, map_file, out, milestones)


@import_app.command("github-project")
def import_github_project_command(
    items: Annotated[str, typer.Argument(metavar="ITEMS_JSON", help="Output of `gh project item-list NUMBER --owner "
                                         "OWNER --limit 1000 --format json` ('-': stdin).")],
    map_file: MapOption = None,
    start_date: StartOption = None,
    hours_per_day: HoursOption = 8.0,
    owner: OwnerOption = None,
    team: TeamOption = None,
    default_priority: DefaultPriorityOption = None,
    repo: RepoOption = None,
    country: CountryOption = None,
    out: OutOption = None,
) -> None:
    """Import a GitHub project from gh's item list; every value not read is a note on stderr.

    Read: Status (Done: no work left), Iteration (a milestone due on its last day), Estimate (hours unless --map
    says), Priority and Size fields, then each issue's labels and body as `import github` reads them.
    """
    options = _options(start_date, country, hours_per_day, owner, team, default_priority=default_priority,
                       repo=repo)
    _run(ImportSource.GITHUB_PROJECT, items, options, map_file, out)


@import_app.command("csv")
def import_csv_command(
    backlog: Annotated[str, typer.Argument(metavar="CSV", help="One row per issue; see docs/week-plan.md for the "
                                           "columns (id, title, priority, milestone, due, estimate_hours, ...).")],
    owners: OwnersTableOption = None,
    milestones: TableMilestonesOption = None,
    map_file: MapOption = None,
    start_date: StartOption = None,
    hours_per_day: HoursOption = 8.0,
    owner: OwnerOption = None,
    team: TeamOption = None,
    country: CountryOption = None,
    out: OutOption = None,
) -> None:
    """Import a CSV backlog; every unreadable cell is reported with its row and column (exit 1)."""
    options = _options(start_date, country, hours_per_day, owner, team)
    _run(ImportSource.CSV, backlog, options, map_file, out, milestones, owners)


@import_app.command("excel")
def import_excel_command(
    workbook: Annotated[str, typer.Argument(metavar="XLSX", help="Issues on the first sheet (or --sheet); optional "
                                            "sheets 'owners' and 'milestones'.")],
    sheet: Annotated[str | None, typer.Option(help="Name of the issues sheet.")] = None,
    map_file: MapOption = None,
    start_date: StartOption = None,
    hours_per_day: HoursOption = 8.0,
    owner: OwnerOption = None,
    team: TeamOption = None,
    country: CountryOption = None,
    out: OutOption = None,
) -> None:
    """Import an Excel backlog (same columns as CSV); unreadable cells are reported by row and column (exit 1)."""
    options = _options(start_date, country, hours_per_day, owner, team, sheet=sheet)
    _run(ImportSource.EXCEL, workbook, options, map_file, out)
