"""Importing gh's JSON: estimates, priorities, dependencies, owners and notes, on fixtures shaped like gh's output."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api_schemas.common import Priority
from api_schemas.request import Owner
from service.importers import GithubOptions, ImportResult, import_github
from service.importers.estimates import estimate_from_labels, estimate_from_text, priority_from_labels
from service.importers.references import body_references
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import validate_request

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "github"
START = date(2025, 11, 23)


def load(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def imported() -> ImportResult:
    return import_github(load("issues.json"), load("milestones.json"), GithubOptions(start_date=START))


def issue_of(result: ImportResult, identifier: str) -> Any:
    return next(issue for issue in result.request.issues if issue.id == identifier)


def test_fixture_has_the_shape_gh_prints() -> None:
    for item in load("issues.json"):
        assert sorted(item) == ["assignees", "body", "labels", "milestone", "number", "state", "title", "url"]
        assert item["state"] in ("OPEN", "CLOSED")
        assert all(sorted(label) == ["color", "description", "id", "name"] for label in item["labels"])
        assert all(sorted(user) == ["id", "login", "name"] for user in item["assignees"])
        if item["milestone"] is not None:
            assert sorted(item["milestone"]) == ["description", "dueOn", "number", "title"]
    for milestone in load("milestones.json"):
        assert {"number", "title", "state", "due_on", "open_issues", "closed_issues", "creator"} <= set(milestone)


def test_every_issue_is_imported_and_the_request_validates(imported: ImportResult) -> None:
    numbers = [item["number"] for item in load("issues.json")]
    assert [issue.id for issue in imported.request.issues] == [f"#{n}" for n in numbers]
    assert [issue.url for issue in imported.request.issues] == [item["url"] for item in load("issues.json")]
    assert validate_request(imported.request) == []


def test_estimates_come_from_size_labels_estimate_labels_and_body(imported: ImportResult) -> None:
    items = {f"#{item['number']}": item for item in load("issues.json")}
    for identifier, item in items.items():
        issue = issue_of(imported, identifier)
        if item["state"] == "CLOSED":
            assert issue.remaining_hours == 0
            continue
        labels = [label["name"] for label in item["labels"]]
        expected = estimate_from_labels(labels, {"size: S": 2, "size: M": 4}) or estimate_from_text(item["body"])
        assert issue.estimate_hours == (expected.hours if expected else None)
    assert issue_of(imported, "#840").estimate_hours == 2  # size: S
    assert issue_of(imported, "#974").estimate_hours == 8  # "Estimated Time: 1d"


def test_priorities_come_from_labels(imported: ImportResult) -> None:
    for item in load("issues.json"):
        found = priority_from_labels([label["name"] for label in item["labels"]], {"P0": Priority.P0,
                                     "P1": Priority.P1, "P2": Priority.P2, "P3": Priority.P3})
        assert issue_of(imported, f"#{item['number']}").priority == min(found, key=lambda p: p.rank)


def test_dependencies_come_from_the_body_with_lags_reverse_links_and_task_lists(imported: ImportResult) -> None:
    assert {(d.issue, d.lag_days) for d in issue_of(imported, "#841").depends_on} == {("#840", 1)}
    assert {d.issue for d in issue_of(imported, "#972").depends_on} == {"#970", "#968"}  # "Blocks #972" in #970
    tracked = {d.issue for d in issue_of(imported, "#977").depends_on}
    assert tracked == {"#972", "#973", "#974", "#975", "#976", "#968"}


def test_closed_issues_are_done_work(imported: ImportResult) -> None:
    closed = [f"#{item['number']}" for item in load("issues.json") if item["state"] == "CLOSED"]
    assert closed
    for identifier in closed:
        assert issue_of(imported, identifier).work_hours == 0


def test_milestone_due_dates_come_from_the_rest_list(imported: ImportResult) -> None:
    due = {m["number"]: date.fromisoformat(m["due_on"][:10]) for m in load("milestones.json")}
    titles = {m["number"]: m["title"] for m in load("milestones.json")}
    for milestone in imported.request.milestones:
        number = next(n for n, title in titles.items() if title == milestone.name)
        assert milestone.due == due[number]


def test_owners_are_the_assignees_and_issues_are_pinned_to_them(imported: ImportResult) -> None:
    logins = {user["login"] for item in load("issues.json") for user in item["assignees"]}
    assert {owner.id for owner in imported.request.owners} == logins
    for item in load("issues.json"):
        pinned = item["assignees"][0]["login"] if item["assignees"] else None
        assert issue_of(imported, f"#{item['number']}").pinned_owner == pinned


def test_what_cannot_be_read_is_reported(imported: ImportResult) -> None:
    by_code = {note.code: note for note in imported.notes}
    unestimated = [i.id for i in imported.request.issues if i.work_hours is None]
    assert set(by_code["no_estimate"].ids) == set(unestimated)
    assert "#1203" in by_code["unknown_reference"].ids
    assert "gh issue list --state all" in by_code["unknown_reference"].message


def test_foreign_and_several_assignee_notes() -> None:
    issues = copy.deepcopy(load("issues.json"))
    issues[0]["body"] += "\nDepends on other-org/tools#12"
    issues[0]["assignees"].append({"id": "MDQ6VXNlcjk=", "login": "second", "name": ""})
    result = import_github(issues, None, GithubOptions(start_date=START))
    codes = {note.code for note in result.notes}
    assert {"foreign_reference", "several_assignees"} <= codes
    assert issue_of(result, f"#{issues[0]['number']}").pinned_owner == issues[0]["assignees"][0]["login"]


def test_configured_labels_and_team() -> None:
    issues = copy.deepcopy(load("issues.json"))
    issues[0]["labels"] = [{"id": "LA_x", "name": "urgent!", "description": "", "color": "ff0000"},
                           {"id": "LA_y", "name": "t-shirt: huge", "description": "", "color": "00ff00"}]
    options = GithubOptions(start_date=START, priority_labels={"urgent!": Priority.P0},
                            size_labels={"t-shirt: huge": 40}, team=[Owner(id="miyabi-lead", hours_per_day=6)])
    result = import_github(issues, None, options)
    first = issue_of(result, f"#{issues[0]['number']}")
    assert "**Estimated Time**: 6h" in issues[0]["body"]
    assert (first.priority, first.estimate_hours) == (Priority.P0, 6)  # the body's hours beat a size class
    conflict = next(note for note in result.notes if note.code == "estimate_conflict")
    assert conflict.ids == [first.id]
    assert "size label 't-shirt: huge' says 40 h" in conflict.message
    issues[0]["body"] = "JWT access and refresh tokens."
    only_size = issue_of(import_github(issues, None, options), first.id)
    assert only_size.estimate_hours == 40
    assert [owner.hours_per_day for owner in result.request.owners] == [6]


def test_malformed_gh_json_names_the_item_and_field() -> None:
    issues = copy.deepcopy(load("issues.json"))
    del issues[2]["number"]
    issues[3]["labels"] = "P1"
    with pytest.raises(InvalidRequestError) as caught:
        import_github(issues, None, GithubOptions(start_date=START))
    messages = [problem.message for problem in caught.value.problems]
    assert any("issues item 2, field 'number'" in m and "required" in m for m in messages)
    assert any(f"issues item 3 (#{issues[3]['number']}), field 'labels'" in m for m in messages)


def test_no_assignee_and_no_team_is_an_error() -> None:
    issues = [dict(item, assignees=[]) for item in load("issues.json")]
    with pytest.raises(InvalidRequestError) as caught:
        import_github(issues, None, GithubOptions(start_date=START))
    assert caught.value.problems[0].code == "no_owners"


@pytest.mark.parametrize(
    ("text", "hours", "noted"),
    [("Estimate: 4h", 4, False), ("**Estimated Time**: 2-3 hours", 3, True), ("estimate: 90m", 1.5, False),
     ("Estimated effort: 1.1h", 1.25, True), ("Estimate: 1w", 40, False), ("no estimate here", None, False)],
)
def test_body_estimates(text: str, hours: float | None, noted: bool) -> None:
    estimate = estimate_from_text(text)
    assert (estimate.hours if estimate else None) == hours
    assert (estimate is not None and estimate.note is not None) == noted


def test_body_references_stop_at_the_next_keyword() -> None:
    found = body_references("This blocks #841 and depends on #840 (+2 days).\nSee #12.")
    assert [(r.number, r.lag_days) for r in found.depends_on] == [(840, 2)]
    assert [r.number for r in found.blocks] == [841]


def test_in_progress_label_marks_pinned_open_issues_only() -> None:
    items = load("issues.json")
    labelled = [i for i in items if i["state"].upper() == "OPEN"]
    for item in labelled:
        item["labels"] = [*item["labels"], {"name": "In-Progress"}]
    result = import_github(items, load("milestones.json"), GithubOptions(start_date=START))
    started = [issue for issue in result.request.issues if issue.in_progress]
    assert started, "the fixture has pinned open issues that wait for nothing"
    for issue in started:
        assert issue.pinned_owner is not None and issue.work_hours
        assert not [d for d in issue.depends_on if issue_of(result, d.issue).work_hours]
    unpinned = [f"#{i['number']}" for i in labelled if not i["assignees"]]
    assert not any(issue_of(result, identifier).in_progress for identifier in unpinned)
    assert any(note.code == "in_progress_waiting" for note in result.notes)
    assert validate_request(result.request) == []
