"""The plan's slots as an iCalendar file (RFC 5545), one event per slot, in floating local time.

A split issue's events say which piece they belong to ('part 2 of 3'); a piece over several days is one event
per working day, so that nights stay free in the calendar.

Plan times are local and naive (docs/model.md), so events carry no time zone: a calendar shows them at the
same clock time wherever it is opened.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from service.report.plan_view import PlanView, part_label

#: Product identifier written into the calendar, as RFC 5545 asks.
PRODUCT_ID = "-//capplan//week plan//EN"


def _uid(issue_id: str, starts: datetime) -> str:
    """A stable event id: the same slot gets the same id in every export, so calendars update in place."""
    safe = "".join(character if character.isalnum() else "-" for character in issue_id).strip("-") or "issue"
    return f"{safe}-{starts:%Y%m%dT%H%M}@capplan"


def plan_calendar(view: PlanView, generated_at: datetime | None = None) -> Calendar:
    """One event per slot: summary '#840 (P0) title', owner and milestone in the description."""
    stamp = generated_at or datetime.now(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"capplan plan from {view.start_date.isoformat()}")
    for issue in view.planned:
        for number, slot in enumerate(issue.slots, start=1):
            starts = datetime.combine(slot.date, slot.start)
            part = part_label(issue, starts)
            event = Event()
            event.add("uid", _uid(issue.id, starts))
            event.add("dtstamp", stamp)
            event.add("dtstart", starts)
            event.add("dtend", starts + timedelta(hours=slot.hours))
            summary = f"{issue.id} ({issue.priority.value}) {issue.title}".strip()
            event.add("summary", f"{summary} ({part})" if part else summary)
            lines = [
                f"Owner: {issue.owner}",
                f"Milestone: {view.milestone_name(issue.milestone)}",
                f"Slot {number} of {len(issue.slots)}, {slot.hours:g} h of {issue.hours:g} h",
            ]
            if part:
                lines.append(f"Paused and resumed: this is {part} of the issue's work")
            if issue.deadline is not None:
                late = f" (finishes {issue.lateness_working_days} working days late)" if issue.late else ""
                lines.append(f"Deadline: {issue.deadline.isoformat()}{late}")
            event.add("description", "\n".join(lines))
            if issue.owner:
                event.add("categories", [issue.owner])
            calendar.add_component(event)
    return calendar


def plan_ics(view: PlanView, generated_at: datetime | None = None) -> bytes:
    """The iCalendar file's bytes."""
    return bytes(plan_calendar(view, generated_at).to_ical())
