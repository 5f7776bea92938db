"""The API the planning board uses besides plans: imports of backlog files, reports of a plan, the example backlog,
and the board's page and files (served from the package, open without a key, with a strict content policy)."""

from __future__ import annotations

import base64
import io
import json
import re
import tomllib
from collections.abc import Iterator
from datetime import date
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from api_schemas.imports import ImportSource
from api_schemas.reports import REPORT_EXAMPLE
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from checker.schedule_checker import check_schedule
from service.app import create_app
from service.importers import ImportOptions, import_backlog
from service.importers import ImportSource as ImporterSource
from service.importing import safe_filename
from service.routes_board import SAMPLES_DIR, STATIC_DIR
from solver.intake.errors import InvalidRequestError
from tests.test_service_support import service_settings

ROOT = Path(__file__).resolve().parent.parent
CSV = (
    "id,title,priority,milestone,due,estimate_hours,owner,depends_on\n"
    "#1,Schema,P1,M1,2025-12-05,6,alice,\n"
    "#2,API,P1,M1,2025-12-05,4,alice,#1 (+1)\n"
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(service_settings(workers=1, queue_depth=2))) as test_client:
        yield test_client


def imported(client: TestClient, source: str, **body: Any) -> Any:
    return client.post(f"/v1/imports/{source}", json={"start_date": "2025-11-24", **body})


OPTIONS = ImportOptions(start_date=date(2025, 11, 24))


def test_a_csv_backlog_becomes_the_request_the_importer_makes(client: TestClient) -> None:
    response = imported(client, "csv", filename="team.csv", content=CSV)
    assert response.status_code == 200, response.text
    data = response.json()
    expected = import_backlog("csv", CSV.encode(), OPTIONS, name="team.csv")
    assert PlanRequest.model_validate(data["request"]) == expected.request
    assert [note["code"] for note in data["notes"]] == [note.code for note in expected.notes]
    assert "owners_from_issues" in [note["code"] for note in data["notes"]]
    assert client.post("/v1/plans", json=data["request"]).status_code == 200


def test_a_bad_cell_is_a_422_naming_its_row_and_column(client: TestClient) -> None:
    bad = CSV.replace(",4,", ",four,")
    response = imported(client, "csv", filename="team.csv", content=bad)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [problem] = response.json()["errors"]
    assert problem["loc"] == ["team.csv", 3, "estimate_hours"]
    assert problem["message"].startswith("team.csv row 3, column estimate_hours: 'four'")
    with pytest.raises(InvalidRequestError) as raised:
        import_backlog("csv", bad.encode(), OPTIONS, name="team.csv")
    assert [item.model_dump(mode="json") for item in raised.value.problems] == [problem]


def test_a_mapping_is_laid_over_the_preset(client: TestClient) -> None:
    content = "id,title,estimate_hours,owner,Sprint\n#1,Schema,4,alice,S1\n"
    response = imported(client, "csv", content=content, mapping={"columns": {"Sprint": "milestone"}})
    assert response.status_code == 200, response.text
    assert response.json()["request"]["issues"][0]["milestone"] == "S1"
    refused = imported(client, "csv", content=content, mapping={"columns": {"Sprint": "sprint"}})
    assert refused.status_code == 422 and "mapping" in refused.text


def test_an_excel_workbook_is_sent_as_base64(client: TestClient) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [line.split(",") for line in CSV.strip().splitlines()]:
        sheet.append([float(cell) if cell.isdigit() else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = base64.b64encode(buffer.getvalue()).decode()
    response = imported(client, "excel", filename="plan.xlsx", content=content, content_encoding="base64")
    assert response.status_code == 200, response.text
    assert [issue["id"] for issue in response.json()["request"]["issues"]] == ["#1", "#2"]


def test_a_gh_issue_list_is_read_as_the_github_importer_reads_it(client: TestClient) -> None:
    issues = (ROOT / "examples" / "github" / "issues.json").read_text(encoding="utf-8")
    milestones = (ROOT / "examples" / "github" / "milestones.json").read_text(encoding="utf-8")
    response = imported(client, "github", filename="issues.json", content=issues, milestones_content=milestones)
    assert response.status_code == 200, response.text
    assert len(response.json()["request"]["issues"]) == len(json.loads(issues))


@pytest.mark.parametrize(
    ("source", "body", "loc", "words"),
    [
        ("excel", {"content": "not base64!", "content_encoding": "base64"}, ["content"], "not valid base64"),
        ("excel", {"content": base64.b64encode(b"junk").decode(), "content_encoding": "base64"}, ["backlog.xlsx"],
         "not an Excel workbook"),
        ("csv", {"content": "   \n"}, ["content"], "the file is empty"),
        ("csv", {"content": "aGk=", "content_encoding": "base64"}, ["content_encoding"], "sent as text"),
        ("csv", {"content": "id,title\n#1,Schema\n"}, ["owners"], "no owners"),
        ("github", {"content": "[{"}, ["backlog.json"], "is not valid JSON"),
        ("github", {"content": "{}"}, ["issues"], "valid list"),
        ("csv", {"content": CSV, "surprise": 1}, ["surprise"], ""),
    ],
)
def test_files_that_cannot_be_read_are_422s_naming_the_field(
    client: TestClient, source: str, body: dict[str, Any], loc: list[str], words: str
) -> None:
    response = imported(client, source, **body)
    assert response.status_code == 422, response.text
    problems = response.json()["errors"]
    assert any(problem["loc"][: len(loc)] == loc for problem in problems), problems
    assert any(words in problem["message"] for problem in problems), problems


def test_an_unknown_source_is_a_422_and_the_file_name_is_kept_plain() -> None:
    assert safe_filename("../../etc/pass wd", ImportSource.CSV) == "pass wd.csv"
    assert safe_filename("C:\\data\\<plan>.xlsx", ImportSource.EXCEL) == "_plan_.xlsx"
    with TestClient(create_app(service_settings(workers=1))) as client:
        assert client.post("/v1/imports/jira", json={"content": CSV}).status_code == 422


def test_reports_of_a_plan_in_each_format(client: TestClient) -> None:
    request = json.loads((SAMPLES_DIR / "reference_backlog.json").read_text(encoding="utf-8"))
    plan = client.post("/v1/plans", json=request).json()
    for report_format, media_type, start in [
        ("md", "text/markdown", b"#"), ("csv", "text/csv", b"issue,"), ("ics", "text/calendar", b"BEGIN:VCALENDAR"),
        ("png", "image/png", b"\x89PNG"),
    ]:
        response = client.post(f"/v1/reports/{report_format}", json={"request": request, "plan": plan})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media_type)
        assert start in response.content[:64], response.content[:64]
        assert "attachment" in response.headers["content-disposition"]


def test_a_report_of_a_plan_that_does_not_fit_its_request_is_refused(client: TestClient) -> None:
    body = json.loads(json.dumps(REPORT_EXAMPLE))
    body["plan"]["issues"][0]["hours"] = 5.0
    response = client.post("/v1/reports/md", json=body)
    assert response.status_code == 422
    [problem] = response.json()["errors"]
    assert problem["loc"] == ["plan"] and problem["code"] == "plan_does_not_fit" and problem["ids"] == ["#1"]
    assert client.post("/v1/reports/pdf", json=REPORT_EXAMPLE).status_code == 422


def test_the_report_example_is_a_checked_plan_of_its_request(client: TestClient) -> None:
    request = PlanRequest.model_validate(REPORT_EXAMPLE["request"])
    assert check_schedule(request, PlanResult.model_validate(REPORT_EXAMPLE["plan"])) == []
    assert client.post("/v1/reports/md", json=REPORT_EXAMPLE).status_code == 200


def test_the_packaged_reference_backlog_is_the_examples_one(client: TestClient) -> None:
    """examples/ is not installed, so the package ships a copy: it must stay the same file."""
    packaged = (SAMPLES_DIR / "reference_backlog.json").read_bytes()
    assert packaged == (ROOT / "examples" / "reference_backlog.json").read_bytes()
    response = client.get("/v1/examples/reference-backlog")
    assert response.status_code == 200 and response.content == packaged


def test_the_page_is_open_and_strict_while_the_api_needs_a_key() -> None:
    with TestClient(create_app(service_settings(workers=1, api_keys=["sesame"]))) as client:
        page = client.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe" not in policy
        scripts = re.findall(r'src="([^"]+)"', page.text) + re.findall(r'href="(/board/[^"]+)"', page.text)
        assert scripts and all(client.get(path).status_code == 200 for path in scripts)
        assert "<script>" not in page.text  # no inline script: the policy would block it
        assert client.get("/v1/examples/reference-backlog").status_code == 401
        keyed = client.get("/v1/examples/reference-backlog", headers={"Authorization": "Bearer sesame"})
        assert keyed.status_code == 200
        assert client.post("/v1/imports/csv", json={"content": CSV}).status_code == 401


def test_every_board_file_is_package_data() -> None:
    """`pip install .` ships only what [tool.setuptools.package-data] names: every board file must match it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["service"]
    files = [path for folder in (STATIC_DIR, SAMPLES_DIR) for path in folder.rglob("*") if path.is_file()]
    assert len(files) > 10
    service = ROOT / "service"
    unmatched = [path for path in files if not any(fnmatch(str(path.relative_to(service)), p) for p in patterns)]
    assert unmatched == []
    modules = {path.name for path in (STATIC_DIR / "js").glob("*.js")}
    imported_names = set()
    for path in (STATIC_DIR / "js").glob("*.js"):
        imported_names |= set(re.findall(r"from '\./([\w.]+)'", path.read_text(encoding="utf-8")))
    assert imported_names <= modules  # every module a module imports is shipped


def test_the_endpoint_takes_every_source_the_importers_read() -> None:
    """The contract lists the sources (it imports nothing of the service): it must name the importers' own."""
    assert [source.value for source in ImportSource] == [source.value for source in ImporterSource]
