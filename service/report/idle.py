"""Idle working time in the week plan: an owner's free working hours before their last planned work, and why.

A person sitting idle while work waits is the first thing a lead questions in a plan. For each such gap this
says which issues the owner could have worked on then (estimated, ready: not-before reached, every prerequisite
released, skills and pinned owner met, not finished) and why none of them is there: nothing was ready, or what is
ready may not pause and does not fit (splitting off, docs/model.md "Interruptible work"), or a piece there would
break its piece limits, or the objective gains nothing from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from api_schemas.request import Issue
from api_schemas.result import IssuePlan
from service.report import formatting as fmt
from service.report.plan_view import PlanView, midnight

#: Gaps shorter than this (a quarter hour) are rounding, not idle time.
_SHORTEST_GAP = timedelta(minutes=15)
#: Gaps explained one by one; a plan with more says how many more there are (the lines are for a person).
MAX_LINES = 12


@dataclass(frozen=True)
class IdleGap:
    """Free working time of one owner."""

    owner: str
    starts: datetime
    ends: datetime

    @property
    def hours(self) -> float:
        """Length of the gap in hours."""
        return (self.ends - self.starts).total_seconds() / 3600


def _owner_spans(view: PlanView, owner: str) -> list[tuple[datetime, datetime]]:
    """The owner's planned slots as (start, end), in time order."""
    spans = [
        (start, start + timedelta(hours=slot.hours))
        for issue in view.planned
        if issue.owner == owner
        for slot in issue.slots
        for start in [datetime.combine(slot.date, slot.start)]
    ]
    return sorted(spans)


def _free(window: tuple[datetime, datetime], busy: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Parts of a window no busy span covers."""
    gaps, cursor = [], window[0]
    for start, end in busy:
        if end <= cursor or start >= window[1]:
            continue
        if start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < window[1]:
        gaps.append((cursor, window[1]))
    return [(start, end) for start, end in gaps if end - start >= _SHORTEST_GAP]


def _may_do(view: PlanView, owner: str, issue: Issue) -> bool:
    """Whether `owner` may work on `issue` at all: its skills, and its pinned owner when it has one."""
    person = next((o for o in view.request.owners if o.id == owner), None)
    return (
        person is not None
        and set(issue.skills) <= set(person.skills)
        and issue.pinned_owner in (None, owner)
    )


def _ready(view: PlanView, owner: str, instant: datetime) -> list[IssuePlan]:
    """Planned issues the owner could work on at `instant`: allowed, released and not finished by then."""
    ready = []
    for plan in view.planned:
        issue = view.requested[plan.id]
        if not _may_do(view, owner, issue) or plan.finish is None or plan.finish <= instant:
            continue
        if issue.not_before is not None and instant < midnight(issue.not_before):
            continue
        if issue.pinned_start is not None and instant.date() != issue.pinned_start:
            continue
        released = True
        for dependency in issue.depends_on:
            before = view.issues.get(dependency.issue)
            if before is not None and before.finish is not None:
                released = released and view.working_time.release(before.finish, dependency.lag_days) <= instant
        if released and (plan.start is None or plan.start > instant or plan.owner == owner):
            ready.append(plan)
    return ready


def idle_gaps(view: PlanView, first: date, last: date) -> list[IdleGap]:
    """Each owner's free working time from `first` to `last`, before the owner's last planned work ends."""
    gaps: list[IdleGap] = []
    for owner in view.request.owners:
        busy = _owner_spans(view, owner.id)
        if not busy:
            continue
        last_end = busy[-1][1]
        day = first
        while day <= last:
            window = view.working_time.window(owner.id, day)
            if window is not None:
                for start, end in _free(window, busy):
                    if start < last_end:
                        gaps.append(IdleGap(owner.id, start, min(end, last_end)))
            day += timedelta(days=1)
    return gaps


def _splittable(view: PlanView, issue: Issue) -> bool:
    options = view.request.options
    return options.splittable if issue.splittable is None else issue.splittable


def why(view: PlanView, gap: IdleGap) -> str:
    """One line: the gap, and why the issues ready then do not fill it."""
    ready = _ready(view, gap.owner, gap.starts)
    when = f"{fmt.day(gap.starts.date())} {fmt.span(gap.starts.time(), gap.ends)}"
    head = f"{view.owner_label(gap.owner)} is free {when} ({fmt.number(gap.hours)} h)"
    if not ready:
        return f"{head}: nothing the owner may do is ready then (not-before dates, prerequisites and their waits)."
    names = fmt.listed([issue.id for issue in ready[:4]]) + (f" and {len(ready) - 4} more" if len(ready) > 4 else "")
    if not any(_splittable(view, view.requested[issue.id]) for issue in ready):
        return (
            f"{head}: {names} could start, but may not pause, and doing it there would push back the work that "
            "follows; set `splittable` (options or per issue) to let work pause (docs/model.md, "
            "\"Interruptible work\")."
        )
    return (
        f"{head}: {names} could be worked on, but a piece there would break its piece limits (`min_chunk_hours`, "
        "`max_pieces`) or the plan gains nothing from the pause by its objective."
    )


def idle_lines(view: PlanView, first: date, last: date) -> list[str]:
    """The lines the week plan shows about idle working time in its days (none when nobody waits)."""
    gaps = idle_gaps(view, first, last)
    lines = [why(view, gap) for gap in gaps[:MAX_LINES]]
    if len(gaps) > MAX_LINES:
        lines.append(f"{len(gaps) - MAX_LINES} more free spans of working time in these days are not listed.")
    return lines
