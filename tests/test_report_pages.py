"""The HTML report in Chromium (colours, links, dates on one line, the chart) and the Gantt chart at any size."""

from __future__ import annotations

import colorsys
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import matplotlib.image
import numpy as np
import pytest

from api_schemas.request import PlanRequest
from api_schemas.result import (
    IssuePlan,
    IssueStatus,
    MilestonePlan,
    MilestoneStatus,
    OwnerLoad,
    PlanResult,
    Slot,
    SolveStatus,
)
from checker import check_schedule
from service.report import PlanView, ReportFormat, render
from service.report.chart_fonts import chart_fonts
from service.report.document import Tone
from service.report.gantt import (
    MAX_IMAGE_PX,
    MAX_ISSUE_ROWS,
    MAX_OWNER_ROWS,
    figure_png,
    gantt_figure,
    within_pixel_cap,
)
from service.report.milestones import MilestoneStanding, Standing, standings
from solver.planner import plan
from tests.live_servers import chromium_browser

#: Tone of each standing as the page shows it: which colour channel dominates the cell's tint.
DOMINANT = {"overdue": "red", "at risk": "amber", "on track": "green"}


def three_standings() -> dict[str, Any]:
    """One owner and three milestones: one overdue, one at risk (done on its due date), one on track."""
    return {
        "start_date": "2026-03-02",
        "calendar": {"timezone": "Europe/Berlin"},
        "owners": [{"id": "ann", "name": "Ann Lee", "hours_per_day": 8}],
        "milestones": [
            {"id": "M-over", "name": "Hotfix", "due": "2026-02-20"},
            {"id": "M-risk", "name": "Beta", "due": "2026-03-04"},
            {"id": "M-ok", "name": "Launch", "due": "2026-04-30"},
        ],
        "issues": [
            {"id": "#1", "title": "Patch the login crash", "estimate_hours": 4, "priority": "P0",
             "milestone": "M-over", "url": "https://tracker.example/issues/1"},
            {"id": "#2", "title": "Beta onboarding flow", "estimate_hours": 20, "priority": "P1",
             "milestone": "M-risk", "url": "https://tracker.example/issues/2"},
            {"id": "#3", "title": "Launch checklist", "estimate_hours": 6, "priority": "P2", "milestone": "M-ok",
             "url": "https://tracker.example/issues/3"},
        ],
        "options": {"time_limit_s": 1},
    }


@pytest.fixture(scope="module")
def planned() -> tuple[PlanRequest, PlanResult]:
    request = PlanRequest.model_validate(three_standings())
    result = plan(request, with_recommendations=False)
    assert check_schedule(request, result) == []
    return request, result


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as running:
        yield running


def dominant_colour(png: bytes) -> str:
    """'red', 'amber', 'green' or 'none': the mean hue of a cell's tinted pixels (not white, not grey)."""
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")[:, :, :3].reshape(-1, 3)
    hsv = np.array([colorsys.rgb_to_hsv(*pixel) for pixel in pixels[:: max(1, len(pixels) // 4000)]])
    tinted = hsv[(hsv[:, 1] > 0.04) & (hsv[:, 2] > 0.5)]
    if len(tinted) == 0:
        return "none"
    angles = tinted[:, 0] * 2 * np.pi
    hue = np.degrees(np.arctan2(np.sin(angles).mean(), np.cos(angles).mean())) % 360
    if hue < 20 or hue > 340:
        return "red"
    if 20 <= hue < 70:
        return "amber"
    return "green" if 90 <= hue < 160 else "none"


def test_the_html_report_renders_its_colours_links_dates_and_chart(
    planned: tuple[PlanRequest, PlanResult], browser: Any
) -> None:
    request, result = planned
    expected = {standing.milestone.id: standing.standing for standing in standings(PlanView(request, result))}
    assert set(expected.values()) == {Standing.OVERDUE, Standing.AT_RISK, Standing.ON_TRACK}
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    outside: list[str] = []

    def block(route: Any) -> None:
        outside.append(route.request.url)
        route.abort()

    page.route("**/*", block)
    page.set_content(render(ReportFormat.HTML, request, result).decode())

    cells = page.locator("td[class*='tone-']")
    words = {}
    for n in range(cells.count()):
        cell = cells.nth(n)
        word = cell.locator("strong").first.inner_text() if cell.locator("strong").count() else ""
        if word in DOMINANT:
            assert dominant_colour(cell.screenshot()) == DOMINANT[word], word
            words[word] = True
    assert set(words) == set(DOMINANT)  # each standing is written out and coloured

    links = page.locator("a[href^='https://tracker.example/issues/']")
    assert links.count() >= 3 and links.first.inner_text().startswith("#")
    dates = page.locator("span.date")
    assert dates.count() > 10
    for n in range(0, dates.count(), max(1, dates.count() // 15)):
        assert dates.nth(n).evaluate("element => element.getClientRects().length") == 1  # never split over lines

    chart = page.locator("figure svg")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 200
    picture = matplotlib.image.imread(io.BytesIO(chart.screenshot()), format="png")[:, :, :3]
    assert (picture.std(axis=2) > 0.1).mean() > 0.01  # coloured bars, not a blank box
    assert "Ann Lee" in page.locator("figure").inner_text() or "Ann Lee" in page.content()
    assert outside == []
    page.close()


def test_issue_rows_carry_titles_and_every_due_date_in_view(planned: tuple[PlanRequest, PlanResult]) -> None:
    request, result = planned
    figure = gantt_figure(PlanView(request, result))
    chart = figure.axes[0]
    labels = [label.get_text() for label in chart.get_yticklabels()]
    assert labels == [f"{i.id} ({i.priority.value}) {i.title}" for i in PlanView(request, result).planned]
    first, last = chart.get_xlim()
    # Beta's due date lies within the plan's reach: a dashed line inside the axis. Hotfix (10 days before the
    # start) and Launch (8 weeks after the last slot) are farther: each is written at the axis's edge with its date.
    lines = [float(np.asarray(line.get_xdata())[0]) for line in chart.get_lines() if line.get_linestyle() == "--"]
    assert len(lines) == 1 and first < lines[0] <= last
    texts = " ".join(text.get_text() for text in chart.texts)
    assert "Beta (at risk)" in texts
    assert "◀ due 20 Feb 2026\nHotfix (overdue)" in texts and "due 30 Apr 2026 ▶\nLaunch (on track)" in texts
    assert texts.count("◀ due 20 Feb 2026") == 2  # and #1's own deadline, written after its bar


def synthetic_plan(issues: int, owners: int, days: int) -> tuple[PlanRequest, PlanResult]:
    """A large plan laid out by hand (one issue after another per owner), to draw without solving."""
    start = date(2026, 1, 5)
    owner_ids = [f"owner-{n:02d}" for n in range(owners)]
    milestones = [{"id": f"M{n}", "due": (start + timedelta(days=7 * n + 7)).isoformat()} for n in range(40)]
    request = PlanRequest.model_validate(
        {
            "start_date": start.isoformat(),
            "calendar": {"working_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
            "owners": [{"id": owner, "name": f"Person {n}"} for n, owner in enumerate(owner_ids)],
            "milestones": milestones,
            "issues": [
                {"id": f"#{n}", "title": f"Issue {n}", "estimate_hours": 2, "milestone": f"M{n % 40}"}
                for n in range(issues)
            ],
        }
    )
    per_owner_day = max(1, issues // (owners * days))
    plans = []
    for n in range(issues):
        owner, rank = n % owners, n // owners
        day = start + timedelta(days=rank // per_owner_day)
        starts = datetime.combine(day, time(9)) + timedelta(hours=2 * (rank % per_owner_day))
        plans.append(
            IssuePlan(id=f"#{n}", title=f"Issue {n}", priority=request.issues[n].priority, milestone=f"M{n % 40}",
                      status=IssueStatus.PLANNED, owner=owner_ids[owner], hours=2, start=starts,
                      finish=starts + timedelta(hours=2), slots=[Slot(date=day, start=starts.time(), hours=2)])
        )
    result = PlanResult(
        status=SolveStatus.FEASIBLE, gap=0.1, solve_time_s=1, start_date=start,
        horizon_end=start + timedelta(days=days + 30), issues=plans,
        milestones=[MilestonePlan(id=f"M{n}", due=start + timedelta(days=7 * n + 7), status=MilestoneStatus.ON_TRACK,
                                  issues=issues // 40, work_hours=issues // 40 * 2) for n in range(40)],
        owners=[OwnerLoad(id=owner, hours_per_day=8, planned_hours=0, capacity_hours=0, utilisation=0)
                for owner in owner_ids],
    )
    return request, result


def test_5000_issues_draw_one_row_per_owner_under_the_pixel_cap() -> None:
    request, result = synthetic_plan(5000, 20, 250)
    with chart_fonts():
        figure = gantt_figure(PlanView(request, result))
        png = figure_png(figure)
    picture = matplotlib.image.imread(io.BytesIO(png), format="png")[:, :, :3]
    height, width = picture.shape[:2]
    assert width <= MAX_IMAGE_PX and height <= MAX_IMAGE_PX
    assert width >= 1000 and height >= 500 and picture.std() > 0.05  # a picture, not a blank
    chart = figure.axes[0]
    labels = [label.get_text() for label in chart.get_yticklabels()]
    assert len(labels) == 20 and all(label.startswith("Person ") and "issues)" in label for label in labels)
    last_slot = max(issue.slots[-1].date for issue in result.issues)
    assert chart.get_xlim()[1] >= (last_slot - request.start_date).days + 1  # the whole plan is on the axis


def test_a_large_team_shows_its_busiest_owners_and_says_how_much_is_left_out() -> None:
    request, result = synthetic_plan(1000, MAX_OWNER_ROWS + 30, 30)
    chart = gantt_figure(PlanView(request, result)).axes[0]
    labels = [label.get_text() for label in chart.get_yticklabels()]
    assert MAX_ISSUE_ROWS < 1000 and len(labels) == MAX_OWNER_ROWS
    shown = sum(int(label.split("(")[1].split(" ")[0]) for label in labels)
    assert f"{1000 - shown} issues of other owners not shown" in chart.get_title(loc="left")


STANDING_TONES = [
    (Standing.OVERDUE, True, Tone.BAD),
    (Standing.AT_RISK, True, Tone.BAD),  # projected late: red, and the words say so
    (Standing.AT_RISK, False, Tone.WARN),
    (Standing.ON_TRACK, False, Tone.GOOD),
    (Standing.DONE, False, Tone.GOOD),
    (Standing.NO_DUE_DATE, False, None),
    (Standing.UNSCHEDULED, False, Tone.BAD),
]


@pytest.mark.parametrize(("standing", "late", "tone"), STANDING_TONES)
def test_each_standing_has_its_colour(standing: Standing, late: bool, tone: Tone | None) -> None:
    assert {row[0] for row in STANDING_TONES} == set(Standing)  # a new standing needs its colour here
    milestone = MilestonePlan(id="M", status=MilestoneStatus.ON_TRACK, late=late, issues=1, work_hours=1)
    assert MilestoneStanding(milestone, standing, [], 1.0, None).tone == tone


def test_a_picture_over_the_cap_is_scaled_to_fit_and_one_within_is_left_alone() -> None:
    tall = io.BytesIO()
    matplotlib.image.imsave(tall, np.zeros((MAX_IMAGE_PX + 900, 1200, 3)), format="png")
    shrunk = matplotlib.image.imread(io.BytesIO(within_pixel_cap(tall.getvalue())), format="png")
    assert shrunk.shape[0] == MAX_IMAGE_PX and shrunk.shape[1] == int(1200 * MAX_IMAGE_PX / (MAX_IMAGE_PX + 900))
    small = io.BytesIO()
    matplotlib.image.imsave(small, np.zeros((300, 400, 3)), format="png")
    assert within_pixel_cap(small.getvalue()) == small.getvalue()
