"""One line per target that puts its alternatives side by side, and the plan's summary lines."""

from __future__ import annotations

from api_schemas.recommendations import Capacity, Chain, Extension, ScopeCut, TargetRecommendation, TargetStatus
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


def _extension(extension: Extension) -> str:
    return (
        f"extend to {extension.new_date.isoformat()} (+{count(extension.working_days, 'working day')})"
        f"{_best_found(extension.proven_minimal)}"
    )


def _cut(cut: ScopeCut) -> str | None:
    if not cut.deferred:
        return None
    ids = ", ".join(issue.id for issue in cut.deferred)
    return f"defer {ids} ({cut.hours_deferred:g} h, keep {cut.share_kept:.0%}){_best_found(cut.proven)}"


def _capacity(capacity: Capacity) -> tuple[list[str], str | None]:
    """Capacity options, and the clause saying why more owners cannot help (when they cannot)."""
    options: list[str] = []
    if capacity.extra_owners is not None:
        groups = ", ".join(
            f"{g.count} owner{'' if g.count == 1 else 's'} with {', '.join(g.skills) or 'no special skill'} "
            f"at {g.hours_per_day:g} h/day"
            for g in capacity.extra_owners.groups
        )
        options.append(f"add {groups}{_best_found(capacity.extra_owners.proven_minimal)}")
    if capacity.extra_hours is not None:
        extra = capacity.extra_hours
        options.append(
            f"work +{extra.hours_per_day:g} h/day ({', '.join(extra.owners)}){_best_found(extra.proven_minimal)}"
        )
    chain = capacity.owners_cannot_help
    clause = None
    if chain is not None:
        subject = f"the chain {chain_words(chain)}" if len(chain.ids) > 1 else chain.ids[0]
        clause = (
            f"more owners cannot help: {subject} needs {count(chain.working_days, 'working day')} "
            f"({chain.hours:g} h), allowing {chain.earliest_finish.isoformat()}"
        )
    return options, clause


def target_line(recommendation: TargetRecommendation, label: str) -> str:
    """The summary line of one target."""
    if recommendation.status == TargetStatus.OVERDUE and recommendation.overdue is not None:
        overdue = recommendation.overdue
        line = (
            f"{label}: overdue since {overdue.due.isoformat()} ({overdue.calendar_days_overdue} calendar days "
            "before the plan starts)"
        )
        if overdue.earliest_finish is not None:
            line += f"; earliest possible finish {overdue.earliest_finish.isoformat()}"
            if overdue.planned_finish == overdue.earliest_finish:
                line += ", as planned"
            elif overdue.planned_finish is not None:
                line += f", planned {overdue.planned_finish.isoformat()}"
        return line
    parts: list[str] = []
    clause = None
    if recommendation.extension is not None:
        parts.append(_extension(recommendation.extension))
    if recommendation.scope_cut is not None:
        cut = _cut(recommendation.scope_cut)
        if cut:
            parts.append(cut)
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
