"""Titles, names and descriptions are one line of printable text: the contract refuses control, line-break and
bidirectional-formatting characters (422 naming the field); importers take them out and say so per row, and what
a tracker file holds that the contract refuses elsewhere (ids) is a 422 naming the file, never a 500."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_schemas.common import NOT_IN_TEXT, forbidden_text_character
from service.app import create_app
from service.importers import ImportOptions, ImportResult, import_backlog
from tests.test_service_support import service_settings, small_request

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
OPTIONS = ImportOptions(start_date=date(2025, 11, 24))
#: One of each kind the rule refuses: a right-to-left override, an isolate, a line break, a tab, NUL, a C1 control.
REFUSED = ["\u202e", "\u2067", "\n", "\t", "\x00", "\x85", "\u2028"]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(service_settings())) as test_client:
        yield test_client


def text_fields(request: dict[str, Any]) -> list[str]:
    """Every title and name of a plan request."""
    return ([issue.get("title", "") for issue in request["issues"]]
            + [owner.get("name") or "" for owner in request["owners"]]
            + [milestone.get("name") or "" for milestone in request.get("milestones", [])])


@pytest.mark.parametrize("character", REFUSED)
@pytest.mark.parametrize(("field", "path"), [("issues", "title"), ("owners", "name"), ("milestones", "name")])
def test_the_contract_refuses_hidden_characters_naming_the_field(
    client: TestClient, character: str, field: str, path: str
) -> None:
    request = small_request()
    request.setdefault("milestones", [{"id": "M1"}])
    request[field][0][path] = f"Fix {character}login"
    response = client.post("/v1/plans", json=request)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [error["loc"] for error in errors] == [[field, 0, path]]
    assert f"U+{ord(character):04X}" in errors[0]["message"] and "one line of printable text" in errors[0]["message"]


def test_right_to_left_text_marks_and_joiners_are_kept(client: TestClient) -> None:
    request = small_request()
    request["issues"][0]["title"] = "إصلاح \u200f تسجيل الدخول 👩\u200d💻 ok"
    response = client.post("/v1/plans/validate", json=request)
    assert response.status_code == 200 and response.json()["valid"], response.text


def test_a_what_if_description_is_display_text_too(client: TestClient) -> None:
    scenario = {"name": "s", "description": "A \u202eflow", "patch": [
        {"op": "replace", "path": "/issues/0/estimate_hours", "value": 4}]}
    response = client.post("/v1/plans/what-if", json={"base": small_request(), "scenarios": [scenario]})
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["loc"] == ["scenarios", 0, "description"] and "U+202E" in error["message"]


def test_the_schema_states_the_rule(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    title = schema["Issue"]["properties"]["title"]
    assert title["pattern"] == f"^[^{NOT_IN_TEXT}]*$"


def assert_cleaned(result: ImportResult, expected_notes: int) -> None:
    """Nothing hidden reaches the request, and each changed text is a note naming where it was."""
    request = json.loads(result.request.model_dump_json())
    assert all(forbidden_text_character(text) is None for text in text_fields(request))
    cleaned = [note for note in result.notes if note.code == "text_cleaned"]
    assert len(cleaned) == expected_notes, [note.message for note in result.notes]
    assert all(forbidden_text_character(note.message) is None for note in cleaned)


def test_a_csv_import_takes_hidden_characters_out_and_names_the_row() -> None:
    rows = "id,title,estimate_hours,owner\n#1,\"Fix\nlogin\",2,ann\n#2,Pay \u202egnp.exe,3,ann\n#3,Plain,1,ann\n"
    owners = "id,name\nann,Ann \u2066Lee\u2069\n"
    milestones = "id,name,due\nM1,\"Release\r\n1\",2025-12-01\n"
    result = import_backlog("csv", rows.encode(), OPTIONS, name="backlog.csv", owners=owners.encode(),
                            milestones=milestones.encode())
    titles = [issue.title for issue in result.request.issues]
    assert titles == ["Fix login", "Pay gnp.exe", "Plain"]
    assert result.request.owners[0].name == "Ann Lee" and result.request.milestones[0].name == "Release 1"
    assert_cleaned(result, 4)
    messages = [note.message for note in result.notes if note.code == "text_cleaned"]
    assert messages[0].startswith("backlog.csv row 2, column title (#1): held U+000A")
    assert messages[1].startswith("backlog.csv row 3, column title (#2): held U+202E")
    assert any(message.startswith("owners row 2, column name: held U+2066") for message in messages)


def test_an_excel_cell_with_a_line_break_is_one_line(tmp_path: Path) -> None:
    import pandas as pd

    workbook = tmp_path / "backlog.xlsx"
    pd.DataFrame({"id": ["#1"], "title": ["First line\nsecond line"], "estimate_hours": [2], "owner": ["ann"]}
                 ).to_excel(workbook, index=False)
    result = import_backlog("excel", workbook.read_bytes(), OPTIONS, name="backlog.xlsx")
    assert result.request.issues[0].title == "First line second line"
    assert_cleaned(result, 1)


def test_a_github_import_takes_hidden_characters_out_of_titles_milestones_and_names() -> None:
    issues = json.loads((EXAMPLES / "github" / "issues.json").read_text(encoding="utf-8"))
    changed = copy.deepcopy(issues)
    changed[0]["title"] = "Gateway \u202eevil"
    milestone = next(issue["milestone"]["title"] for issue in changed if issue.get("milestone"))
    for issue in changed:
        if issue.get("milestone") and issue["milestone"]["title"] == milestone:
            issue["milestone"]["title"] = milestone + "\u2067"
    changed[0]["assignees"] = [{"login": "ana", "name": "Ana\x1b[31m"}]
    result = import_backlog("github", json.dumps(changed).encode(), OPTIONS, name="issues.json")
    assert result.request.issues[0].title == "Gateway evil"
    assert_cleaned(result, 3)
    plain = import_backlog("github", json.dumps(issues).encode(), OPTIONS, name="issues.json")
    assert [m.name for m in result.request.milestones] == [m.name for m in plain.request.milestones]


def test_a_github_project_iteration_title_with_an_override_still_imports() -> None:
    data = json.loads((EXAMPLES / "github" / "project-items.json").read_text(encoding="utf-8"))
    items = data["items"] if isinstance(data, dict) else data
    sprints = [item for item in items if isinstance(item.get("iteration"), dict)]
    for item in sprints:
        item["iteration"]["title"] = "\u202e" + item["iteration"]["title"]
    items[0]["title"] += "\u2069"
    result = import_backlog("github-project", json.dumps(data).encode(), OPTIONS, name="items.json")
    plain = import_backlog("github-project", (EXAMPLES / "github" / "project-items.json").read_bytes(), OPTIONS)
    assert [m.id for m in result.request.milestones] == [m.id for m in plain.request.milestones]
    assert_cleaned(result, len({item["iteration"]["title"] for item in sprints}) + 1)


def test_a_plan_sent_back_for_a_report_is_held_to_the_same_rule(client: TestClient) -> None:
    # Reports print the plan's own titles; a plan edited on its way back could carry what a request may not.
    request = small_request()
    plan = client.post("/v1/plans", json=request).json()
    plan["issues"][0]["title"] = "Pay \u202egnp.exe"
    response = client.post("/v1/reports/md", json={"request": request, "plan": plan})
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["loc"] == ["plan", "issues", 0, "title"] and "U+202E" in error["message"]


def test_what_the_contract_refuses_in_a_tracker_file_is_a_422_naming_the_file_not_a_500(client: TestClient) -> None:
    # An assignee login and a project item's repository became ids unchecked: a pydantic error, a 500.
    issues = [{"number": 1, "title": "x", "state": "OPEN", "labels": [], "assignees": [{"login": "a\u202eb"}]}]
    response = client.post("/v1/imports/github", json={"content": json.dumps(issues), "start_date": "2025-11-24"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["message"].startswith("issues item 0 (#1), field 'assignees.0.login'")
    items = {"items": [{"id": "1", "content": {"type": "Issue", "number": 3, "repository": "o/main", "title": "x"},
                        "assignees": ["ann\u2066"]}]}
    response = client.post("/v1/imports/github-project", json={"content": json.dumps(items), "filename": "items.json"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["message"].startswith("items.json: ")


def test_a_project_item_of_a_long_named_repository_gets_an_id_that_fits() -> None:
    repository = "an-organisation-with-a-long-name/" + "a-repository-with-a-very-long-name" * 2
    items = {"items": [
        {"id": str(n), "content": {"type": "Issue", "number": number, "repository": repo, "title": "x", "body": body},
         "assignees": ["a"]}
        for n, (number, repo, body) in enumerate([(12, "o/main", ""), (3, "o/main", ""),
                                                  (7, repository, "Depends on #8"), (8, repository, "")])
    ]}
    result = import_backlog("github-project", json.dumps(items).encode(), OPTIONS, name="items.json")
    issues = result.request.issues
    assert [issue.id for issue in issues[:2]] == ["#12", "#3"]
    assert all(len(issue.id) == 64 and issue.id.startswith("…") for issue in issues[2:])
    assert issues[2].id.endswith("long-name#7") and issues[3].id.endswith("long-name#8")
    assert [dependency.issue for dependency in issues[2].depends_on] == [issues[3].id]  # '#8' is its repository's
