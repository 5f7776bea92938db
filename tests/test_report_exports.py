"""CSV tables, iCalendar, Gantt PNG and the HTML page of a plan, read back and compared with the plan."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest
from icalendar import Calendar, Event
from typer.testing import CliRunner

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.cli import app as cli_app
from service.report import PlanView, ReportFormat, render
from service.report.tables import load_frame, slots_frame
from solver.planner import plan

REFERENCE = Path(__file__).resolve().parent.parent / "examples" / "reference_backlog.json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def planned() -> tuple[PlanRequest, PlanResult]:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    data["options"]["time_limit_s"] = 5
    request = PlanRequest.model_validate(data)
    return request, plan(request)


def test_slot_table_has_every_slot_and_adds_up_per_issue(planned: tuple[PlanRequest, PlanResult]) -> None:
    request, result = planned
    frame = slots_frame(PlanView(request, result))
    assert len(frame) == sum(len(issue.slots) for issue in result.issues)
    hours = frame.groupby("issue")["hours"].sum().to_dict()
    assert hours == {issue.id: issue.hours for issue in result.issues if issue.slots}
    for row in frame.itertuples():
        starts = datetime.fromisoformat(f"{row.date}T{row.start}")
        assert (starts + timedelta(hours=float(str(row.hours)))).strftime("%H:%M") == row.end
    assert frame["completes_issue"].sum() == sum(1 for issue in result.issues if issue.slots)


def test_load_table_matches_each_owners_days(planned: tuple[PlanRequest, PlanResult]) -> None:
    request, result = planned
    frame = load_frame(PlanView(request, result))
    for owner in result.owners:
        rows = frame[frame["owner"] == owner.id]
        assert rows["planned_hours"].sum() == owner.planned_hours
        assert rows["capacity_hours"].sum() == owner.capacity_hours
        assert (rows["free_hours"] == rows["capacity_hours"] - rows["planned_hours"]).all()


def test_csv_formats_read_back_with_pandas(planned: tuple[PlanRequest, PlanResult]) -> None:
    request, result = planned
    slots = pd.read_csv(io.BytesIO(render(ReportFormat.CSV, request, result)))
    load = pd.read_csv(io.BytesIO(render(ReportFormat.LOAD_CSV, request, result)))
    assert slots["hours"].sum() == sum(issue.hours for issue in result.issues if issue.slots)
    assert load["planned_hours"].sum() == slots["hours"].sum()


def test_ics_has_one_event_per_slot_at_its_times(planned: tuple[PlanRequest, PlanResult]) -> None:
    request, result = planned
    calendar = Calendar.from_ical(render(ReportFormat.ICS, request, result))
    events = [e for e in calendar.walk("VEVENT") if isinstance(e, Event) and str(e["UID"]).startswith("issue-")]
    expected = {
        (issue.id, datetime.combine(slot.date, slot.start), datetime.combine(slot.date, slot.start)
         + timedelta(hours=slot.hours))
        for issue in result.issues
        for slot in issue.slots
    }
    def local(event: Event, name: str) -> datetime:  # no calendar.timezone: floating wall-clock times
        value: datetime = event.decoded(name)
        assert value.tzinfo is None
        return value

    found = {(str(event["SUMMARY"]).split(" ")[0], local(event, "DTSTART"), local(event, "DTEND")) for event in events}
    assert found == expected
    assert len({str(event["UID"]) for event in events}) == len(events)


def test_png_is_a_readable_picture(planned: tuple[PlanRequest, PlanResult]) -> None:
    request, result = planned
    data = render(ReportFormat.PNG, request, result)
    assert data.startswith(PNG_SIGNATURE)
    image = matplotlib.image.imread(io.BytesIO(data), format="png")
    height, width = image.shape[:2]
    assert width >= 1000 and height >= 300


def test_html_is_self_contained_and_carries_the_chart(planned: tuple[PlanRequest, PlanResult]) -> None:
    request, result = planned
    page = render(ReportFormat.HTML, request, result).decode()
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "</svg>" in page
    assert not re.search(r"<(script|link|img|iframe)[^>]*(src|href)=", page)
    assert not re.search(r"url\(\s*['\"]?https?:", page)
    for milestone in result.milestones:
        assert (milestone.name or milestone.id).replace("&", "&amp;") in page


def test_json_format_is_the_result(planned: tuple[PlanRequest, PlanResult]) -> None:
    request, result = planned
    assert PlanResult.model_validate_json(render(ReportFormat.JSON, request, result)) == result


#: Cells a spreadsheet would evaluate as formulas if written as they are.
#: Titles a spreadsheet would run as formulas (a title starting with a tab or a carriage return, the other two
#: prefixes, no longer reaches a report: the contract refuses control characters in titles, tests/test_display_text.py).
HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)"]


def hostile_backlog() -> PlanRequest:
    return PlanRequest.model_validate(
        {
            "start_date": "2026-03-02",
            "owners": [{"id": "@owner", "name": "=cmd|' /C calc'!A0"}],
            "milestones": [{"id": "+M", "name": "-M", "due": "2026-03-20"}],
            "issues": [
                {"id": f"-{n}", "title": title, "estimate_hours": 1, "milestone": "+M",
                 "url": f"https://tracker.example/{n}"}
                for n, title in enumerate(HOSTILE)
            ],
            "options": {"time_limit_s": 1},
        }
    )


@pytest.mark.parametrize("report_format", [ReportFormat.CSV, ReportFormat.LOAD_CSV])
def test_csv_cells_never_start_like_a_formula(report_format: ReportFormat) -> None:
    request = hostile_backlog()
    result = plan(request, with_recommendations=False)
    text = render(report_format, request, result).decode()
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        assert not cell.startswith("-") or re.fullmatch(r"-\d+(\.\d+)?", cell), cell  # numbers stay numbers
    if report_format == ReportFormat.CSV:
        frame = pd.read_csv(io.StringIO(text), keep_default_na=False)
        assert sorted(frame["title"]) == sorted("'" + title for title in HOSTILE)
        assert set(frame["owner"]) == {"'@owner"} and set(frame["milestone"]) == {"'+M"}
        assert set(frame["owner_name"]) == {"'=cmd|' /C calc'!A0"}
        assert frame["hours"].sum() == len(HOSTILE)  # numeric columns untouched


def test_csv_with_a_bom_reads_alike_in_a_bom_aware_reader(planned: tuple[PlanRequest, PlanResult]) -> None:
    request, result = planned
    plain = render(ReportFormat.CSV, request, result)
    marked = render(ReportFormat.CSV, request, result, bom=True)
    assert not plain.startswith(b"\xef\xbb\xbf") and marked == b"\xef\xbb\xbf" + plain
    assert list(csv.reader(io.StringIO(marked.decode("utf-8-sig")))) == list(csv.reader(io.StringIO(plain.decode())))
    assert "Miyabi Project Lead" in plain.decode()  # owners' display names ride along


def test_capplan_plan_writes_a_csv_with_a_bom_when_asked(tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.json"
    backlog.write_text(hostile_backlog().model_dump_json(), encoding="utf-8")
    out = tmp_path / "slots.csv"
    result = CliRunner().invoke(cli_app, ["plan", str(backlog), "--format", "csv", "--bom", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfdate,start,end,hours,owner,issue,title")
    assert b"'=HYPERLINK" in data and b",=HYPERLINK" not in data


def test_gantt_labels_of_wide_characters_fit_the_label_column() -> None:
    # A Japanese title was cut at 44 characters, which take 88 columns: the chart's label column doubled, the plot
    # shrank and the subtitle ran off the picture.
    from api_schemas.result import IssuePlan, IssueStatus
    from service.report.gantt import _LABEL_CHARS, _columns, _issue_label

    def label(title: str) -> str:
        return _issue_label(IssuePlan(id="#2", title=title, priority="P2", status=IssueStatus.PLANNED))

    wide = label("ログイン画面を直す" * 5)
    assert wide.endswith("…") and sum(_columns(c) for c in wide) <= _LABEL_CHARS
    assert label("x" * 35) == "#2 (P2) " + "x" * 35  # 43 columns: kept whole
    assert sum(_columns(c) for c in label("é" * 60)) == _LABEL_CHARS  # narrow accented letters count once
