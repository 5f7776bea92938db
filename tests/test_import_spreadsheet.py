"""CSV and Excel backlogs: documented columns read into a request, errors naming row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from service.importers import SpreadsheetOptions, backlog_from_frames, import_csv, import_excel
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import validate_request

BACKLOG = Path(__file__).resolve().parent.parent / "examples" / "backlog.csv"
OPTIONS = SpreadsheetOptions(start_date=date(2025, 11, 23))


def problems_of(frame: pd.DataFrame, **tables: pd.DataFrame) -> list[str]:
    with pytest.raises(InvalidRequestError) as caught:
        backlog_from_frames(frame, OPTIONS, source="backlog.csv", **tables)
    return [problem.message for problem in caught.value.problems]


def test_example_csv_reads_every_row_and_validates() -> None:
    frame = pd.read_csv(BACKLOG, dtype=str, keep_default_na=False)
    result = import_csv(BACKLOG, OPTIONS)
    request = result.request
    assert [issue.id for issue in request.issues] == list(frame["id"])
    assert validate_request(request) == []
    for issue, row in zip(request.issues, frame.itertuples(), strict=True):
        assert issue.estimate_hours == (float(str(row.estimate_hours)) if row.estimate_hours else None)
        assert issue.priority.value == row.priority
        assert issue.pinned_owner == (row.owner or None)
    dues = {row.milestone: date.fromisoformat(str(row.due)) for row in frame.itertuples() if row.due}
    assert {m.id: m.due for m in request.milestones} == dues
    lagged = next(issue for issue in request.issues if issue.id == "#841")
    assert [(d.issue, d.lag_days) for d in lagged.depends_on] == [("#840", 1)]
    assert {owner.id for owner in request.owners} == {o for o in frame["owner"] if o}
    assert any(note.code == "no_estimate" for note in result.notes)


def test_bad_cells_are_named_by_row_and_column() -> None:
    frame = pd.DataFrame(
        {
            "id": ["#1", "#2", "#3"],
            "estimate_hours": ["four", "2", "1.1"],
            "priority": ["P0", "P9", "p1"],
            "milestone": ["M", "M", ""],
            "due": ["2025-13-01", "", "2025-12-01"],
            "hard_deadline": ["maybe", "", ""],
            "owner": ["a", "a", "a"],
        }
    )
    messages = problems_of(frame)
    expected = [
        "backlog.csv row 2, column estimate_hours: 'four'",
        "backlog.csv row 2, column due: '2025-13-01'",
        "backlog.csv row 2, column hard_deadline: 'maybe' is not yes or no",
        "backlog.csv row 3, column priority: 'P9'",
        "backlog.csv row 4, column estimate_hours: '1.1': must be a whole number of quarter hours",
        "backlog.csv row 4, column due: a due date needs a milestone in the same row",
    ]
    for start in expected:
        assert any(message.startswith(start) for message in messages), start


def test_unknown_and_missing_columns_are_reported() -> None:
    messages = problems_of(pd.DataFrame({"title": ["x"], "estimte_hours": ["2"]}))
    assert any(m.startswith("backlog.csv, column estimte_hours: is not a known column") for m in messages)
    assert any(m.startswith("backlog.csv, column id: is missing") for m in messages)


def test_conflicting_due_dates_name_both_rows() -> None:
    frame = pd.DataFrame({"id": ["#1", "#2"], "milestone": ["M", "M"], "due": ["2025-12-01", "2025-12-05"],
                          "estimate_hours": ["1", "1"], "owner": ["a", "a"]})
    messages = problems_of(frame)
    assert messages == ["backlog.csv row 3, column due: milestone 'M' is due 2025-12-05 here but 2025-12-01 in row 2"]


def test_cross_field_problems_name_the_row() -> None:
    frame = pd.DataFrame({"id": ["#1", "#2"], "depends_on": ["", "#9"], "estimate_hours": ["1", "1"],
                          "owner": ["a", "a"]})
    messages = problems_of(frame)
    assert messages == ["backlog.csv row 3: Issue #2 depends on #9, which is not in the backlog."]


def test_owner_table_gives_the_team() -> None:
    frame = pd.DataFrame({"id": ["#1"], "estimate_hours": ["3"]})
    owners = pd.DataFrame({"id": ["a", "agent"], "hours_per_day": ["6", "24"], "working_weekdays": ["", "mon,sat"],
                           "skills": ["", "backend; infra"]})
    result = backlog_from_frames(frame, OPTIONS, owners=owners)
    agent = result.request.owners[1]
    assert [o.hours_per_day for o in result.request.owners] == [6, 24]
    assert [d.value for d in agent.working_weekdays or []] == ["mon", "sat"]
    assert agent.skills == ["backend", "infra"]
    bad = pd.DataFrame({"id": ["a"], "hours_per_day": ["30"]})
    messages = problems_of(frame, owners=bad)
    assert messages[0].startswith("backlog.csv owners row 2, column hours_per_day: '30'")


def test_excel_reads_issues_owners_and_milestones_sheets(tmp_path: Path) -> None:
    issues = pd.read_csv(BACKLOG, dtype=str, keep_default_na=False).drop(columns=["due"])
    milestones = pd.DataFrame({"id": ["M2", "M3", "reconstruction"], "name": ["M2", "M3", "Reconstruction"],
                               "due": pd.to_datetime(["2025-11-19", "2025-11-25", "2025-11-27"])})
    owners = pd.DataFrame({"id": ["lead"], "hours_per_day": [8]})
    workbook = tmp_path / "backlog.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        issues.to_excel(writer, sheet_name="backlog", index=False)
        owners.to_excel(writer, sheet_name="owners", index=False)
        milestones.to_excel(writer, sheet_name="milestones", index=False)
    from_excel = import_excel(workbook, OPTIONS).request
    from_csv = import_csv(BACKLOG, OPTIONS).request
    assert from_excel.issues == from_csv.issues
    assert [(m.id, m.due) for m in from_excel.milestones] == [(m.id, m.due) for m in from_csv.milestones]
    assert from_excel.milestones[2].name == "Reconstruction"


def test_excel_unknown_sheet_is_named(tmp_path: Path) -> None:
    workbook = tmp_path / "plan.xlsx"
    pd.DataFrame({"id": ["#1"]}).to_excel(workbook, sheet_name="issues", index=False)
    with pytest.raises(InvalidRequestError) as caught:
        import_excel(workbook, OPTIONS, sheet="Backlog")
    assert caught.value.problems[0].message == "plan.xlsx: there is no sheet 'Backlog' (sheets: issues)."


def test_in_progress_column_marks_started_work() -> None:
    frame = pd.DataFrame({"id": ["#1", "#2"], "estimate_hours": ["3", "2"], "remaining_hours": ["1", ""],
                          "owner": ["a", "a"], "in_progress": ["yes", ""]})
    result = backlog_from_frames(frame, OPTIONS)
    assert [issue.in_progress for issue in result.request.issues] == [True, False]
    assert validate_request(result.request) == []
    messages = problems_of(frame.assign(in_progress=["maybe", ""]))
    assert "in_progress" in messages[0]
def test_excel_rows_are_numbered_as_the_sheet_numbers_them(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "backlog"
    for row in (["id", "estimate_hours", "priority", "owner"], ["#1", 2, "P1", "a"], [None, None, None, None],
                ["#2", "4h", "high", "a"], ["#3", "lots", "P2", "a"]):
        sheet.append(row)
    workbook = tmp_path / "plan.xlsx"
    book.save(workbook)
    with pytest.raises(InvalidRequestError) as caught:
        import_excel(workbook, OPTIONS)
    assert [p.message.split(":")[0] for p in caught.value.problems] == [
        "plan.xlsx sheet 'backlog' row 5, column estimate_hours"]
    sheet.delete_rows(5)
    book.save(workbook)
    issues = import_excel(workbook, OPTIONS).request.issues
    assert [(i.id, i.estimate_hours, i.priority.value) for i in issues] == [("#1", 2, "P1"), ("#2", 4, "P1")]
