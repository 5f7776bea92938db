"""The recommendations of a plan in words: one summary line per missed target, then its options and reasons."""

from __future__ import annotations

from api_schemas.recommendations import Capacity, Extension, Recommendations, ScopeCut, TargetRecommendation
from service.report import formatting as fmt
from service.report.document import Block, Bullets, Heading, Paragraph


def _quality(proven: bool, verified: bool, proven_word: str = "proven minimal") -> str:
    """'proven minimal, verified by re-planning' or 'best found in time, not verified'."""
    first = proven_word if proven else "best found in time"
    return f"{first}, {'verified by re-planning' if verified else 'not verified'}"


def _extension(extension: Extension) -> str:
    text = (
        f"**Extension:** ask for {fmt.day(extension.new_date)} "
        f"(+{fmt.plural(extension.working_days, 'working day')}, +{fmt.plural(extension.calendar_days, 'day')}; "
        f"{_quality(extension.proven_minimal, extension.verified)})"
    )
    if extension.other_moves:
        moves = [f"{m.key} {fmt.day(m.before) if m.before else '—'} → {fmt.day(m.after) if m.after else '—'}"
                 for m in extension.other_moves]
        text += f"; also moves {fmt.listed(moves)}"
    return text + (f". {extension.note}" if extension.note else "")


def _scope_cut(cut: ScopeCut) -> str:
    deferred = [f"{issue.id} ({fmt.hours(issue.hours)}, {issue.priority.value})" for issue in cut.deferred]
    text = (
        f"**Scope cut:** defer {fmt.listed(deferred)}: {fmt.hours(cut.hours_deferred)} deferred, "
        f"{fmt.hours(cut.hours_kept)} kept ({cut.share_kept:.0%} of the hours; "
        f"{_quality(cut.proven, cut.verified, 'proven')})"
    )
    return text + (f". {cut.note}" if cut.note else "")


def _capacity(capacity: Capacity) -> list[str]:
    lines = []
    if capacity.extra_owners is not None:
        extra = capacity.extra_owners
        groups = [
            f"{fmt.plural(group.count, 'owner')} of {fmt.hours(group.hours_per_day)} a day"
            + (f" with {', '.join(group.skills)}" if group.skills else "")
            for group in extra.groups
        ]
        lines.append(f"**Capacity:** add {fmt.plural(extra.count, 'owner')} ({fmt.listed(groups)}; "
                     f"{_quality(extra.proven_minimal, extra.verified)})")
    if capacity.extra_hours is not None:
        hours = capacity.extra_hours
        lines.append(f"**Longer days:** +{fmt.hours(hours.hours_per_day)} a working day for {fmt.listed(hours.owners)} "
                     f"({_quality(hours.proven_minimal, hours.verified)})")
    if capacity.owners_cannot_help is not None:
        lines.append(f"**More owners cannot help:** {capacity.owners_cannot_help.message}")
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
    options: list[str] = [] if summarised else [f"**In one line:** {target.summary}"]
    if target.extension is not None:
        options.append(_extension(target.extension))
    if target.scope_cut is not None:
        options.append(_scope_cut(target.scope_cut))
    if target.capacity is not None:
        options += _capacity(target.capacity)
    if target.overdue is not None:
        overdue = target.overdue
        earliest = fmt.day(overdue.earliest_finish) if overdue.earliest_finish else "not found"
        options.append(f"**Overdue:** {fmt.plural(overdue.calendar_days_overdue, 'day')} before the plan starts; "
                       f"earliest finish if it went first: {earliest}")
    said = " ".join(options)
    options += [f"Why: {reason.message}" for reason in target.why if reason.message not in said]
    options += [f"Note: {note}" for note in target.notes]
    return [heading, Bullets(options)]


def recommendation_blocks(recommendations: Recommendations | None) -> list[Block]:
    """The Recommendations section; empty when the plan carries none."""
    if recommendations is None:
        return []
    blocks: list[Block] = [Heading(2, "Recommendations")]
    if recommendations.summary:
        blocks.append(Bullets(list(recommendations.summary)))
    elif not recommendations.targets and recommendations.infeasibility is None:
        blocks.append(Paragraph("Every milestone and deadline is met: nothing to recommend."))
    summarised = set(recommendations.summary)
    for target in recommendations.targets:
        blocks += _target_blocks(target, target.summary in summarised)
    if recommendations.interaction is not None:
        blocks.append(Paragraph(f"**Together:** {recommendations.interaction.message}"))
    if recommendations.infeasibility is not None:
        infeasibility = recommendations.infeasibility
        blocks += [Paragraph(f"**Conflict:** {infeasibility.message}"),
                   Bullets([conflict.message for conflict in infeasibility.conflicts])]
    if not recommendations.complete:
        blocks.append(Paragraph(f"Not every value was proven minimal and verified within the "
                                f"{recommendations.seconds:.1f} s spent on recommendations."))
    blocks += [Paragraph(f"Note: {note}") for note in recommendations.notes]
    return blocks
