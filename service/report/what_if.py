"""A what-if answer in words: each scenario's headline numbers against the baseline, and what moved."""

from __future__ import annotations

from api_schemas.service import PlanSummary, ScenarioOutcome, WhatIfResponse
from service.report import formatting as fmt
from service.report.document import Block, Bullets, Heading, Paragraph, Table, to_markdown


def _last_finish(summary: PlanSummary) -> str:
    return fmt.instant(summary.last_finish) if summary.last_finish else "—"


def _summary_row(name: str, summary: PlanSummary) -> list[str]:
    late_milestones = sum(1 for m in summary.milestones if m.lateness_working_days > 0)
    return [
        name,
        summary.status.value,
        str(summary.planned_issues),
        str(summary.late_issues),
        str(late_milestones),
        _last_finish(summary),
    ]


def _changes(outcome: ScenarioOutcome) -> list[str]:
    diff = outcome.diff
    lines = []
    for move in diff.milestones_moved:
        before = fmt.day(move.before) if move.before else "not planned"
        after = fmt.day(move.after) if move.after else "not planned"
        shift = ""
        if move.working_days is not None:
            direction = "later" if move.working_days > 0 else "earlier"
            shift = f" ({fmt.plural(abs(move.working_days), 'working day')} {direction})"
        lines.append(f"Milestone {move.id}: {before} → {after}{shift}")
    if diff.became_late:
        lines.append(f"Became late: {fmt.listed(diff.became_late)}")
    if diff.became_on_time:
        lines.append(f"Became on time: {fmt.listed(diff.became_on_time)}")
    if diff.issues_added:
        lines.append(f"Issues added: {fmt.listed(diff.issues_added)}")
    if diff.issues_removed:
        lines.append(f"Issues removed: {fmt.listed(diff.issues_removed)}")
    if diff.issues_changed:
        lines.append(f"{fmt.plural(len(diff.issues_changed), 'issue')} change owner, start or finish")
    return lines or ["Nothing changes."]


def what_if_markdown(response: WhatIfResponse) -> str:
    """The comparison as Markdown: a summary table, then each scenario's changes."""
    blocks: list[Block] = [
        Heading(1, "What if"),
        Table(
            header=["Plan", "Status", "Planned issues", "Late issues", "Late milestones", "Last finish"],
            rows=[_summary_row("baseline", response.baseline)]
            + [_summary_row(outcome.name, outcome.summary) for outcome in response.scenarios],
            right=frozenset({2, 3, 4}),
        ),
    ]
    for outcome in response.scenarios:
        blocks += [Heading(2, f"Scenario {outcome.name}"), Bullets(_changes(outcome))]
    if not response.scenarios:
        blocks.append(Paragraph("No scenario was given."))
    return to_markdown(blocks)
