"""Why a request is infeasible: every independent conflict among its pins, hard deadlines, not-before dates and skills.

Each such constraint is switched by its own assumption literal in a model where it is otherwise relaxed (the
team, calendars and dependencies stay hard; `solver.recommend.switches`). A conflicting set comes from CP-SAT's
sufficient assumptions and is shrunk by deletion to a minimal one; its constraints are then switched off for
good and the rest is asked again, so every set found shares no constraint with another. The search stops when
the rest has a plan (the list is complete) or the time budget ends (there may be more).
"""

from __future__ import annotations

from api_schemas.recommendations import ConflictSet, Infeasibility
from solver.prepared.problem import PreparedProblem
from solver.recommend.budget import Budget
from solver.recommend.conflict_fixes import FoundSet, conflict_fixes
from solver.recommend.switches import Switch, SwitchModel

#: Share of the budget for finding the sets (its unused time goes to their fixes).
FINDING_SHARE = 0.75


def _shrink(switch_model: SwitchModel, core: list[Switch], budget: Budget) -> FoundSet:
    """A minimal conflicting subset of `core` by deletion; each new answer's own core narrows the rest at once."""
    kept: list[tuple[Switch, bool]] = []
    candidates = list(core)
    while candidates:
        switch = candidates.pop(0)
        verdict, smaller = switch_model.conflicting([s for s, _ in kept] + candidates, budget)
        if verdict is True:
            inside = set(smaller)
            candidates = [s for s in candidates if s in inside]
            kept = [(s, needed) for s, needed in kept if s in inside]
        else:
            kept.append((switch, verdict is False))
    order = {switch: position for position, switch in enumerate(switch_model.switches)}
    kept.sort(key=lambda pair: order[pair[0]])
    return FoundSet([s for s, _ in kept], [needed for _, needed in kept])


def _set_message(found: FoundSet) -> str:
    words = [switch.conflict.message for switch in found.switches]
    return words[0] if len(words) == 1 else "These cannot all hold: " + "; ".join(words)


def _message(sets: list[ConflictSet], complete: bool) -> str:
    if len(sets) == 1:
        message = f"{sets[0].message}."
    else:
        message = f"{len(sets)} independent conflicts. " + " ".join(
            f"({position}) {conflict.message}." for position, conflict in enumerate(sets, start=1)
        )
    if not complete:
        message += " There may be more: the time budget ended before the rest of the request was shown to have a plan."
    return message


def explain_infeasibility(problem: PreparedProblem, budget: Budget) -> Infeasibility:
    """Every independent minimal conflict of `problem` found within the budget, in words, with fixes for each."""
    switch_model = SwitchModel.of(problem)
    finding = budget.part(FINDING_SHARE)
    found: list[FoundSet] = []
    active = list(switch_model.switches)
    while True:
        verdict, core = switch_model.conflicting(active, finding)
        if verdict is not True:
            break
        conflict = _shrink(switch_model, core, finding) if core else FoundSet([], [])
        if not conflict.switches and not found:
            return Infeasibility(
                conflicts=[],
                smallest=True,
                message="The team's calendars and the dependencies alone leave no valid plan.",
            )
        if not conflict.switches:
            verdict = None
            break
        found.append(conflict)
        members = set(conflict.switches)
        active = [switch for switch in active if switch not in members]
    complete = verdict is False
    if not found:
        return Infeasibility(
            conflicts=[],
            smallest=False,
            message=(
                "No conflict among pins, hard deadlines, not-before dates and skills was found"
                + (
                    "; the team, calendars and dependencies alone leave no valid plan within the horizon."
                    if complete
                    else " within the time budget."
                )
            ),
        )
    sets = []
    for position, conflict in enumerate(found):
        fixes = conflict_fixes(switch_model, conflict, budget.part(1 / (len(found) - position)))
        sets.append(
            ConflictSet(
                conflicts=[s.conflict for s in conflict.switches],
                minimal=conflict.minimal,
                fixes=fixes,
                message=_set_message(conflict),
            )
        )
    return Infeasibility(
        conflicts=[c for s in sets for c in s.conflicts],
        smallest=all(s.minimal for s in sets),
        message=_message(sets, complete),
        sets=sets,
        complete=complete,
    )
