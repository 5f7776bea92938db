"""Interruptible work (docs/model.md, rule 4 and "Interruptible work"): an issue's pieces, read from its slots.

A piece is a maximal run of an issue's slots with none of its owner's working time (the daily window on the
owner's working days) strictly between one slot's end and the next one's start. This module reads the request's
`splittable`, `min_chunk_hours` and `max_pieces` itself, from the docs, never from the solver.

Rule code: pieces (the piece limits, the pieces' owner and the result's form); reported_value (the reported
pieces against what the slots say).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from api_schemas.request import Issue, Owner
from api_schemas.result import IssuePlan, PlanForm
from checker.context import CheckContext
from checker.timeline import UNITS_PER_DAY, PlacedSlot, clock_units, describe_instant, format_units, hours_to_units
from checker.violation import Violation


@dataclass(frozen=True)
class ReadPiece:
    """A piece as the slots give it: start and finish instants and units of work (units since the plan start)."""

    start: int
    finish: int
    units: int


def window(context: CheckContext, owner: Owner) -> tuple[int, int]:
    """The owner's daily window [begin, end) in units: from `workday_start`, moved earlier to end by midnight."""
    length = hours_to_units(owner.hours_per_day)
    begin = clock_units(context.request.calendar.workday_start)
    begin = begin if begin + length <= UNITS_PER_DAY else UNITS_PER_DAY - length
    return begin, begin + length


def _works_between(context: CheckContext, owner: Owner, after: int, before: int) -> bool:
    """Whether any of the owner's working time lies strictly inside (after, before)."""
    begin, end = window(context, owner)
    start = context.request.start_date
    for day_index in range(max(after, 0) // UNITS_PER_DAY, max(before, 0) // UNITS_PER_DAY + 1):
        day = start + timedelta(days=day_index)
        low, high = day_index * UNITS_PER_DAY + begin, day_index * UNITS_PER_DAY + end
        if max(low, after) < min(high, before) and context.calendar.is_owner_working_day(owner, day):
            return True
    return False


def read_pieces(context: CheckContext, issue_id: str, owner: Owner | None) -> list[ReadPiece]:
    """The issue's pieces in time order (every slot its own piece when the owner is unknown)."""
    slots: list[PlacedSlot] = sorted(context.slots.get(issue_id, []), key=lambda slot: slot.start)
    pieces: list[ReadPiece] = []
    for slot in slots:
        units = slot.end - slot.start
        joins = pieces and (owner is not None and not _works_between(context, owner, pieces[-1].finish, slot.start))
        if pieces and joins:
            last = pieces[-1]
            pieces[-1] = ReadPiece(last.start, max(last.finish, slot.end), last.units + units)
        else:
            pieces.append(ReadPiece(slot.start, slot.end, units))
    return pieces


def splittable(context: CheckContext, issue: Issue) -> bool:
    """The issue's own `splittable`, else the request's `options.splittable`."""
    return context.request.options.splittable if issue.splittable is None else issue.splittable


def _limits(context: CheckContext, issue: Issue) -> tuple[int, int]:
    """Most pieces and shortest piece (units) of a splittable issue: its own values, else the request's."""
    options = context.request.options
    most = issue.max_pieces if issue.max_pieces is not None else options.max_pieces
    hours = issue.min_chunk_hours if issue.min_chunk_hours is not None else options.min_chunk_hours
    return most, hours_to_units(hours)


def _limit_violations(context: CheckContext, issue: Issue, pieces: list[ReadPiece]) -> list[Violation]:
    """Not splittable: one piece; splittable: at most `max_pieces`, each at least `min_chunk_hours` when several."""
    if len(pieces) <= 1:
        return []
    if not splittable(context, issue):
        return [
            Violation(
                "pieces",
                f"{issue.id} is not splittable but its work is in {len(pieces)} pieces (paused at "
                f"{describe_instant(context.request.start_date, pieces[0].finish)}).",
                [issue.id],
            )
        ]
    most, shortest = _limits(context, issue)
    found = []
    if len(pieces) > most:
        found.append(
            Violation("pieces", f"{issue.id} is in {len(pieces)} pieces, more than its max_pieces {most}.", [issue.id])
        )
    for part, piece in enumerate(pieces, start=1):
        if piece.units < shortest:
            found.append(
                Violation(
                    "pieces",
                    f"{issue.id} part {part} of {len(pieces)} lasts {format_units(piece.units)}, shorter than its "
                    f"min_chunk_hours {format_units(shortest)}.",
                    [issue.id],
                )
            )
    return found


def _reported_violations(context: CheckContext, plan: IssuePlan, pieces: list[ReadPiece]) -> list[Violation]:
    """The reported pieces (when given: older results have none) are the slots' pieces, each by the issue's owner."""
    found = [
        Violation(
            "pieces",
            f"{plan.id} part {piece.part} is given to {piece.owner}, not to the issue's owner {plan.owner}: all "
            "pieces of an issue go to its one owner.",
            [plan.id, piece.owner],
        )
        for piece in plan.pieces
        if piece.owner != plan.owner
    ]
    start = context.request.start_date
    reported = [(piece.part, hours_to_units(piece.hours), piece.start, piece.finish) for piece in plan.pieces]
    expected = [
        (part, piece.units, _instant(context, piece.start), _instant(context, piece.finish))
        for part, piece in enumerate(pieces, start=1)
    ]
    if plan.pieces and reported != expected:
        said = ", ".join(f"{describe_instant(start, p.start)}-{describe_instant(start, p.finish)}" for p in pieces)
        found.append(
            Violation(
                "reported_value",
                f"{plan.id} reports {len(plan.pieces)} piece(s) that differ from its slots, which give "
                f"{len(pieces)}: {said}.",
                [plan.id],
            )
        )
    return found


def _instant(context: CheckContext, units: int) -> datetime:
    """The datetime of an instant, as a result reports it."""
    return datetime.combine(context.request.start_date, time()) + timedelta(minutes=15 * units)


def piece_count(context: CheckContext) -> int:
    """Pieces of all planned issues: the pieces level's value (docs/model.md, Objective level 9)."""
    return sum(
        len(read_pieces(context, issue.id, context.owners.get(plan.owner or "")))
        for issue in context.planned_issues()
        if (plan := context.plans.get(issue.id)) is not None
    )


def check_pieces(context: CheckContext) -> list[Violation]:
    """Every planned issue's pieces against its limits and its reported pieces, and the result's form."""
    if not context.has_schedule:
        return []
    found: list[Violation] = []
    any_split = False
    for issue in context.planned_issues():
        plan = context.plans.get(issue.id)
        if plan is None or not plan.slots:
            continue
        pieces = read_pieces(context, issue.id, context.owners.get(plan.owner or ""))
        any_split = any_split or len(pieces) > 1
        found += _limit_violations(context, issue, pieces)
        found += _reported_violations(context, plan, pieces)
    form = context.result.form
    if form is PlanForm.UNBROKEN and any_split:
        found.append(Violation("pieces", "The result's form is 'unbroken' but some issue is in pieces.", []))
    if form is PlanForm.PIECES and not any(splittable(context, issue) for issue in context.planned_issues()):
        found.append(Violation("pieces", "The result's form is 'pieces' but no planned issue is splittable.", []))
    return found
