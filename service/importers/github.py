"""GitHub backlogs as gh prints them, turned into a plan request.

Input: the JSON of `gh issue list --json number,title,url,labels,milestone,state,body,assignees` and,
optionally, of `gh api repos/OWNER/REPO/milestones` (due dates of every milestone).

- Issues are `#<number>`; closed issues are done work (0 hours left), so dependencies on them are met.
- Priority comes from labels (`DEFAULT_PRIORITY_LABELS`, 'P0'..'P3' anywhere in a label), else the default.
- Estimates come from labels ('estimate: 4h', size labels) or the body ('Estimate: 4h', 'Estimated Time: 2d').
- Dependencies come from the body ('Blocked by #840', 'Depends on #972 (+1 day)', task lists, 'Blocks #841').
- Owners are the assignees (or the team given); an issue is pinned to its first assignee.
- An open, pinned issue with an in-progress label (`IN_PROGRESS_LABELS`, e.g. 'in progress', 'doing') is
  `in_progress` (it continues at the plan start), unless it waits for an open issue (a note says so).
Everything that cannot be read as written (no estimate, unknown or foreign references, several assignees)
becomes a note; malformed JSON raises `InvalidRequestError` naming the item and field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from api_schemas.common import IDENTIFIER_CHARS, Identifier, Priority, forbidden_identifier_character
from api_schemas.problems import Problem
from api_schemas.request import Calendar, Dependency, Issue, Milestone, Owner, PlanRequest, is_web_link
from service.importers.display_text import importable_text
from service.importers.durations import WorkUnits
from service.importers.estimates import (
    DEFAULT_PRIORITY_LABELS,
    DEFAULT_SIZE_LABELS,
    Estimate,
    priority_from_labels,
    read_labels,
    read_text,
)
from service.importers.references import Reference, body_references
from service.importers.result import ImportNote, ImportResult
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import problems_from_pydantic


class _GhModel(BaseModel):
    """gh prints more fields than capplan reads; the others are ignored."""

    model_config = ConfigDict(extra="ignore")


class GhLabel(_GhModel):
    """A label as gh prints it."""

    name: str


class GhUser(_GhModel):
    """An assignee as gh prints it (the login becomes an owner's id, so it must be one)."""

    login: Identifier
    name: str | None = None


class GhMilestone(_GhModel):
    """An issue's milestone as `gh issue list` prints it."""

    number: int | None = None
    title: str
    due_on: datetime | None = Field(default=None, alias="dueOn")


class GhIssue(_GhModel):
    """One item of `gh issue list --json number,title,url,labels,milestone,state,body,assignees`."""

    number: int
    title: str = ""
    url: str | None = None
    state: str = "OPEN"
    body: str | None = ""
    labels: list[GhLabel] = Field(default_factory=list)
    assignees: list[GhUser] = Field(default_factory=list)
    milestone: GhMilestone | None = None


class RestMilestone(_GhModel):
    """One item of `gh api repos/OWNER/REPO/milestones` (the REST API's milestone)."""

    number: int
    title: str
    state: str = "open"
    due_on: datetime | None = None


@dataclass(frozen=True)
class GithubOptions:
    """How to read a GitHub backlog: the plan's start, the team, and the label maps."""

    start_date: date
    calendar: Calendar = field(default_factory=Calendar)
    hours_per_day: float = 8.0
    team: Sequence[Owner] | None = None
    priority_labels: Mapping[str, Priority] = field(default_factory=lambda: dict(DEFAULT_PRIORITY_LABELS))
    size_labels: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SIZE_LABELS))
    default_priority: Priority = Priority.P2
    repo: str | None = None
    units: WorkUnits = field(default_factory=WorkUnits)


def parse_gh_json(adapter: TypeAdapter[Any], data: object, what: str) -> Any:
    """Validate gh's JSON, or raise with every problem naming the item (and its issue number) and field."""
    try:
        return adapter.validate_python(data)
    except ValidationError as error:
        problems = []
        for problem in problems_from_pydantic(error, None):
            loc = problem.loc
            number = _number_at(data, loc)
            where = f"{what} item {loc[0]}" + (f" (#{number})" if number is not None else "") if loc else what
            field_name = ".".join(str(part) for part in loc[1:]) or "item"
            detail = problem.message.split(": ", 1)[-1]
            problems.append(
                Problem(loc=[what, *loc], code=problem.code, message=f"{where}, field '{field_name}': {detail}",
                        ids=[f"#{number}"] if number is not None else [])
            )
        raise InvalidRequestError(problems) from None


def _number_at(data: object, loc: Sequence[str | int]) -> int | None:
    if not loc or not isinstance(loc[0], int) or not isinstance(data, list) or loc[0] >= len(data):
        return None
    item = data[loc[0]]
    number = item.get("number") if isinstance(item, dict) else None
    return number if isinstance(number, int) else None


def milestone_id_of(title: str, number: int | None) -> str:
    """The milestone's title when it is a valid id, else 'milestone-<number>'."""
    stripped = title.strip()
    valid = stripped == title and len(title) <= IDENTIFIER_CHARS and forbidden_identifier_character(title) is None
    if stripped and valid:
        return title
    if number is not None:
        return f"milestone-{number}"
    printable = "".join(c for c in title if forbidden_identifier_character(c) is None)
    return " ".join(printable.split())[:IDENTIFIER_CHARS].strip() or "milestone"


def foreign_key(repository: str | None, number: int) -> str:
    """An issue of another repository as an id: 'owner/repo#12', cut at the start to fit ('…repo#12'), printable.

    GitHub allows longer repository names than an id's 64 characters; an id never holds what ids refuse.
    """
    key = "".join(c for c in f"{repository}#{number}" if forbidden_identifier_character(c) is None).strip()
    return key if len(key) <= IDENTIFIER_CHARS else "…" + key[-(IDENTIFIER_CHARS - 1):]


@dataclass(frozen=True)
class ItemFields:
    """What a GitHub project says of an issue beside the issue itself (its fields), read before the issue.

    `key` replaces '#<number>' as the id of items that are not issues of the main repository (drafts, other
    repositories), and `repository` is such an item's repository (its '#12' means that repository's #12);
    `estimate`, `priority` and `milestone` come before labels and body; `done` from the status.
    """

    key: str | None = None
    repository: str | None = None
    estimate: Estimate | None = None
    priority: Priority | None = None
    done: bool = False
    milestone: Milestone | None = None


class GithubBacklogBuilder:
    """Builds the request and collects notes for one import."""

    def __init__(self, issues: list[GhIssue], milestones: list[RestMilestone], options: GithubOptions,
                 fields: Sequence[ItemFields] | None = None) -> None:
        self.issues = issues
        self.rest_milestones = {milestone.number: milestone for milestone in milestones}
        self.options = options
        self.notes: list[ImportNote] = []
        self.fields = list(fields) if fields is not None else [ItemFields() for _ in issues]
        self.numbers = {issue.number for issue, item in zip(issues, self.fields, strict=True) if item.key is None}

    def identifier(self, issue: GhIssue, item: ItemFields) -> str:
        """'#<number>', or the project item's own key."""
        return item.key or f"#{issue.number}"

    def note(self, code: str, message: str, ids: list[str]) -> None:
        """Record something the reader should know about the import."""
        self.notes.append(ImportNote(code, message, ids))

    def milestones(self) -> tuple[list[Milestone], dict[str, str]]:
        """Milestones of the issues (due dates from the REST list, else gh's), and title -> id."""
        seen: dict[str, Milestone] = {}
        id_of: dict[str, str] = {}
        for issue, item in zip(self.issues, self.fields, strict=True):
            if item.milestone is not None:
                seen.setdefault(item.milestone.id, item.milestone)
                continue
            milestone = issue.milestone
            if milestone is None or milestone.title in id_of:
                continue
            rest = self.rest_milestones.get(milestone.number) if milestone.number is not None else None
            due_on = rest.due_on if rest is not None and rest.due_on is not None else milestone.due_on
            identifier = milestone_id_of(milestone.title, milestone.number)
            id_of[milestone.title] = identifier
            name = importable_text(milestone.title, f"milestone '{identifier}', its title", [], self.notes)
            seen[identifier] = Milestone(id=identifier, name=name,
                                         due=due_on.date() if due_on else None)
        return list(seen.values()), id_of

    def owners(self) -> list[Owner]:
        """The given team, else one owner per assignee login."""
        if self.options.team is not None:
            return list(self.options.team)
        owners: dict[str, Owner] = {}
        for issue in self.issues:
            for user in issue.assignees:
                if user.login in owners:
                    continue
                name = importable_text(user.name, f"assignee {user.login}, their name", [], self.notes) \
                    if user.name else None
                owners.setdefault(user.login, Owner(id=user.login, name=name,
                                                    hours_per_day=self.options.hours_per_day))
        return list(owners.values())

    def priority(self, issue: GhIssue, identifier: str, field: Priority | None = None) -> Priority:
        """The project field's priority, else the highest its labels name, else the default."""
        found = priority_from_labels([label.name for label in issue.labels], self.options.priority_labels)
        if field is not None:
            if any(priority != field for priority in found):
                said = ", ".join(sorted({p.value for p in found}))
                self.note("priority_conflict", f"{identifier}: its project field says {field.value} but its labels "
                          f"say {said}; took the field's {field.value}.", [identifier])
            return field
        if not found:
            return self.options.default_priority
        best = min(found, key=lambda priority: priority.rank)
        if len(set(found)) > 1:
            self.note("several_priorities", f"{identifier} has labels of several priorities "
                      f"({', '.join(sorted({p.value for p in found}))}); took the highest, {best.value}.",
                      [identifier])
        return best

    def work(self, issue: GhIssue, identifier: str, fields: Sequence[Estimate] = ()) -> dict[str, float]:
        """{'estimate_hours': h} from fields, labels or body, {'remaining_hours': 0} when closed, {} when unknown.

        Sources in order of trust: `fields` (a project's Estimate), estimate labels, the body's 'Estimate:' line,
        size labels. When they disagree the first is taken and the others are named in a note.
        """
        if issue.state.upper() == "CLOSED":
            return {"remaining_hours": 0.0}
        labels = read_labels([label.name for label in issue.labels], self.options.size_labels, self.options.units)
        body = read_text(issue.body or "", self.options.units)
        for text in [*labels.unreadable, *body.unreadable]:
            self.note("estimate_unreadable", f"{identifier}: its {text} is not an amount of work (e.g. 4h, 1,5h, "
                      "2 days, PT4H); not read.", [identifier])
        sized = [estimate for estimate in labels.found if estimate.source.startswith("size label")]
        explicit = [estimate for estimate in labels.found if not estimate.source.startswith("size label")]
        candidates = [*fields, *explicit, *body.found, *sized]
        if not candidates:
            return {}
        estimate = candidates[0]
        others = [other for other in candidates[1:] if other.hours != estimate.hours]
        if others:
            said = "; ".join(f"its {other.source} says {other.hours:g} h" for other in others)
            self.note("estimate_conflict", f"{identifier}: {estimate.hours:g} h from its {estimate.source}, "
                      f"but {said}; took its {estimate.source} (trusted in this order: project field, "
                      "estimate label, body, size label).", [identifier])
        if estimate.note:
            self.note("estimate_adjusted", f"{identifier}: estimate from its {estimate.source}: {estimate.note}.",
                      [identifier])
        if estimate.hours <= 0:
            self.note("zero_estimate", f"{identifier}: its {estimate.source} gives 0 h; left unestimated.",
                      [identifier])
            return {}
        return {"estimate_hours": estimate.hours}

    def dependencies(self, issue: GhIssue, identifier: str, reverse: dict[int, list[Reference]],
                     own_repo: str | None = None) -> list[Dependency]:
        """The body's dependencies and those other bodies give ('Blocks #n'); the rest become notes.

        '#12' in an issue of another repository (a project's item 'owner/repo#7') means that repository's #12;
        a reference to another repository is a dependency when that issue is imported too.
        """
        references = body_references(issue.body or "", self.options.repo).depends_on + reverse.get(issue.number, [])
        keys = {item.key for item in self.fields if item.key is not None}
        found: dict[str, int] = {}
        for reference in references:
            repo = reference.repo or own_repo
            target = foreign_key(repo, reference.number) if repo is not None else f"#{reference.number}"
            known = target in keys if repo is not None else reference.number in self.numbers
            if target == identifier:
                self.note("self_reference", f"{identifier} refers to itself as a dependency; ignored.", [identifier])
            elif known:
                found[target] = max(found.get(target, 0), reference.lag_days)
            elif reference.repo is not None:
                self.note("foreign_reference", f"{identifier} refers to {target}, an issue of another repository "
                          "that is not imported; that dependency is not planned.", [identifier])
            else:
                self.note("unknown_reference", f"{identifier} depends on {target}, which is not in the "
                          "imported issues (list closed issues too with `gh issue list --state all`); "
                          "that dependency is not planned.", [identifier, target])
        return [Dependency(issue=target, lag_days=lag) for target, lag in found.items()]

    def reverse_references(self) -> dict[int, list[Reference]]:
        """'Blocks #841' in #840's body: #841 depends on #840."""
        reverse: dict[int, list[Reference]] = {}
        for issue in self.issues:
            for reference in body_references(issue.body or "", self.options.repo).blocks:
                if reference.repo is None and reference.number in self.numbers and issue.number in self.numbers:
                    reverse.setdefault(reference.number, []).append(Reference(issue.number, reference.lag_days))
                else:
                    self.note("unknown_reference", f"#{issue.number} says it blocks "
                              f"{(reference.repo or '') + '#' + str(reference.number)}, which is not in the "
                              "imported issues; ignored.", [f"#{issue.number}"])
        return reverse

    def in_progress(self, issues: list[Issue]) -> list[Issue]:
        """Mark pinned open issues with an in-progress label; one waiting for open work stays a plain issue."""
        started = {f"#{gh.number}" for gh in self.issues if _is_in_progress(gh)}
        open_work = {issue.id for issue in issues if issue.work_hours}
        marked = []
        for issue in issues:
            if issue.id in started and issue.pinned_owner is not None and issue.work_hours:
                waiting = [d.issue for d in issue.depends_on if d.issue in open_work]
                if waiting:
                    self.note("in_progress_waiting", f"{issue.id} is labelled in progress but waits for "
                              f"{', '.join(waiting)}, still open; planned as not started.", [issue.id])
                else:
                    issue = issue.model_copy(update={"in_progress": True})
            elif issue.id in started and issue.work_hours:
                self.note("in_progress_without_owner", f"{issue.id} is labelled in progress but has no assignee in "
                          "the team; planned as not started.", [issue.id])
            marked.append(issue)
        return marked

    def build(self) -> ImportResult:
        """The plan request of every issue, with the notes gathered while reading them."""
        milestones, milestone_id = self.milestones()
        owners = self.owners()
        owner_ids = {owner.id for owner in owners}
        reverse = self.reverse_references()
        issues: list[Issue] = []
        defaulted: list[str] = []
        unestimated: list[str] = []
        for gh, item in zip(self.issues, self.fields, strict=True):
            identifier = self.identifier(gh, item)
            title = importable_text(gh.title, f"{identifier}, its title", [identifier], self.notes)
            assignees = [user.login for user in gh.assignees]
            pinned = next((login for login in assignees if login in owner_ids), None)
            if len(assignees) > 1:
                self.note("several_assignees", f"{identifier} has {len(assignees)} assignees "
                          f"({', '.join(assignees)}); pinned to {pinned or 'nobody'}.", [identifier])
            if assignees and pinned is None:
                self.note("assignee_not_in_team", f"{identifier} is assigned to {', '.join(assignees)}, "
                          "who is not in the team; any owner may take it.", [identifier])
            work = {"remaining_hours": 0.0} if item.done else self.work(
                gh, identifier, [item.estimate] if item.estimate else [])
            if not work:
                unestimated.append(identifier)
            if item.priority is None and not priority_from_labels([label.name for label in gh.labels],
                                                                  self.options.priority_labels):
                defaulted.append(identifier)
            issues.append(
                Issue(
                    id=identifier,
                    title=title,
                    url=gh.url if gh.url is not None and is_web_link(gh.url) else None,
                    priority=self.priority(gh, identifier, item.priority),
                    milestone=item.milestone.id if item.milestone else (
                        milestone_id[gh.milestone.title] if gh.milestone else None),
                    pinned_owner=pinned,
                    depends_on=self.dependencies(gh, identifier, reverse if item.key is None else {}, item.repository),
                    **work,
                )
            )
        if unestimated:
            self.note("no_estimate", f"{len(unestimated)} open issue(s) have no estimate (no estimate or size label, "
                      f"no 'Estimate:' line in the body) and stay unplanned: {', '.join(unestimated)}.", unestimated)
        if defaulted:
            self.note("default_priority", f"{len(defaulted)} issue(s) have no priority label and get "
                      f"{self.options.default_priority.value}: {', '.join(defaulted)}.", defaulted)
        if not owners:
            raise InvalidRequestError([Problem(loc=["owners"], code="no_owners", message=(
                "No owners: no imported issue has an assignee; give the team (--owner ID[:HOURS] or --team FILE)."
            ))])
        issues = self.in_progress(issues)
        request = PlanRequest(start_date=self.options.start_date, calendar=self.options.calendar, owners=owners,
                              milestones=milestones, issues=issues)
        return ImportResult(request=request, notes=self.notes)


#: Labels (lower case, '-' and '_' as spaces) that mark an issue whose work has started.
IN_PROGRESS_LABELS = frozenset({"in progress", "doing", "wip", "started", "status: in progress"})


def _is_in_progress(gh: GhIssue) -> bool:
    names = {label.name.lower().replace("-", " ").replace("_", " ").strip() for label in gh.labels}
    return gh.state.upper() == "OPEN" and bool(names & IN_PROGRESS_LABELS)


def import_github(issues_json: object, milestones_json: object | None, options: GithubOptions) -> ImportResult:
    """Read gh's issue list (and optionally the REST milestones list) into a plan request with notes."""
    issues: list[GhIssue] = parse_gh_json(TypeAdapter(list[GhIssue]), issues_json, "issues")
    milestones: list[RestMilestone] = (
        parse_gh_json(TypeAdapter(list[RestMilestone]), milestones_json, "milestones")
        if milestones_json is not None else []
    )
    repeated = sorted({issue.number for issue in issues if sum(i.number == issue.number for i in issues) > 1})
    if repeated:
        raise InvalidRequestError([Problem(loc=["issues"], code="duplicate_id", message=(
            f"The issue list has issue number(s) {', '.join(f'#{n}' for n in repeated)} more than once."
        ), ids=[f"#{n}" for n in repeated])])
    return GithubBacklogBuilder(issues, milestones, options).build()
