"""Jira, Linear and GitHub Projects exports, shaped as the tools write them: the plan they give and a note per quirk."""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from api_schemas.common import Priority
from api_schemas.request import PlanRequest
from api_schemas.result import IssueStatus, PlanResult
from checker import check_schedule
from service.importers import ImportOptions, ImportResult, ImportSource, import_backlog
from service.importers.durations import DurationError, duration_hours
from solver import plan
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import validate_request

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
JIRA = EXAMPLES / "jira" / "export.csv"
LINEAR = EXAMPLES / "linear" / "export.csv"
PROJECT = EXAMPLES / "github" / "project-items.json"
START = date(2026, 12, 7)
OPTIONS = ImportOptions(start_date=START)


def imported(source: ImportSource, path: Path, **more: Any) -> ImportResult:
    return import_backlog(source, path.read_bytes(), OPTIONS, name=path.name, **more)


def planned(request: PlanRequest) -> PlanResult:
    """Plan with a small budget; every plan must pass the independent checker."""
    request = request.model_copy(update={"options": request.options.model_copy(update={"time_limit_s": 2})})
    result = plan(request, with_recommendations=False)
    assert result.checked and check_schedule(request, result) == []
    return result


def notes_of(result: ImportResult, code: str) -> list[str]:
    return [note.message for note in result.notes if note.code == code]


def by_id(result: PlanResult) -> dict[str, Any]:
    return {issue.id: issue for issue in result.issues}


def csv_rows(path: Path) -> list[dict[str, list[str]]]:
    """The export's rows as {column: [values]} (Jira repeats a column once per value)."""
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    header = next(reader)
    rows = []
    for cells in reader:
        row: dict[str, list[str]] = {}
        for name, value in zip(header, cells, strict=True):
            row.setdefault(name, []).append(value)
        rows.append(row)
    return rows


# --- Jira --------------------------------------------------------------------------------------------------


def test_jira_fixture_has_the_shape_of_a_jira_cloud_export() -> None:
    header = next(csv.reader(io.StringIO(JIRA.read_text(encoding="utf-8"))))
    assert header[:3] == ["Summary", "Issue key", "Issue id"]
    assert header.count("Fix Version/s") == 2 and header.count("Inward issue link (Blocks)") == 2
    for row in csv_rows(JIRA):
        due = row["Due Date"][0]
        assert not due or datetime.strptime(due, "%d/%b/%y %I:%M %p")
        assert all(value.isdigit() for value in row["Original Estimate"] if value)  # seconds


def test_jira_export_is_read_with_its_quirks_noted() -> None:
    result = imported(ImportSource.JIRA, JIRA)
    issues = {issue.id: issue for issue in result.request.issues}
    rows = {row["Issue key"][0]: row for row in csv_rows(JIRA)}
    assert list(issues) == list(rows)
    for key, row in rows.items():
        seconds = row["Original Estimate"][0]
        if seconds and key != "CAP-105":
            assert issues[key].estimate_hours == int(seconds) / 3600
    assert issues["CAP-101"].priority is Priority.P0  # Highest
    assert issues["CAP-105"].priority is Priority.P3  # Lowest
    assert issues["CAP-101"].deadline == date(2026, 12, 11)  # '11/Dec/26 12:00 AM'
    assert issues["CAP-103"].remaining_hours == 5  # Remaining Estimate 18000 s
    assert issues["CAP-106"].work_hours == 0  # Status Done
    assert [d.issue for d in issues["CAP-102"].depends_on] == ["CAP-101"]  # Inward issue link (Blocks)
    assert [d.issue for d in issues["CAP-104"].depends_on] == ["CAP-105"]  # Outward, from CAP-105's row
    assert [d.issue for d in issues["CAP-107"].depends_on] == ["CAP-103"]  # second Inward column; CAP-090 is outside
    assert issues["CAP-101"].pinned_owner == "Ana Souza" and issues["CAP-104"].pinned_owner is None
    assert validate_request(result.request) == []
    # every quirk is a note naming its row and issue
    assert any("row 6, column Original Estimate (CAP-105): '1000' (1000 seconds)" in n and "0.5 h" in n
               for n in notes_of(result, "estimate_adjusted"))
    assert any("row 8, column Priority (CAP-107): 'Showstopper'" in n for n in notes_of(result, "value_not_read"))
    assert any("row 5, column Custom field (Story Points) (CAP-104): size '5'" in n
               for n in notes_of(result, "value_not_read"))
    assert any("row 4, column Fix Version/s (CAP-103): 2 values" in n for n in notes_of(result, "several_values"))
    assert any("CAP-090" in n and "row 8" in n for n in notes_of(result, "unknown_reference"))
    assert "Release 1.4" in notes_of(result, "milestone_without_due")[0]
    assert "Reporter" in notes_of(result, "columns_not_read")[0]


def test_jira_plan_with_release_dates_from_a_milestones_file() -> None:
    milestones = (EXAMPLES / "jira" / "milestones.csv").read_bytes()
    result = imported(ImportSource.JIRA, JIRA, milestones=milestones)
    assert {m.id: m.due for m in result.request.milestones} == {"Release 1.4": date(2026, 12, 11),
                                                                 "Release 1.5": date(2026, 12, 18)}
    assert not notes_of(result, "milestone_without_due")
    outcome = planned(result.request)
    issues = by_id(outcome)
    assert issues["CAP-101"].finish <= issues["CAP-102"].start
    assert issues["CAP-102"].owner == "Ana Souza" and issues["CAP-103"].owner == "Ben Ito"
    assert issues["CAP-103"].hours == 5
    assert issues["CAP-104"].status is IssueStatus.UNPLANNED
    assert issues["CAP-106"].status is IssueStatus.DONE
    assert issues["CAP-103"].finish <= issues["CAP-107"].start


def test_jira_story_points_read_through_a_map_file(tmp_path: Path) -> None:
    mapping = tmp_path / "jira-map.toml"
    mapping.write_text('point_hours = 3\n[priorities]\nShowstopper = "P0"\n', encoding="utf-8")
    from service.importers import mapping_for, read_mapping_file

    chosen = read_mapping_file(mapping, mapping_for(ImportSource.JIRA, None))
    result = import_backlog(ImportSource.JIRA, JIRA.read_bytes(), OPTIONS, chosen, name=JIRA.name)
    issues = {issue.id: issue for issue in result.request.issues}
    assert issues["CAP-104"].estimate_hours == 15  # 5 points at 3 h
    assert issues["CAP-107"].priority is Priority.P0
    assert "CAP-104 (row 5: 5 point(s) at 3 h a point = 15 h)" in notes_of(result, "estimate_from_size")[0]


def test_a_map_file_with_a_typo_names_the_file_and_key(tmp_path: Path) -> None:
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"columns": {"Story": "estimat"}, "point_hour": 2}), encoding="utf-8")
    from service.importers import mapping_for, read_mapping_file

    with pytest.raises(InvalidRequestError) as caught:
        read_mapping_file(mapping, mapping_for(ImportSource.JIRA, None))
    messages = " | ".join(p.message for p in caught.value.problems)
    assert "map.json: " in messages and "columns.Story" in messages and "point_hour" in messages


# --- Linear ------------------------------------------------------------------------------------------------


def test_linear_export_is_read_with_its_quirks_noted() -> None:
    header = LINEAR.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:7] == ["ID", "Team", "Title", "Description", "Status", "Estimate", "Priority"]
    assert len(header) == 34 and header[-2] == "Blocked by"
    result = imported(ImportSource.LINEAR, LINEAR)
    issues = {issue.id: issue for issue in result.request.issues}
    rows = {row["ID"][0]: row for row in csv_rows(LINEAR)}
    for key, row in rows.items():
        points = row["Estimate"][0]
        assert issues[key].estimate_hours == (int(points) * 4 if points else None)
    assert [issues[k].priority for k in ("ENG-12", "ENG-13", "ENG-14", "ENG-15", "ENG-16")] == [
        Priority.P0, Priority.P1, Priority.P2, Priority.P3, Priority.P2]  # Urgent, High, Medium, Low, No priority
    assert issues["ENG-16"].work_hours == 0  # Canceled
    assert issues["ENG-12"].deadline == date(2026, 12, 16)
    assert [d.issue for d in issues["ENG-17"].depends_on] == ["ENG-13"]
    assert issues["ENG-12"].pinned_owner == "ana@example.com"
    assert "5 estimate(s) come from the Estimate column" in notes_of(result, "estimate_from_size")[0]
    assert any("ENG-99" in n and "row 7" in n for n in notes_of(result, "unknown_reference"))
    assert "Cycle Name" in notes_of(result, "columns_not_read")[0]
    outcome = planned(result.request)
    plans = by_id(outcome)
    assert plans["ENG-12"].finish <= plans["ENG-13"].start <= plans["ENG-13"].finish <= plans["ENG-17"].start
    assert plans["ENG-15"].status is IssueStatus.UNPLANNED and plans["ENG-16"].status is IssueStatus.DONE
    assert not plans["ENG-12"].late  # the P0 issue meets its due date


# --- GitHub Projects ---------------------------------------------------------------------------------------


def test_project_fixture_has_the_shape_gh_prints() -> None:
    document = json.loads(PROJECT.read_text(encoding="utf-8"))
    assert sorted(document) == ["items", "totalCount"] and document["totalCount"] == len(document["items"])
    for item in document["items"]:
        assert item["id"].startswith("PVTI_") and item["content"]["type"] in ("Issue", "PullRequest", "DraftIssue")
        if item["content"]["type"] != "DraftIssue":
            assert sorted(item["content"]) == ["body", "number", "repository", "title", "type", "url"]
        if "iteration" in item:
            assert sorted(item["iteration"]) == ["duration", "startDate", "title"]


def test_github_project_is_read_with_its_quirks_noted() -> None:
    result = imported(ImportSource.GITHUB_PROJECT, PROJECT)
    issues = {issue.id: issue for issue in result.request.issues}
    assert list(issues) == ["#21", "#22", "#23", "#24", "draft-1", "example-org/infra#7", "#26"]
    assert issues["#21"].estimate_hours == 6  # Estimate field beats the body's 1,5h and size M
    assert issues["#21"].url == "https://github.com/example-org/shop/issues/21" and issues["draft-1"].url is None
    assert issues["#22"].estimate_hours == 16  # label 'estimate: 2 days'
    assert issues["#24"].work_hours == 0  # Status Done
    assert [issues[i].priority for i in ("#21", "#22", "#23", "example-org/infra#7")] == [
        Priority.P0, Priority.P1, Priority.P2, Priority.P0]
    assert [d.issue for d in issues["#22"].depends_on] == ["#21"]
    assert [d.issue for d in issues["#23"].depends_on] == ["example-org/infra#7"]  # another repository's item
    assert any("example-org/infra#9" in n for n in notes_of(result, "unknown_reference"))  # '#9' in infra#7's body
    due = {m.id: m.due for m in result.request.milestones}
    assert due == {"Sprint 12": date(2026, 12, 20), "Sprint 13": date(2027, 1, 3)}  # start + 14 days - 1
    assert issues["#23"].milestone == "Sprint 13"
    conflicts = notes_of(result, "estimate_conflict")
    assert any("#21" in n and "body says 1.5 h" in n for n in conflicts)
    assert any("#21" in n and "(M) makes 4 h" in n for n in conflicts)
    assert any("v2.0" in n for n in notes_of(result, "milestone_conflict"))
    assert any("'Someday'" in n for n in notes_of(result, "value_not_read"))
    assert "pull/25" in notes_of(result, "not_planned")[0]
    assert "target date" in notes_of(result, "columns_not_read")[0]
    outcome = planned(result.request)
    plans = by_id(outcome)
    assert plans["#21"].finish <= plans["#22"].start
    assert plans["#26"].status is IssueStatus.UNPLANNED and plans["#24"].status is IssueStatus.DONE
    assert plans["draft-1"].status is IssueStatus.PLANNED


# --- GitHub issues: estimates in every spelling, conflicts as notes ----------------------------------------


def gh_issues() -> list[dict[str, Any]]:
    return list(json.loads((EXAMPLES / "github" / "issues.json").read_text(encoding="utf-8")))


def gh_label(name: str) -> dict[str, str]:
    return {"id": "LA_kwDOKp1c0s8AAAABzz", "name": name, "description": "", "color": "ededed"}


def test_github_decimal_comma_day_labels_and_conflicts() -> None:
    items = copy.deepcopy(gh_issues())
    first, second, third = items[0], items[1], items[2]
    first["body"] = "Move the queue.\n\nEstimate: 1,5h"
    first["labels"] = [gh_label("P1")]
    second["labels"] = [gh_label("P1"), gh_label("estimate: 2 days")]
    second["body"] = "Estimate: PT4H"
    third["labels"] = [gh_label("P1"), gh_label("estimate: a while"), gh_label("size: M")]
    third["body"] = "Estimate: 2d 4h"
    data = json.dumps(items).encode("utf-8")
    result = import_backlog(ImportSource.GITHUB, data, ImportOptions(start_date=date(2025, 11, 23)))
    issues = {issue.id: issue for issue in result.request.issues}
    assert issues[f"#{first['number']}"].estimate_hours == 1.5
    assert issues[f"#{second['number']}"].estimate_hours == 16
    assert issues[f"#{third['number']}"].estimate_hours == 20
    conflicts = notes_of(result, "estimate_conflict")
    assert any(f"#{second['number']}: 16 h from its label 'estimate: 2 days', but its body says 4 h" in n
               for n in conflicts)
    assert any(f"#{third['number']}: 20 h from its body, but its size label 'size: M' says 4 h" in n
               for n in conflicts)
    assert any("label 'estimate: a while'" in n for n in notes_of(result, "estimate_unreadable"))


@pytest.mark.parametrize(
    ("text", "hours"),
    [("PT4H", 4), ("PT1.5H", 1.5), ("P1DT4H", 12), ("P1W", 40), ("1,5h", 1.5), ("2 days", 16), ("1d 4h", 12),
     ("3h30m", 3.5), ("90 min", 1.5), ("0.5d", 4), ("1 week", 40), ("2 hrs", 2)],
)
def test_durations_count_working_days(text: str, hours: float) -> None:
    assert duration_hours(text) == hours


@pytest.mark.parametrize("text", ["P1M", "about a week", "4", "1:30", ""])
def test_durations_refuse_what_is_not_work(text: str) -> None:
    with pytest.raises(DurationError):
        duration_hours(text)


# --- capplan's CSV: the quirks of the issue ----------------------------------------------------------------


def test_csv_row_numbers_count_blank_lines_and_cells_show_as_typed() -> None:
    text = ("id,priority,estimate_hours,owner\n#1,P0,2,a\n\n#2,p9,4h,a\n,,,\n#3,high,four,a\n"
            '#4,low,"1,5h",a\n')
    with pytest.raises(InvalidRequestError) as caught:
        import_backlog(ImportSource.CSV, text.encode(), OPTIONS, name="backlog.csv")
    messages = [problem.message for problem in caught.value.problems]
    assert len(messages) == 2
    assert messages[0].startswith("backlog.csv row 4, column priority: 'p9' is not a priority")
    assert messages[1].startswith("backlog.csv row 6, column estimate_hours: 'four' is not an amount of work")


def test_csv_links_are_read_and_a_cell_that_is_no_link_is_named() -> None:
    text = "id,url,estimate_hours,owner\n#1,https://tracker.example/browse/OPS-1,2,a\n#2,,2,a\n#3,OPS-3,2,a\n"
    with pytest.raises(InvalidRequestError) as caught:
        import_backlog(ImportSource.CSV, text.encode(), OPTIONS, name="backlog.csv")
    (problem,) = caught.value.problems
    assert problem.message.startswith("backlog.csv row 4, column url: 'OPS-3' is not an http:// or https:// link")
    result = import_backlog(ImportSource.CSV, text.replace("OPS-3,", ",").encode(), OPTIONS, name="backlog.csv")
    assert [issue.url for issue in result.request.issues] == ["https://tracker.example/browse/OPS-1", None, None]


def test_csv_accepts_units_and_priority_words_and_skips_empty_rows() -> None:
    text = "id,priority,estimate_hours,owner\n#1,high,4h,a\n,,,\n\n#2,Urgent,\"1,5h\",a\n#3,P3,2 days,a\n"
    result = import_backlog(ImportSource.CSV, text.encode(), OPTIONS, name="backlog.csv")
    issues = [(i.id, i.priority, i.estimate_hours) for i in result.request.issues]
    assert issues == [("#1", Priority.P1, 4), ("#2", Priority.P0, 1.5), ("#3", Priority.P3, 16)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_csv_in_every_documented_encoding_reads_alike(encoding: str) -> None:
    text = "id,title,estimate_hours,owner\n#1,Café décor,2,zoë\n"
    result = import_backlog(ImportSource.CSV, text.encode(encoding), OPTIONS, name="backlog.csv")
    assert (result.request.issues[0].title, result.request.owners[0].id) == ("Café décor", "zoë")


def test_latin1_csv_is_a_problem_naming_the_file() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        import_backlog(ImportSource.CSV, "id,title\n#1,Café\n".encode("latin-1"), OPTIONS, name="old.csv")
    assert caught.value.problems[0].message.startswith("old.csv is not UTF-8 text")


def test_linear_cycles_as_milestones_through_a_map() -> None:
    mapping = {"columns": {"Project": "ignore", "Cycle Name": "milestone", "Cycle End": "due"}}
    result = import_backlog(ImportSource.LINEAR, LINEAR.read_bytes(), OPTIONS, mapping, name=LINEAR.name)
    assert {m.id: m.due for m in result.request.milestones} == {"Cycle 7": date(2026, 12, 21)}
    cycled = {row["ID"][0] for row in csv_rows(LINEAR) if row["Cycle Name"][0]}
    assert {i.id for i in result.request.issues if i.milestone == "Cycle 7"} == cycled
    unread = notes_of(result, "columns_not_read")[0]
    assert "Project," not in unread and "Cycle Name" not in unread and "Cycle Start" in unread
