"""The plan as an iCalendar feed (RFC 5545): one event per slot, one all-day event per milestone due date.

Re-importing a later plan (or refreshing a subscription) updates events in place: each event's UID names
its issue (or milestone) and the slot's number within the issue, or within its piece for an issue split into
pieces, never the slot's time, so a moved slot keeps its UID, and SEQUENCE grows with each export. A split
issue's events say which piece they belong to ('part 2 of 3'). Times carry the calendar's `timezone` (TZID with
its VTIMEZONE); without one they are floating times (RFC 5545 3.3.5, form 1): the plan's wall clock, the same hour
in every calendar, never the clock of the machine that happens to write the file (a server's is usually UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from urllib.parse import quote
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration

from api_schemas.result import IssuePlan
from service.report import formatting as fmt
from service.report.milestones import MilestoneStanding, standings
from service.report.plan_view import PlanView, part_label

#: Product identifier written into the calendar, as RFC 5545 asks.
PRODUCT_ID = "-//capplan//week plan//EN"
#: Media type of the feed, for an HTTP answer or a download.
ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"
#: Right-hand side of every UID: what makes capplan's UIDs unique among a calendar's other events.
UID_DOMAIN = "capplan"
#: How often a subscribed calendar should fetch the feed again.
REFRESH_INTERVAL = timedelta(hours=1)
#: Start of the SEQUENCE clock: a later export has a higher SEQUENCE, so clients take its version of an event.
_SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
#: The VTIMEZONE covers the plan's dates with this much to spare on either side (its transitions only).
_ZONE_MARGIN = timedelta(days=366)


def issue_uid(issue_id: str, slot_number: int, piece: int | None = None) -> str:
    """UID of the `slot_number`-th slot (from 1) of an issue, or of piece `piece` of a split issue.

    'issue-%23840-2@capplan' is the second slot of #840; 'issue-%23840#3-1@capplan' the first slot of its third
    piece. The id is percent-encoded, so '#k' and the trailing '-n' can never be confused with the id itself.
    """
    piece_part = f"#{piece}" if piece is not None else ""
    return f"issue-{quote(issue_id, safe='')}{piece_part}-{slot_number}@{UID_DOMAIN}"


def milestone_uid(milestone_id: str) -> str:
    """UID of a milestone's due-date event: 'milestone-M2@capplan'."""
    return f"milestone-{quote(milestone_id, safe='')}@{UID_DOMAIN}"


def _as_date(value: date) -> date:
    """The date of a date or a datetime."""
    return value.date() if isinstance(value, datetime) else value


def _zone_of(view: PlanView) -> ZoneInfo | None:
    """The team calendar's time zone, if the request names one."""
    name = view.request.calendar.timezone
    return ZoneInfo(name) if name else None


def _instant(local: datetime, zone: tzinfo | None) -> datetime:
    """A plan's wall-clock time with its zone (TZID), or, without one, as it is: a floating time."""
    return local.replace(tzinfo=zone) if zone is not None else local


def _slot_uids(issue: IssuePlan) -> list[str]:
    """Each slot's UID: numbered within the issue, or within its piece when the issue is split into pieces."""
    if len(issue.pieces) < 2:
        return [issue_uid(issue.id, number) for number in range(1, len(issue.slots) + 1)]
    uids: list[str] = []
    counts: dict[int, int] = {}
    for slot in issue.slots:
        starts = datetime.combine(slot.date, slot.start)
        part = next((p.part for p in issue.pieces if p.start <= starts < p.finish), issue.pieces[-1].part)
        counts[part] = counts.get(part, 0) + 1
        uids.append(issue_uid(issue.id, counts[part], piece=part))
    return uids


def _slot_event(view: PlanView, issue: IssuePlan, number: int, uid: str, zone: tzinfo | None) -> Event:
    slot = issue.slots[number - 1]
    starts = datetime.combine(slot.date, slot.start)
    part = part_label(issue, starts)
    event = Event()
    event.add("uid", uid)
    event.add("dtstart", _instant(starts, zone))
    event.add("dtend", _instant(starts + timedelta(hours=slot.hours), zone))
    summary = f"{issue.id} ({issue.priority.value}) {issue.title}".strip()
    event.add("summary", f"{summary} ({part})" if part else summary)
    lines = [
        f"Owner: {view.owner_label(issue.owner)}",
        f"Milestone: {view.milestone_name(issue.milestone)}",
        f"Slot {number} of {len(issue.slots)}: {fmt.hours(slot.hours)} of {fmt.hours(issue.hours)}",
    ]
    if part:
        lines.append(f"Paused and resumed: this is {part} of the issue's work")
    if issue.deadline is not None:
        late = f" (finishes {fmt.plural(issue.lateness_working_days, 'working day')} late)" if issue.late else ""
        lines.append(f"Deadline: {fmt.day(issue.deadline)}{late}")
    link = view.issue_url(issue.id)
    if link:
        lines.append(link)
        event.add("url", link)
    event.add("description", "\n".join(lines))
    if issue.owner:
        event.add("categories", [view.owner_label(issue.owner)])
    return event


def _due_event(view: PlanView, standing: MilestoneStanding, due: date) -> Event:
    milestone = standing.milestone
    event = Event()
    event.add("uid", milestone_uid(milestone.id))
    event.add("dtstart", due)
    event.add("dtend", due + timedelta(days=1))
    event.add("summary", f"Due: {view.milestone_name(milestone.id)} ({standing.standing.value})")
    finish = fmt.day(milestone.projected_finish) if milestone.projected_finish else "not projected"
    reasons = f": {'; '.join(standing.reasons)}" if standing.reasons else ""
    event.add(
        "description",
        f"Status: {standing.standing.value}{reasons}\nProjected finish: {finish}\n"
        f"{fmt.plural(milestone.issues, 'issue')}, {fmt.hours(milestone.work_hours)} of work left",
    )
    event.add("transp", "TRANSPARENT")
    return event


def plan_calendar(view: PlanView, generated_at: datetime | None = None) -> Calendar:
    """Slot events ('#840 (P0) title', owner and milestone in the description) and milestone due dates."""
    stamp = (generated_at or datetime.now(UTC)).astimezone(UTC)
    sequence = max(0, int((stamp - _SEQUENCE_EPOCH).total_seconds() // 60))
    zone = _zone_of(view)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"capplan plan from {view.start_date.isoformat()}")
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    if zone is not None:
        calendar.add("x-wr-timezone", zone.key)
    events = [
        _slot_event(view, issue, number, uid, zone)
        for issue in view.planned
        for number, uid in enumerate(_slot_uids(issue), start=1)
    ]
    events += [
        _due_event(view, standing, standing.milestone.due)
        for standing in standings(view)
        if standing.milestone.due is not None
    ]
    for event in events:
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("sequence", sequence)
        calendar.add_component(event)
    if zone is not None:
        last = max([view.start_date, *(event.decoded("dtend") for event in events)], key=_as_date)
        calendar.add_missing_timezones(view.start_date - _ZONE_MARGIN, _as_date(last) + _ZONE_MARGIN)
    return calendar


def plan_ics(view: PlanView, generated_at: datetime | None = None) -> bytes:
    """The iCalendar file's bytes (serve them as `ICS_MEDIA_TYPE`)."""
    return bytes(plan_calendar(view, generated_at).to_ical())
