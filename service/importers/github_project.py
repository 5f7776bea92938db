"""GitHub Projects as gh prints them (`gh project item-list N --owner OWNER --format json`), into a plan request.

gh prints `{"items": [...], "totalCount": N}`; each item has `id`, `content` (`type` Issue, PullRequest or
DraftIssue, with `title`, `body`, and for issues `number`, `repository`, `url`) and one key per project field
set on it, named as in the project with its first letter lower-cased: `status`, `iteration`
(`{title, startDate, duration}`), `estimate` (a number), `priority`, `size`, `assignees`, `labels`, `milestone`.

The mapping (`PRESETS["github-project"]`, changed by `--map`) says which fields mean status, estimate,
priority, size and milestone; the issue itself is read as `gh issue list` JSON is (labels, body estimates and
dependencies), with the project's fields trusted first and every disagreement a note. Issues of the
project's main repository are `#<number>`; those of other repositories `owner/repo#<number>`, drafts
`draft-<n>`; pull requests are not planned (a note lists them). Done statuses leave 0 hours.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from api_schemas.common import Priority, printable_text
from api_schemas.request import Milestone
from service.importers.display_text import importable_text
from service.importers.durations import DurationError
from service.importers.estimates import PRIORITY_WORDS, Estimate, read_amount, to_quarter_hours
from service.importers.github import (
    GhIssue,
    GhLabel,
    GhMilestone,
    GhUser,
    GithubBacklogBuilder,
    GithubOptions,
    ItemFields,
    foreign_key,
    milestone_id_of,
    parse_gh_json,
)
from service.importers.mapping import PRESETS, ImportMapping, Target, column_key
from service.importers.result import ImportNote, ImportResult

#: Item keys gh prints that are read as the issue itself, not through the mapping.
_ISSUE_KEYS = {"id", "content", "title", "assignees", "labels", "milestone", "repository"}


class ProjectContent(BaseModel):
    """An item's `content` as gh prints it."""

    model_config = ConfigDict(extra="ignore")

    type: str
    title: str = ""
    body: str | None = ""
    number: int | None = None
    repository: str | None = None
    url: str | None = None


class ProjectItem(BaseModel):
    """One item of `gh project item-list --format json`; its field values stay in `fields`."""

    model_config = ConfigDict(extra="allow")

    id: str
    content: ProjectContent | None = None

    @property
    def fields(self) -> dict[str, Any]:
        """Every key gh printed beside `id` and `content`."""
        return dict(self.model_extra or {})


class ProjectItems(BaseModel):
    """The whole of `gh project item-list --format json`."""

    model_config = ConfigDict(extra="ignore")

    items: list[ProjectItem]
    total_count: int | None = Field(default=None, alias="totalCount")


class _ItemReader:
    """Reads the project fields of items through the mapping, with notes naming the item."""

    def __init__(self, mapping: ImportMapping) -> None:
        self.mapping = mapping
        self.targets = {column_key(name): target for name, target in mapping.columns.items()}
        self.notes: list[ImportNote] = []

    def note(self, code: str, message: str, ids: list[str]) -> None:
        self.notes.append(ImportNote(code, message, ids))

    def value(self, fields: Mapping[str, Any], target: Target) -> tuple[str, Any] | None:
        """The (field name, value) of the first field mapped to `target` that the item has."""
        for name, value in fields.items():
            if self.targets.get(column_key(name)) is target and value not in (None, "", []):
                return name, value
        return None

    def estimate(self, fields: Mapping[str, Any], identifier: str) -> Estimate | None:
        found = self.value(fields, Target.ESTIMATE)
        size = self.size(fields, identifier)
        if found is None:
            return size
        name, value = found
        source = f"project field '{name}'"
        try:
            if isinstance(value, int | float) and not isinstance(value, bool):
                hours = float(value) * self.mapping.hours_per(self.mapping.estimate_unit)
                estimate = Estimate(to_quarter_hours(hours), source, None if to_quarter_hours(hours) == hours
                                    else f"{hours:g} h rounded up to {to_quarter_hours(hours):g} h")
            else:
                estimate = read_amount(str(value), source, self.mapping.units)
        except DurationError as error:
            self.note("value_not_read", f"{identifier}: its {source}: {error}; not read.", [identifier])
            return size
        if size is not None and size.hours != estimate.hours:
            self.note("estimate_conflict", f"{identifier}: its {source} says {estimate.hours:g} h but its "
                      f"{size.source} makes {size.hours:g} h; took the {source}.", [identifier])
        return estimate

    def size(self, fields: Mapping[str, Any], identifier: str) -> Estimate | None:
        found = self.value(fields, Target.SIZE)
        if found is None:
            return None
        name, value = found
        text = str(value).strip()
        sizes = {key.lower(): hours for key, hours in self.mapping.sizes.items()}
        if text.lower() in sizes:
            return Estimate(to_quarter_hours(sizes[text.lower()]), f"project field '{name}' ({text})")
        if isinstance(value, int | float) and self.mapping.point_hours is not None:
            return Estimate(to_quarter_hours(float(value) * self.mapping.point_hours),
                            f"project field '{name}' ({value:g} point(s) at {self.mapping.point_hours:g} h)")
        self.note("value_not_read", f"{identifier}: its project field '{name}' is '{text}', which has no hours "
                  "(give them with --map sizes); not read.", [identifier])
        return None

    def priority(self, fields: Mapping[str, Any], identifier: str) -> Priority | None:
        found = self.value(fields, Target.PRIORITY)
        if found is None:
            return None
        name, value = found
        key = str(value).strip().lower()
        mapped = {k.lower(): v for k, v in self.mapping.priorities.items()}
        priority = mapped.get(key) or PRIORITY_WORDS.get(key)
        if priority is None:
            self.note("value_not_read", f"{identifier}: its project field '{name}' is '{value}', not a priority "
                      "(map it with --map priorities); its labels decide.", [identifier])
        return priority

    def done(self, fields: Mapping[str, Any]) -> bool:
        found = self.value(fields, Target.STATUS)
        return found is not None and str(found[1]).strip().lower() in {s.lower() for s in self.mapping.done_statuses}

    def name(self, title: str) -> str:
        """A milestone's or iteration's title as the contract takes it (a change is noted)."""
        return importable_text(title, f"milestone '{printable_text(title)}', its title", [], self.notes)

    def milestone(self, fields: Mapping[str, Any], identifier: str) -> Milestone | None:
        """An iteration (due on its last day), a GitHub milestone (its due date) or a plain value, as a milestone."""
        found = self.value(fields, Target.MILESTONE)
        if found is None:
            return None
        name, value = found
        if isinstance(value, dict) and "title" in value:
            title = str(value["title"])
            due_on = _due_on(value.get("dueOn"))
            due = _iteration_end(value) if "startDate" in value else due_on.date() if due_on else None
            return Milestone(id=milestone_id_of(title, None), name=self.name(title), due=due)
        if isinstance(value, str):
            return Milestone(id=milestone_id_of(value, None), name=self.name(value))
        self.note("value_not_read", f"{identifier}: its project field '{name}' is not a milestone or iteration; "
                  "not read.", [identifier])
        return None


def _iteration_end(value: Mapping[str, Any]) -> date | None:
    """The last day of an iteration: `startDate` plus `duration` days, less one."""
    try:
        start = date.fromisoformat(str(value["startDate"]))
        return start + timedelta(days=max(int(value.get("duration") or 1), 1) - 1)
    except (ValueError, TypeError):
        return None


def _due_on(value: object) -> datetime | None:
    """A GitHub `dueOn` ('2025-12-05T00:00:00Z'), or None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _main_repository(items: list[ProjectItem], repo: str | None) -> str | None:
    """The repository whose issues are '#<number>': the one given, else the one most items come from."""
    if repo is not None:
        return repo
    counts = Counter(item.content.repository for item in items
                     if item.content is not None and item.content.type == "Issue" and item.content.repository)
    return counts.most_common(1)[0][0] if counts else None


def _gh_issue(item: ProjectItem, content: ProjectContent, number: int) -> GhIssue:
    """The item as `gh issue list` would print its issue (open: gh's project list has no state; status decides)."""
    fields = item.fields
    milestone = fields.get("milestone")
    return GhIssue(
        number=number,
        title=str(fields.get("title") or content.title),
        url=content.url,
        body=content.body or "",
        labels=[GhLabel(name=str(name)) for name in fields.get("labels") or []],
        assignees=[GhUser(login=str(login)) for login in fields.get("assignees") or []],
        milestone=GhMilestone(title=str(milestone.get("title") or ""), dueOn=_due_on(milestone.get("dueOn")))
        if isinstance(milestone, dict) else None,
    )


def import_github_project(
    items_json: object, options: GithubOptions, mapping: ImportMapping | None = None
) -> ImportResult:
    """Read gh's project item list into a plan request with notes; malformed JSON raises `InvalidRequestError`."""
    mapping = mapping or PRESETS["github-project"]
    data = items_json if isinstance(items_json, dict) else {"items": items_json}
    parsed: ProjectItems = parse_gh_json(TypeAdapter(ProjectItems), data, "project items")
    reader = _ItemReader(mapping)
    main = _main_repository(parsed.items, options.repo)
    issues: list[GhIssue] = []
    fields: list[ItemFields] = []
    skipped: list[str] = []
    unread: set[str] = set()
    drafts = 0
    for item in parsed.items:
        content = item.content
        if content is None or content.type == "PullRequest" or (content.type == "Issue" and content.number is None):
            skipped.append(content.url or content.title if content is not None else item.id)
            continue
        if content.type == "DraftIssue":
            drafts += 1
            key: str | None = f"draft-{drafts}"
            number = -drafts
        else:
            number = content.number or 0
            key = None if content.repository == main else foreign_key(content.repository, number)
        issue = _gh_issue(item, content, number)
        identifier = key or f"#{number}"
        milestone = reader.milestone(item.fields, identifier)
        if milestone is not None and issue.milestone is not None and issue.milestone.title != milestone.name:
            reader.note("milestone_conflict", f"{identifier}: its milestone is {milestone.name} (the mapped project "
                        f"field); its GitHub milestone '{issue.milestone.title}' is not used.", [identifier])
        unread |= {name for name, value in item.fields.items() if value not in (None, "", [])
                   and name not in _ISSUE_KEYS and column_key(name) not in reader.targets}
        fields.append(ItemFields(key=key, repository=content.repository if key else None,
                                 estimate=reader.estimate(item.fields, identifier),
                                 priority=reader.priority(item.fields, identifier), done=reader.done(item.fields),
                                 milestone=milestone))
        issues.append(issue)
    notes = list(reader.notes)
    if skipped:
        notes.append(ImportNote("not_planned", f"{len(skipped)} item(s) are pull requests or have no content and are "
                                f"not planned: {', '.join(skipped)}.", []))
    if unread:
        notes.append(ImportNote("columns_not_read", f"Project fields with values that are not read (map them with "
                                f"--map if they matter): {', '.join(sorted(unread))}.", []))
    from_fields = [ident for ident, item in zip(_ids(issues, fields), fields, strict=True)
                   if item.estimate is not None and item.estimate.source.startswith("project field")
                   and "(" not in item.estimate.source]
    if from_fields:
        notes.append(ImportNote("estimate_unit", f"{len(from_fields)} estimate(s) read from the project's estimate "
                                f"field as {mapping.estimate_unit.value} (set estimate_unit in --map if it counts "
                                f"something else): {', '.join(from_fields)}.", from_fields))
    result = GithubBacklogBuilder(issues, [], replace(options, repo=options.repo or main), fields).build()
    return ImportResult(request=result.request, notes=notes + result.notes)


def _ids(issues: list[GhIssue], fields: list[ItemFields]) -> list[str]:
    return [item.key or f"#{issue.number}" for issue, item in zip(issues, fields, strict=True)]
