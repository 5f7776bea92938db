"""The iCalendar feed read back with the icalendar library: stable UIDs, time zones, due dates, re-imports."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from checker import check_schedule
from service.report import PlanView, ReportFormat, render
from service.report.ics import issue_uid, milestone_uid, plan_ics
from service.report.milestones import standing_of
from solver.intake.validation import check_request
from solver.planner import plan

ZONE = "America/New_York"


def backlog(timezone: str | None = ZONE, urgent: bool = False) -> dict[str, Any]:
    """Two owners, a chain and a milestone; `urgent` adds a P0 issue that pushes the others later."""
    issues: list[dict[str, Any]] = [
        {"id": f"#{n}", "title": f"Task {n}", "estimate_hours": hours, "priority": "P1", "milestone": "M1",
         "url": f"https://tracker.example/issues/{n}"}
        for n, hours in [(1, 6), (2, 10), (3, 4), (4, 12), (5, 3)]
    ]
    issues[2]["depends_on"] = ["#1"]
    issues[3]["depends_on"] = ["#2"]
    if urgent:
        issues.append({"id": "#9", "title": "Hotfix", "estimate_hours": 16, "priority": "P0"})
    calendar: dict[str, Any] = {"workday_start": "09:00"}
    if timezone:
        calendar["timezone"] = timezone
    return {
        "start_date": "2026-03-06",  # a Friday: the plan crosses a weekend and New York's DST change (03-08)
        "calendar": calendar,
        "owners": [{"id": "ann", "name": "Ann Lee", "hours_per_day": 8}, {"id": "bob", "hours_per_day": 6}],
        "milestones": [{"id": "M1", "name": "Launch", "due": "2026-03-13"}, {"id": "M2", "name": "Later"}],
        "issues": issues,
        "options": {"time_limit_s": 1},
    }


def planned(data: dict[str, Any]) -> tuple[PlanRequest, PlanResult]:
    request = PlanRequest.model_validate(data)
    result = plan(request, with_recommendations=False)
    assert check_schedule(request, result) == []
    return request, result


def events_of(ics: bytes) -> list[Event]:
    return [event for event in Calendar.from_ical(ics).walk("VEVENT") if isinstance(event, Event)]


def import_into(store: dict[str, Event], ics: bytes) -> None:
    """What a calendar does on import or refresh: an event with a known UID replaces the one it has."""
    for event in events_of(ics):
        uid = str(event["UID"])
        if uid not in store or int(event.get("SEQUENCE", 0)) >= int(store[uid].get("SEQUENCE", 0)):
            store[uid] = event


def test_times_carry_the_calendars_time_zone_across_a_dst_change() -> None:
    request, result = planned(backlog())
    ics = render(ReportFormat.ICS, request, result)
    calendar = Calendar.from_ical(ics)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == [ZONE]
    slots = {
        (issue.id, datetime.combine(slot.date, slot.start).replace(tzinfo=ZoneInfo(ZONE)))
        for issue in result.issues
        for slot in issue.slots
    }
    offsets = set()
    found = set()
    for event in events_of(ics):
        if str(event["UID"]).startswith("milestone-"):
            continue
        assert event["DTSTART"].params["TZID"] == ZONE and event["DTEND"].params["TZID"] == ZONE
        starts = event.decoded("DTSTART")
        assert starts.tzinfo is not None
        offsets.add(starts.utcoffset())
        found.add((str(event["SUMMARY"]).split(" ")[0], starts))
    assert found == slots
    assert offsets == {timedelta(hours=-5), timedelta(hours=-4)}  # 09:00 is 14:00 UTC before DST, 13:00 after


def test_without_a_time_zone_times_are_floating_wall_clock_times_whatever_the_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request, result = planned(backlog(timezone=None))
    monkeypatch.setenv("TZ", "Asia/Kolkata")  # the machine writing the file: UTC+05:30, no DST
    time.tzset()
    try:
        ics = render(ReportFormat.ICS, request, result)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert b"DTSTART:20260306T090000\r\n" in ics  # Friday 09:00, wherever the file was written
    starts = {
        event.decoded("DTSTART")
        for event in events_of(ics)
        if str(event["UID"]).startswith("issue-")
    }
    assert all(instant.tzinfo is None for instant in starts)
    assert starts == {datetime.combine(slot.date, slot.start) for issue in result.issues for slot in issue.slots}
    assert render(ReportFormat.ICS, request, result).count(b"T090000\r\n") == ics.count(b"T090000\r\n")


def test_milestone_due_dates_are_all_day_events_with_their_status() -> None:
    request, result = planned(backlog())
    by_uid = {str(event["UID"]): event for event in events_of(render(ReportFormat.ICS, request, result))}
    due = by_uid[milestone_uid("M1")]
    assert due.decoded("DTSTART") == date(2026, 3, 13) and due.decoded("DTEND") == date(2026, 3, 14)
    view = PlanView(request, result)
    standing = standing_of(view, view.milestones["M1"])
    assert str(due["SUMMARY"]) == f"Due: Launch ({standing.standing.value})"
    assert f"Status: {standing.standing.value}" in str(due["DESCRIPTION"])
    assert due["TRANSP"] == "TRANSPARENT"
    assert milestone_uid("M2") not in by_uid  # no due date, no event


def test_slot_events_name_the_owner_and_link_the_issue() -> None:
    request, result = planned(backlog())
    for event in events_of(render(ReportFormat.ICS, request, result)):
        if str(event["UID"]).startswith("issue-"):
            issue_id = str(event["SUMMARY"]).split(" ")[0]
            owner = next(i.owner for i in result.issues if i.id == issue_id)
            assert f"Owner: {'Ann Lee' if owner == 'ann' else 'bob'}" in str(event["DESCRIPTION"])
            assert str(event["URL"]) == f"https://tracker.example/issues/{issue_id[1:]}"


def test_uids_name_the_issue_and_slot_number_and_leave_room_for_pieces() -> None:
    assert issue_uid("#840", 2) == "issue-%23840-2@capplan"
    assert issue_uid("#840", 1, piece=3) == "issue-%23840#3-1@capplan"
    assert issue_uid("a-1", 1) != issue_uid("a", 11)
    assert len({issue_uid(i, n) for i in ["a", "a-1", "a#1", "a 1", "#a"] for n in (1, 2, 11)}) == 15
    assert milestone_uid("M 2") == "milestone-M%202@capplan"


def test_two_consecutive_plans_reimported_update_moved_events_and_duplicate_none() -> None:
    first_request, first = planned(backlog())
    second_request, second = planned(backlog(urgent=True))
    first_ics = plan_ics(PlanView(first_request, first), generated_at=datetime(2026, 3, 5, 8, tzinfo=UTC))
    second_ics = plan_ics(PlanView(second_request, second), generated_at=datetime(2026, 3, 6, 8, tzinfo=UTC))
    old = {str(event["UID"]): event for event in events_of(first_ics)}
    new = {str(event["UID"]): event for event in events_of(second_ics)}
    assert len(old) == len(events_of(first_ics)) and len(new) == len(events_of(second_ics))

    store: dict[str, Event] = {}
    import_into(store, first_ics)
    import_into(store, second_ics)
    # Every event of the second plan is in the calendar once, at the second plan's times.
    for uid, event in new.items():
        assert store[uid].decoded("DTSTART") == event.decoded("DTSTART")
    assert set(store) == set(old) | set(new)
    moved = [uid for uid in set(old) & set(new) if old[uid].decoded("DTSTART") != new[uid].decoded("DTSTART")]
    assert moved, "the urgent issue should push earlier work later"
    assert all(int(str(new[uid]["SEQUENCE"])) > int(str(old[uid]["SEQUENCE"])) for uid in moved)
    # No slot of an issue is shown twice: per issue, the calendar holds one event per slot number.
    for issue in second.issues:
        shown = [uid for uid in store if uid.startswith(issue_uid(issue.id, 1).rsplit("-", 1)[0] + "-")]
        earlier = next((i for i in first.issues if i.id == issue.id), None)
        assert len(shown) == max(len(issue.slots), len(earlier.slots) if earlier else 0)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/berlin", "CET+1", ""])
def test_an_unknown_time_zone_is_a_planners_problem(zone: str) -> None:
    data = backlog(timezone=None)
    data["calendar"]["timezone"] = zone
    request, problems = check_request(data)
    assert request is None
    assert [problem.loc for problem in problems] == [["calendar", "timezone"]]
    assert "IANA time zone" in problems[0].message


def test_a_split_issue_numbers_its_slots_within_each_piece() -> None:
    """A is paused for the urgent B: its events name their piece ('part 2 of 2') and carry '#k' in their UIDs."""
    request, result = planned(
        {
            "start_date": "2025-11-17",
            "calendar": {"timezone": "Europe/Berlin"},
            "owners": [{"id": "dev", "hours_per_day": 8}],
            "issues": [
                {"id": "A", "priority": "P2", "estimate_hours": 16, "deadline": "2025-11-19"},
                {"id": "B", "priority": "P0", "estimate_hours": 4, "not_before": "2025-11-18",
                 "deadline": "2025-11-18"},
            ],
            "options": {"time_limit_s": 2, "splittable": True},
        }
    )
    split = next(issue for issue in result.issues if issue.id == "A")
    assert len(split.pieces) == 2
    events = [e for e in events_of(render(ReportFormat.ICS, request, result)) if str(e["UID"]).startswith("issue-A")]
    uids = [str(event["UID"]) for event in events]
    assert len(uids) == len(set(uids)) == len(split.slots)
    for event in events:
        starts = event.decoded("DTSTART").replace(tzinfo=None)
        piece = next(p for p in split.pieces if p.start <= starts < p.finish)
        assert str(event["UID"]).startswith(issue_uid("A", 1, piece=piece.part).rsplit("-", 1)[0] + "-")
        assert str(event["SUMMARY"]).endswith(f"(part {piece.part} of 2)")
    assert issue_uid("A", 1, piece=1) in uids and issue_uid("A", 1, piece=2) in uids
