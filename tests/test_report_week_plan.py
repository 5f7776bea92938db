"""The week plan on the reference backlog, checked against the plan data it is written from."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from api_schemas.recommendations import (
    DeferredIssue,
    Extension,
    Recommendations,
    ScopeCut,
    TargetKind,
    TargetRecommendation,
)
from api_schemas.request import PlanRequest
from api_schemas.result import IssueStatus, PlanResult, SolveStatus
from service.report import PlanView, week_plan_markdown
from service.report.chains import Link, milestone_chain
from solver.calendars.working_time import TeamCalendar
from solver.planner import plan
from solver.recommend.summary import (
    extension_words,
    extra_hours_words,
    owners_cannot_help_words,
    scope_cut_words,
)

REFERENCE = Path(__file__).resolve().parent.parent / "examples" / "reference_backlog.json"


@pytest.fixture(scope="module")
def request_() -> PlanRequest:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    data["options"]["time_limit_s"] = 5
    return PlanRequest.model_validate(data)


@pytest.fixture(scope="module")
def result(request_: PlanRequest) -> PlanResult:
    return plan(request_)


@pytest.fixture(scope="module")
def markdown(request_: PlanRequest, result: PlanResult) -> str:
    return week_plan_markdown(request_, result)


def table_after(markdown: str, header_start: str) -> list[list[str]]:
    """Rows (cells) of the first Markdown table whose header starts with `header_start`."""
    lines = markdown.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def section(markdown: str, heading: str) -> str:
    """Text of the section starting at `heading` up to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    start = markdown.index(heading)
    body = markdown.index("\n", start) + 1
    following = re.search(rf"^#{{1,{len(level)}}} ", markdown[body:], re.M)
    return markdown[start : body + following.start()] if following else markdown[start:]


def iso(cell: str) -> date:
    return date.fromisoformat(cell.split(" ")[-1])


def test_day_table_adds_up_to_each_owners_load(result: PlanResult, markdown: str) -> None:
    rows = table_after(markdown, "| Date | Owner | Time |")
    per_day: dict[tuple[str, date], float] = {}
    for row in rows:
        per_day[(row[1], iso(row[0]))] = per_day.get((row[1], iso(row[0])), 0.0) + float(row[4])
    week_end = result.start_date + timedelta(days=6)
    expected = {
        (owner.name or owner.id, day.date): day.hours  # the table names owners by their display names
        for owner in result.owners
        for day in owner.days
        if day.date <= week_end and day.hours
    }
    assert per_day == expected
    total = sum(per_day.values())
    assert f"{total:g} h planned in these 7 days" in markdown


def test_day_table_dates_are_working_days_and_times_match_slots(
    request_: PlanRequest, result: PlanResult, markdown: str
) -> None:
    team = TeamCalendar(request_.calendar)
    slots = {
        (issue.id, slot.date, slot.start.strftime("%H:%M"))
        for issue in result.issues
        for slot in issue.slots
    }
    rows = table_after(markdown, "| Date | Owner | Time |")
    assert rows
    for row in rows:
        day = iso(row[0])
        assert team.is_working(day)
        assert row[0].startswith(day.strftime("%a"))
        issue_id = row[3].split(" ")[0]
        assert (issue_id, day, row[2].split("-")[0]) in slots


def test_each_issue_is_marked_done_on_its_finish_day(result: PlanResult, markdown: str) -> None:
    rows = table_after(markdown, "| Date | Owner | Time |")
    done_on = {cell.split(" ")[0]: iso(row[0]) for row in rows for cell in row[5].split("; ") if cell.endswith("done")}
    week_end = result.start_date + timedelta(days=6)
    expected = {i.id: i.slots[-1].date for i in result.issues if i.slots and i.slots[-1].date <= week_end}
    assert done_on == expected


def test_overview_matches_the_milestones(result: PlanResult, markdown: str) -> None:
    rows = {row[0]: row for row in table_after(markdown, "| Milestone | Due |")}
    assert len(rows) == len(result.milestones)
    for milestone in result.milestones:
        row = rows[milestone.name or milestone.id]
        assert row[1].endswith(milestone.due.isoformat() if milestone.due else "—")
        assert row[2].endswith(milestone.projected_finish.isoformat() if milestone.projected_finish else "—")
        assert row[4].startswith(f"{milestone.work_hours:g} h / ")
        assert row[5] == str(milestone.issues)
        if milestone.status.value == "overdue":
            assert row[3].startswith("**overdue**")
        elif milestone.late or milestone.unplanned_issues:
            assert row[3].startswith("**at risk**")
            if milestone.late:
                assert f"projected {milestone.lateness_working_days} working days late" in row[3]
        else:
            assert row[3].startswith("**on track**")


def test_capacity_risk_has_the_arithmetic_of_work_due(request_: PlanRequest, result: PlanResult, markdown: str) -> None:
    risks = section(markdown, "## Risks")
    due_of = {m.id: m.due for m in request_.milestones}
    for milestone in result.milestones:
        if milestone.due is None or not milestone.capacity_hours_before_due:
            continue
        work_due = sum(
            issue.work_hours or 0
            for issue in request_.issues
            if issue.milestone and (due := due_of[issue.milestone]) is not None and due <= milestone.due
        )
        ratio = work_due / milestone.capacity_hours_before_due
        name = milestone.name or milestone.id
        if ratio > 1:
            assert f"**Capacity before {name} is due" in risks
            assert f"{work_due:g} h of estimated work is due by then" in risks
            assert f"ratio {ratio:.2f}, {work_due - milestone.capacity_hours_before_due:g} h cannot fit" in risks
        else:
            assert f"**Capacity before {name} is due" not in risks


def test_binding_chain_links_follow_dependencies_or_a_busy_owner(request_: PlanRequest, result: PlanResult) -> None:
    view = PlanView(request_, result)
    requested = {issue.id: issue for issue in request_.issues}
    late = [m for m in result.milestones if m.late]
    assert late
    for milestone in late:
        steps = milestone_chain(view, milestone.id)
        members = [i for i in result.issues if i.milestone == milestone.id and i.finish]
        assert steps[-1].issue.finish == max(i.finish for i in members if i.finish)
        assert steps[0].held_by in (Link.EARLIEST, Link.OTHER)
        for before, after in pairwise(steps):
            assert before.issue.finish is not None and after.issue.start is not None
            assert before.issue.finish <= after.issue.start
            depends = {d.issue: d.lag_days for d in requested[after.issue.id].depends_on}
            if after.held_by in (Link.DEPENDENCY, Link.LAG):
                assert depends[before.issue.id] == after.lag_days
            else:
                assert after.held_by == Link.OWNER_BUSY and before.issue.owner == after.issue.owner


def test_binding_chain_is_written_in_order_with_its_hours(request_: PlanRequest, result: PlanResult,
                                                          markdown: str) -> None:
    view = PlanView(request_, result)
    for milestone in (m for m in result.milestones if m.late):
        steps = milestone_chain(view, milestone.id)
        line = next(line for line in markdown.splitlines() if f"**Binding chain of {milestone.name}**" in line)
        positions = [line.index(f"{step.issue.id} (") for step in steps]
        assert positions == sorted(positions)
        assert f"{sum(step.issue.hours for step in steps):g} h of work in {len(steps)} issues" in line


def test_tiers_hold_every_planned_issue_once_by_its_start(result: PlanResult, markdown: str) -> None:
    priorities = section(markdown, "## Priorities")
    tables = re.split(r"^### ", priorities, flags=re.M)[1:]
    seen: dict[str, str] = {}
    for table in tables:
        name = table.split("\n", 1)[0]
        for row in table_after("### " + table, "| Issue | Milestone |") if "| Issue |" in table else []:
            seen[row[0].split(" ")[0]] = name
    planned = [issue for issue in result.issues if issue.status == IssueStatus.PLANNED]
    assert set(seen) == {issue.id for issue in planned}
    second_working_day = sorted({d.date for o in result.owners for d in o.days})[1]
    for issue in planned:
        start = issue.slots[0].date
        if start <= second_working_day:
            assert seen[issue.id].startswith("Now")
        elif start <= result.start_date + timedelta(days=6):
            assert seen[issue.id].startswith("This week")
        else:
            assert seen[issue.id].startswith("Later")


def test_unestimated_issues_are_listed_for_estimation(result: PlanResult, markdown: str) -> None:
    block = section(markdown, "### Needs an estimate first")
    unplanned = [issue for issue in result.issues if issue.status == IssueStatus.UNPLANNED]
    assert unplanned
    assert f"{len(unplanned)} issues" in block
    for issue in unplanned:
        assert f"{issue.id} ({issue.priority.value})" in block


@pytest.mark.parametrize("week", [1, 2])
def test_success_criteria_count_what_closes_by_the_end_of_each_week(
    result: PlanResult, markdown: str, week: int
) -> None:
    last = result.start_date + timedelta(days=7 * week - 1)
    block = section(markdown, f"### Week {week} (")
    rows = {row[0]: row for row in table_after(block, "| Milestone | Issues closed |")}
    for milestone in result.milestones:
        members = [i for i in result.issues if i.milestone == milestone.id]
        closed = [i for i in members if i.status == IssueStatus.DONE or (i.slots and i.slots[-1].date <= last)]
        hours = sum(i.hours for i in members)
        if not closed and not hours:
            assert (milestone.name or milestone.id) not in rows
            continue
        row = rows[milestone.name or milestone.id]
        assert row[1] == f"{len(closed)}/{len(members)}"
        assert row[2] == f"{len(closed) / len(members):.0%}"
        assert row[3].endswith(f"({sum(i.hours for i in closed):g}/{hours:g} h)")


def test_no_work_is_planned_on_the_sunday_the_seed_plan_used(request_: PlanRequest, result: PlanResult,
                                                             markdown: str) -> None:
    team = TeamCalendar(request_.calendar)
    assert not team.is_working(request_.start_date)
    assert all(team.is_working(slot.date) for issue in result.issues for slot in issue.slots)
    assert f"{request_.start_date:%a} {request_.start_date.isoformat()} is not a working day" in markdown


def _recommendations(result: PlanResult) -> Recommendations:
    late = next(m for m in result.milestones if m.late and m.projected_finish and m.due)
    assert late.projected_finish is not None and late.due is not None
    last = max((i for i in result.issues if i.milestone == late.id and i.finish), key=lambda i: i.finish or 0)
    target = TargetRecommendation(
        key=f"milestone:{late.id}", kind=TargetKind.MILESTONE, id=late.id, name=late.name, status="late",
        due=late.due, planned_finish=late.projected_finish, lateness_working_days=late.lateness_working_days,
        work_hours=late.work_hours,
        extension=Extension(new_date=late.projected_finish, working_days=late.lateness_working_days,
                            calendar_days=late.lateness_calendar_days, proven_minimal=True, verified=True),
        scope_cut=ScopeCut(deferred=[DeferredIssue(id=last.id, priority=last.priority, hours=last.hours)],
                           hours_deferred=last.hours, hours_kept=late.work_hours - last.hours,
                           share_kept=(late.work_hours - last.hours) / late.work_hours, proven=False, verified=True),
        summary=f"{late.name}: extend to {late.projected_finish}, or defer {last.id}",
    )
    return Recommendations(targets=[target], summary=["M2: already overdue"], complete=False, seconds=1.5)


def test_every_recommendation_appears_with_its_summary_line(request_: PlanRequest, result: PlanResult) -> None:
    recommendations = _recommendations(result)
    text = week_plan_markdown(request_, result.model_copy(update={"recommendations": recommendations}))
    block = section(text, "## Recommendations")
    for line in recommendations.summary:
        assert f"- {line}" in block
    for target in recommendations.targets:
        assert f"**In one line:** {target.summary}" in block
        assert target.extension is not None and target.scope_cut is not None
        assert f"- {extension_words(target.extension)}: proven minimal, verified by re-planning" in block
        assert f"- {scope_cut_words(target.scope_cut)}: best found in time, verified by re-planning" in block
    assert "Not every value was proven minimal" in block


def test_the_plans_own_recommendations_all_appear(result: PlanResult, markdown: str) -> None:
    assert result.recommendations is not None
    block = section(markdown, "## Recommendations")
    for line in result.recommendations.summary:
        assert f"- {line}" in block
    for target in result.recommendations.targets:
        assert target.summary in block
        assert f"### {target.kind.value.capitalize()} {target.name or target.id}: {target.status.value}" in block


def test_each_alternative_reads_as_in_the_summary_line(result: PlanResult, markdown: str) -> None:
    """The report shows the solver's own phrase of each alternative, not a second wording of it."""
    assert result.recommendations is not None
    block = section(markdown, "## Recommendations")
    shown = 0
    for target in result.recommendations.targets:
        phrases = []
        if target.extension is not None:
            phrases.append(extension_words(target.extension))
        if target.scope_cut is not None and (cut := scope_cut_words(target.scope_cut)) is not None:
            phrases.append(cut)
        if target.capacity is not None and target.capacity.extra_hours is not None:
            phrases.append(extra_hours_words(target.capacity.extra_hours))
        if target.capacity is not None and target.capacity.owners_cannot_help is not None:
            phrases.append(owners_cannot_help_words(target.capacity.owners_cannot_help))
        for phrase in phrases:
            assert phrase in target.summary and f"- {phrase}" in block
        shown += len(phrases)
    assert shown, "the reference plan must carry alternatives for this test to mean anything"


def test_no_recommendations_section_without_recommendations(request_: PlanRequest, result: PlanResult) -> None:
    text = week_plan_markdown(request_, result.model_copy(update={"recommendations": None}))
    assert "## Recommendations" not in text


def test_a_plan_that_failed_says_so_and_lists_the_conflict(request_: PlanRequest, result: PlanResult) -> None:
    failed = result.model_copy(update={"status": SolveStatus.INFEASIBLE, "infeasibility": ["#841 cannot start"]})
    text = week_plan_markdown(request_, failed)
    assert text.startswith(f"# No plan from {request_.start_date:%a}")
    assert "- #841 cannot start" in text
    assert "## Day by day" not in text


def test_an_infeasible_plan_shows_every_conflict_its_fixes_and_the_unscheduled_issues() -> None:
    # #841 is pinned to a Saturday; x, y and z (4 h each) are all due Monday on ann's 8 h.
    request = PlanRequest.model_validate({
        "start_date": "2025-11-24",
        "owners": [{"id": "ann"}],
        "issues": [
            {"id": "#841", "estimate_hours": 4, "pinned_start": "2025-11-29"},
            *[{"id": i, "estimate_hours": 4, "deadline": "2025-11-24", "hard_deadline": True} for i in "xyz"],
        ],
    })
    text = week_plan_markdown(request, plan(request))
    reason = "no plan satisfies the hard rules: see infeasibility"
    assert f"4 issues (16 h) are unscheduled: {reason} (#841, x, y and z)." in text
    assert "- #841 is pinned to start 2025-11-29, a Saturday, which ann does not work" in text
    assert "**Conflict 1 of 2** (minimal):" in text and "**Conflict 2 of 2** (minimal):" in text
    assert "- Fix: drop the pin of #841: shown to remove the conflict" in text
    assert ("- Fix: add 4 h by 2025-11-24: ann works +4 h/day: the least change that works (proven), shown to "
            "remove the conflict") in text
    assert "No other conflict is left apart from these" in text


def test_days_option_sets_the_day_table_span(request_: PlanRequest, result: PlanResult) -> None:
    text = week_plan_markdown(request_, result, days=14)
    last = request_.start_date + timedelta(days=13)
    assert f"to {last:%a} {last.isoformat()}" in text
    rows = table_after(text, "| Date | Owner | Time |")
    assert {iso(row[0]) for row in rows} == {
        slot.date for issue in result.issues for slot in issue.slots if slot.date <= last
    }
    assert datetime.combine(last, datetime.min.time())  # the span's end is a real date


def test_an_idle_day_of_a_round_the_clock_owner_reads_00_00_to_24_00() -> None:
    # An agent working 24 h a day waits for Tuesday's work: its free Monday read "00:00-00:00 (24 h)".
    request = PlanRequest.model_validate({
        "start_date": "2025-11-24", "options": {"time_limit_s": 2},
        "owners": [{"id": "bot", "hours_per_day": 24}],
        "issues": [{"id": "#1", "estimate_hours": 4, "not_before": "2025-11-25"}],
    })
    text = week_plan_markdown(request, plan(request, with_recommendations=False))
    line = next(line for line in text.splitlines() if line.startswith("- bot is free Mon"))
    assert "Mon 2025-11-24 00:00-24:00 (24 h)" in line, line


def test_titles_and_names_are_text_in_the_markdown_never_markup() -> None:
    # A trailing backslash escaped the cell's closing pipe (the row split wrong); '<' let a title's HTML through
    # to any Markdown viewer that renders it, and brackets made a title a link.
    hostile = "Fix <img src=x onerror=alert(1)> [x](javascript:alert(1)) a\\"
    request = PlanRequest.model_validate({
        "start_date": "2025-11-24", "options": {"time_limit_s": 2},
        "owners": [{"id": "ann", "name": "<b>Ann</b> \\"}],
        "milestones": [{"id": "M1", "name": "Release [1] \\", "due": "2025-11-28"}],
        "issues": [{"id": "#1", "title": hostile, "estimate_hours": 2, "milestone": "M1"}],
    })
    text = week_plan_markdown(request, plan(request, with_recommendations=False))
    assert "<img" not in text.replace("\\<img", "") and "<b>" not in text.replace("\\<b>", "")
    assert "](javascript:" not in text.replace("\\](javascript:", "")
    for table in re.findall(r"(?:^\|.*\|$\n?)+", text, flags=re.MULTILINE):
        widths = {len(re.split(r"(?<!\\)\|", re.sub(r"\\\\", "", row))) for row in table.strip().splitlines()}
        assert len(widths) == 1, table  # every row has the header's cells
