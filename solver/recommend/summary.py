"""Recommendations in words: one phrase per alternative, the one line per target that joins them.

The only place a recommendation's alternatives are put into words: the result's summary lines are built
here, and reports show these same phrases instead of wording the alternatives again.
"""

from __future__ import annotations

from api_schemas.recommendations import (
    Capacity,
    Chain,
    ConfidenceExtension,
    ConflictSet,
    Extension,
    ExtraHours,
    ExtraOwners,
    Infeasibility,
    Overdue,
    ScopeCut,
    TargetRecommendation,
    TargetStatus,
)
from solver.recommend.words import count

#: Chains longer than this are shown by their ends.
SHOWN_CHAIN = 6


def chain_words(chain: Chain) -> str:
    """'#a -> #b -> #c', or '#a -> ... -> #z (N issues)' for long chains."""
    if len(chain.ids) <= SHOWN_CHAIN:
        return " -> ".join(chain.ids)
    return f"{chain.ids[0]} -> ... -> {chain.ids[-1]} ({len(chain.ids)} issues)"


def _best_found(proven: bool) -> str:
    return "" if proven else " [best found]"


def extension_words(extension: Extension) -> str:
    """'extend to 2025-12-02 (+3 working days)'."""
    return f"extend to {extension.new_date.isoformat()} (+{count(extension.working_days, 'working day')})"


def chance_words(share: float) -> str:
    """'62 %', with '<1 %' and '>99 %' for chances that are not quite 0 or 1."""
    if 0 < share < 0.005:
        return "<1 %"
    if 0.995 < share < 1:
        return ">99 %"
    return f"{round(share * 100):d} %"


def confidence_words(extension: ConfidenceExtension) -> str:
    """'extend to 2025-12-05 (+6 working days) for 85 % confidence'."""
    return (
        f"extend to {extension.new_date.isoformat()} (+{count(extension.working_days, 'working day')}) "
        f"for {chance_words(extension.confidence)} confidence"
    )


def on_time_line(extension: ConfidenceExtension, label: str) -> str:
    """The line of a milestone the plan meets with exact estimates but not at the chosen confidence."""
    return (
        f"{label}: on time if every estimate holds, with a {chance_words(extension.p_on_time)} chance; "
        f"{confidence_words(extension)}"
    )


def scope_cut_words(cut: ScopeCut) -> str | None:
    """'defer #974, #975 (18 h, keep 57%)'; None when nothing is deferred."""
    if not cut.deferred:
        return None
    ids = ", ".join(issue.id for issue in cut.deferred)
    return f"defer {ids} ({cut.hours_deferred:g} h, keep {cut.share_kept:.0%})"


def extra_owners_words(extra: ExtraOwners) -> str:
    """'add 1 owner with rust at 8 h/day'."""
    groups = ", ".join(
        f"{g.count} owner{'' if g.count == 1 else 's'} with {', '.join(g.skills) or 'no special skill'} "
        f"at {g.hours_per_day:g} h/day"
        for g in extra.groups
    )
    return f"add {groups}"


def extra_hours_words(extra: ExtraHours) -> str:
    """'work +5.5 h/day (lead)'."""
    return f"work +{extra.hours_per_day:g} h/day ({', '.join(extra.owners)})"


def owners_cannot_help_words(chain: Chain) -> str:
    """'more owners cannot help: the chain #a -> #b needs 6 working days (42 h), allowing 2025-12-01'."""
    subject = f"the chain {chain_words(chain)}" if len(chain.ids) > 1 else chain.ids[0]
    return (
        f"more owners cannot help: {subject} needs {count(chain.working_days, 'working day')} "
        f"({chain.hours:g} h), allowing {chain.earliest_finish.isoformat()}"
    )


def overdue_words(overdue: Overdue) -> str:
    """'overdue since 2025-11-19 (4 calendar days before the plan starts); earliest possible finish ...'."""
    words = (
        f"overdue since {overdue.due.isoformat()} ({overdue.calendar_days_overdue} calendar days before the plan "
        "starts)"
    )
    if overdue.earliest_finish is not None:
        words += f"; earliest possible finish {overdue.earliest_finish.isoformat()}"
        if overdue.planned_finish == overdue.earliest_finish:
            words += ", as planned"
        elif overdue.planned_finish is not None:
            words += f", planned {overdue.planned_finish.isoformat()}"
    return words


def _capacity(capacity: Capacity) -> tuple[list[str], str | None]:
    """Capacity options, and the clause saying why more owners cannot help (when they cannot)."""
    options: list[str] = []
    if capacity.extra_owners is not None:
        options.append(
            f"{extra_owners_words(capacity.extra_owners)}{_best_found(capacity.extra_owners.proven_minimal)}"
        )
    if capacity.extra_hours is not None:
        options.append(f"{extra_hours_words(capacity.extra_hours)}{_best_found(capacity.extra_hours.proven_minimal)}")
    chain = capacity.owners_cannot_help
    return options, owners_cannot_help_words(chain) if chain is not None else None


def target_line(recommendation: TargetRecommendation, label: str, confident: ConfidenceExtension | None = None) -> str:
    """The summary line of one target: its alternatives joined by 'or', each marked when only best found.

    With a forecast's `confident` extension, it stands beside the exact-estimate extension.
    """
    if recommendation.status == TargetStatus.OVERDUE and recommendation.overdue is not None:
        line = f"{label}: {overdue_words(recommendation.overdue)}"
        return f"{line}; {confidence_words(confident)}" if confident is not None else line
    parts: list[str] = []
    clause = None
    if recommendation.extension is not None:
        extension = recommendation.extension
        parts.append(f"{extension_words(extension)}{_best_found(extension.proven_minimal)}")
    if confident is not None:
        parts.append(confidence_words(confident))
    if recommendation.scope_cut is not None:
        cut = scope_cut_words(recommendation.scope_cut)
        if cut:
            parts.append(f"{cut}{_best_found(recommendation.scope_cut.proven)}")
    if recommendation.capacity is not None:
        options, clause = _capacity(recommendation.capacity)
        parts.extend(options)
    line = (
        f"{label}: " + " or ".join(parts)
        if parts
        else (
            f"{label}: late by {count(recommendation.lateness_working_days, 'working day')}; "
            "no alternative was found in time"
        )
    )
    return f"{line}; {clause}" if clause else line


def fixes_words(conflict: ConflictSet) -> str:
    """'drop the pin of #841; move the pin of #841 to 2025-11-28 (Friday) [best found]'."""
    return "; ".join(
        f"{fix.message}{_best_found(fix.proven_minimal is not False)}{'' if fix.verified else ' [not verified]'}"
        for fix in conflict.fixes
    )


def conflict_lines(infeasibility: Infeasibility) -> list[str]:
    """One line per conflict with the changes that each remove it, and whether more conflicts may be left."""
    if not infeasibility.sets:
        return [f"Infeasible: {infeasibility.message}"]
    lines = []
    for position, conflict in enumerate(infeasibility.sets, start=1):
        label = "Infeasible" if len(infeasibility.sets) == 1 else f"Conflict {position} of {len(infeasibility.sets)}"
        line = f"{label}: {conflict.message}"
        if conflict.fixes:
            line += f". Any one of these removes it: {fixes_words(conflict)}"
        lines.append(line)
    if not infeasibility.complete:
        lines.append("There may be more conflicts: the time budget ended before the rest was shown to have a plan.")
    return lines
