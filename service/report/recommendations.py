"""The Recommendations section: the solver's summary lines, then per target each alternative and its reasons.

Alternatives are shown in the solver's own words (`solver.recommend.summary`), the same phrases as the
summary lines; this module adds only what those words leave out: whether each value is proven and verified,
the other milestones it moves, and the notes.
"""

from __future__ import annotations

from api_schemas.recommendations import (
    ConflictFix,
    Infeasibility,
    Recommendations,
    TargetMove,
    TargetRecommendation,
)
from service.report import formatting as fmt
from service.report.document import Block, Bullets, Heading, Paragraph
from solver.recommend.summary import (
    extension_words,
    extra_hours_words,
    extra_owners_words,
    owners_cannot_help_words,
    scope_cut_words,
)
from solver.recommend.words import listed


def _standing(proven: bool, verified: bool, proven_word: str = "proven minimal") -> str:
    """'proven minimal, verified by re-planning' or 'best found in time, not verified'."""
    first = proven_word if proven else "best found in time"
    return f"{first}, {'verified by re-planning' if verified else 'not verified'}"


def _moves(moves: list[TargetMove]) -> str:
    """'; also moves milestone:M3 Mon 2025-11-24 → Tue 2025-11-25' (empty when nothing else moves)."""
    if not moves:
        return ""
    shown = [f"{m.key} {fmt.day(m.before) if m.before else '—'} → {fmt.day(m.after) if m.after else '—'}"
             for m in moves]
    return f"; also moves {listed(shown)}"


def _note(note: str | None) -> str:
    return f". {note}" if note else ""


def _alternatives(target: TargetRecommendation) -> list[str]:
    """Each alternative of a target in the summary's words, with its standing, moves and note."""
    lines = []
    if target.extension is not None:
        extension = target.extension
        lines.append(f"{extension_words(extension)}: {_standing(extension.proven_minimal, extension.verified)}"
                     f"{_moves(extension.other_moves)}{_note(extension.note)}")
    cut = target.scope_cut
    cut_words = scope_cut_words(cut) if cut is not None else None
    if cut is not None and cut_words is not None:
        lines.append(f"{cut_words}: {_standing(cut.proven, cut.verified, 'proven')}{_moves(cut.other_moves)}"
                     f"{_note(cut.note)}")
    elif cut is not None and cut.note:
        lines.append(cut.note)
    capacity = target.capacity
    if capacity is not None:
        if capacity.extra_owners is not None:
            owners = capacity.extra_owners
            lines.append(f"{extra_owners_words(owners)}: {_standing(owners.proven_minimal, owners.verified)}")
        if capacity.extra_hours is not None:
            hours = capacity.extra_hours
            lines.append(f"{extra_hours_words(hours)}: {_standing(hours.proven_minimal, hours.verified)}")
        if capacity.owners_cannot_help is not None:
            lines.append(owners_cannot_help_words(capacity.owners_cannot_help))
        if capacity.note:
            lines.append(capacity.note)
    return lines


def _target_blocks(target: TargetRecommendation, summarised: bool) -> list[Block]:
    name = target.name or target.id
    finish = fmt.day(target.planned_finish) if target.planned_finish else "not planned"
    heading = Heading(
        3,
        f"{target.kind.value.capitalize()} {name}: {target.status.value}, due {fmt.day(target.due)}, "
        f"planned {finish}",
    )
    lines: list[str] = [] if summarised else [f"**In one line:** {target.summary}"]
    lines += _alternatives(target)
    reasons = [reason.message for reason in target.why]
    chain = target.capacity.owners_cannot_help if target.capacity is not None else None
    if chain is not None and chain.message not in reasons:
        reasons.insert(0, chain.message)
    lines += [f"Why: {reason}" for reason in reasons]
    lines += [f"Note: {note}" for note in target.notes]
    return [heading, Bullets(lines)] if lines else [heading]


def _fix_standing(fix: ConflictFix) -> str:
    """'the least change that works (proven), shown to remove the conflict' or 'best found in time, not verified'."""
    parts = []
    if fix.proven_minimal is not None:
        parts.append("the least change that works (proven)" if fix.proven_minimal else "best found in time")
    parts.append("shown to remove the conflict" if fix.verified else "not verified")
    return ", ".join(parts)


def _infeasibility_blocks(infeasibility: Infeasibility) -> list[Block]:
    """Each conflict: its constraints, whether it is minimal, and every fix with its standing; then completeness."""
    if not infeasibility.sets:
        return [Paragraph(f"**Conflict:** {infeasibility.message}")]
    blocks: list[Block] = []
    for position, conflict in enumerate(infeasibility.sets, start=1):
        minimal = "minimal" if conflict.minimal else "not proven minimal"
        blocks += [
            Paragraph(f"**Conflict {position} of {len(infeasibility.sets)}** ({minimal}):"),
            Bullets(
                [c.message for c in conflict.conflicts]
                + [f"Fix: {fix.message}: {_fix_standing(fix)}" for fix in conflict.fixes]
            ),
        ]
    blocks.append(
        Paragraph(
            "No other conflict is left apart from these: without their constraints the request has a plan."
            if infeasibility.complete
            else "There may be more conflicts: the time budget ended before the rest was shown to have a plan."
        )
    )
    return blocks


def recommendation_blocks(recommendations: Recommendations | None) -> list[Block]:
    """The Recommendations section; empty when the plan carries none."""
    if recommendations is None:
        return []
    blocks: list[Block] = [Heading(2, "Recommendations")]
    infeasibility = recommendations.infeasibility
    if recommendations.summary and (infeasibility is None or not infeasibility.sets):
        # The conflicts below say all their summary lines say, each fix with its standing.
        blocks.append(Bullets(list(recommendations.summary)))
    elif not recommendations.targets and recommendations.infeasibility is None:
        blocks.append(Paragraph("Every milestone and deadline is met: nothing to recommend."))
    summarised = set(recommendations.summary)
    for target in recommendations.targets:
        blocks += _target_blocks(target, target.summary in summarised)
    if recommendations.interaction is not None:
        blocks.append(Paragraph(f"**Together:** {recommendations.interaction.message}"))
    if infeasibility is not None:
        blocks += _infeasibility_blocks(infeasibility)
    if not recommendations.complete:
        blocks.append(Paragraph(f"Not every value was proven minimal and verified within the "
                                f"{recommendations.seconds:.1f} s spent on recommendations."))
    blocks += [Paragraph(f"Note: {note}") for note in recommendations.notes]
    return blocks
