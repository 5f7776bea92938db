"""The week plan's "Changes since the last plan": what a re-plan against a baseline moved, and why."""

from __future__ import annotations

from api_schemas.changes import ChangeKind, IssueChange, Placement
from api_schemas.result import PlanResult
from service.report import formatting as fmt
from service.report.document import Block, Heading, Paragraph, Table

#: Kinds listed in the table, in this order (unchanged issues are only counted).
LISTED = (ChangeKind.REASSIGNED, ChangeKind.MOVED, ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.DONE)


def _place(placement: Placement | None) -> str:
    if placement is None or placement.start is None:
        return "-"
    return f"{placement.owner or '-'}, {fmt.instant(placement.start)}"


def _why(change: IssueChange) -> str:
    if change.kind in (ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.DONE):
        return change.kind.value
    return "; ".join(reason.message for reason in change.reasons) or "-"


def change_blocks(result: PlanResult) -> list[Block]:
    """The section, or nothing when the plan had no baseline."""
    changes = result.changes
    if changes is None:
        return []
    counts = changes.counts
    summary = (
        f"Against the last plan: {counts.unchanged} unchanged, {counts.moved} moved, {counts.reassigned} "
        f"reassigned, {counts.added} added, {counts.removed} removed, {counts.done} done."
    )
    listed = [c for kind in LISTED for c in changes.issues if c.kind is kind]
    if not listed:
        return [Heading(2, "Changes since the last plan"), Paragraph(summary + " Nothing moved.")]
    rows = [[c.id, c.kind.value, _place(c.before), _place(c.after), _why(c)] for c in listed]
    return [
        Heading(2, "Changes since the last plan"),
        Paragraph(summary),
        Table(["Issue", "Change", "Was", "Now", "Why"], rows),
    ]
