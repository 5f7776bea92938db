"""Changes that each remove one conflicting set: drop or move one of its constraints, or add capacity.

A moved date is the nearest one at which the set's other constraints still hold (every constraint outside the
set switched off), found by the optimiser on the switch model. An added owner and longer days are checked on
the switch model of the changed request; the fewest extra hours a day are found by bisection over quarter hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ortools.sat.python import cp_model

from api_schemas.common import UNITS_PER_DAY, UNITS_PER_HOUR
from api_schemas.recommendations import ConflictFix, ConflictKind, FixKind
from api_schemas.request import Owner, PlanRequest
from solver.prepared.problem import prepare
from solver.recommend.budget import Budget
from solver.recommend.capacity import common_hours
from solver.recommend.replan import with_longer_days, with_owners
from solver.recommend.solving import solve
from solver.recommend.switches import Switch, SwitchKey, SwitchModel, able, weekday
from solver.recommend.words import listed


@dataclass(frozen=True, eq=False)
class FoundSet:
    """A conflicting set as found: its switches, and for each whether its deletion test proved it needed."""

    switches: list[Switch]
    needed: list[bool]

    @property
    def minimal(self) -> bool:
        """True when dropping any one switch was proven to remove the conflict."""
        return all(self.needed)

    @property
    def keys(self) -> list[SwitchKey]:
        """The kind and issue of each constraint of the set."""
        return [switch.key for switch in self.switches]


def _day_words(day: date) -> str:
    return f"{day.isoformat()} ({weekday(day)})"


class _Fixer:
    """Works out the fixes of one set on the switch model of the request."""

    def __init__(self, switch_model: SwitchModel, found: FoundSet, budget: Budget) -> None:
        self.switch_model = switch_model
        self.found = found
        self.budget = budget

    @property
    def request(self) -> PlanRequest:
        return self.switch_model.problem.request

    def _best(self, switch: Switch, objective: cp_model.LinearExprT, value: cp_model.IntVar) -> tuple[int, bool] | None:
        """Minimise `objective` with the set's other constraints on: the value of `value` and whether it is proven."""
        model = self.switch_model.model
        model.clear_assumptions()
        model.add_assumptions([s.literal for s in self.found.switches if s is not switch])
        model.minimize(objective)
        solved = solve(model, self.budget, 0.5, single_worker=True)
        model.clear_objective()  # type: ignore[no-untyped-call]
        model.clear_assumptions()
        if not solved.found:
            return None
        return solved.solver.value(value), solved.proven

    def _pin(self, switch: Switch, needed: bool) -> list[ConflictFix]:
        """Drop the pinned start, or move it to the nearest day that works (the later one on a tie)."""
        issue_id = switch.key[1]
        fixes = [
            ConflictFix(kind=FixKind.DROP_PIN, ids=[issue_id], message=f"drop the pin of {issue_id}", verified=needed)
        ]
        problem = self.switch_model.problem
        pinned = problem.tasks[switch.task].pinned_day
        if pinned is None or not self.budget.affords(0):
            return fixes
        model, horizon = self.switch_model.model, problem.horizon_days
        start = self.switch_model.plan_model.tasks[switch.task].start
        day = model.new_int_var(0, horizon - 1, f"pin_day_{switch.task}")
        model.add(start >= UNITS_PER_DAY * day)
        model.add(start <= UNITS_PER_DAY * day + UNITS_PER_DAY - 1)
        distance = model.new_int_var(0, horizon + abs(pinned), f"pin_distance_{switch.task}")
        model.add(distance >= day - pinned)
        model.add(distance >= pinned - day)
        best = self._best(switch, 2 * horizon * distance - day, day)
        if best is None or best[0] == pinned:
            return fixes
        moved = problem.date_of(best[0])
        fixes.append(
            ConflictFix(
                kind=FixKind.MOVE_PIN,
                ids=[issue_id],
                message=f"move the pin of {issue_id} to {_day_words(moved)}",
                date=moved,
                verified=True,
                proven_minimal=best[1],
            )
        )
        return fixes

    def _deadline(self, switch: Switch, needed: bool) -> ConflictFix:
        """Move the hard deadline to the earliest day the set's other constraints allow ('later' if not found)."""
        issue_id = switch.key[1]
        problem = self.switch_model.problem
        deadline = problem.tasks[switch.task].hard_deadline_day
        best = None
        if deadline is not None and self.budget.affords(0):
            model = self.switch_model.model
            day = model.new_int_var(0, problem.horizon_days - 1, f"deadline_day_{switch.task}")
            model.add(self.switch_model.plan_model.tasks[switch.task].end <= UNITS_PER_DAY * (day + 1))
            best = self._best(switch, day, day)
        if best is None or deadline is None or best[0] <= deadline:
            return ConflictFix(
                kind=FixKind.MOVE_DEADLINE,
                ids=[issue_id],
                message=f"move the deadline of {issue_id} later (or make it soft)",
                verified=needed,
            )
        moved = problem.date_of(best[0])
        return ConflictFix(
            kind=FixKind.MOVE_DEADLINE,
            ids=[issue_id],
            message=f"move the deadline of {issue_id} to {_day_words(moved)}",
            date=moved,
            verified=True,
            proven_minimal=best[1],
        )

    def _not_before(self, switch: Switch, needed: bool) -> ConflictFix:
        """Move the not-before date to the latest day the set's other constraints allow (drop it at the start)."""
        issue_id = switch.key[1]
        problem = self.switch_model.problem
        release = problem.tasks[switch.task].release // UNITS_PER_DAY
        best = None
        if release > 0 and self.budget.affords(0):
            model = self.switch_model.model
            day = model.new_int_var(0, release, f"release_day_{switch.task}")
            model.add(self.switch_model.plan_model.tasks[switch.task].start >= UNITS_PER_DAY * day)
            best = self._best(switch, -day, day)
        if best is None or best[0] >= release:
            return ConflictFix(
                kind=FixKind.MOVE_NOT_BEFORE,
                ids=[issue_id],
                message=f"drop the not-before date of {issue_id}",
                verified=needed,
            )
        moved = problem.date_of(best[0])
        words = (
            f"drop the not-before date of {issue_id}"
            if best[0] == 0
            else f"move the not-before date of {issue_id} to {_day_words(moved)}"
        )
        return ConflictFix(
            kind=FixKind.MOVE_NOT_BEFORE,
            ids=[issue_id],
            message=words,
            date=moved,
            verified=True,
            proven_minimal=best[1],
        )

    def holds(self, request: PlanRequest) -> bool | None:
        """Whether the set's constraints can all hold in `request` (None: not decided, or no time to build it)."""
        if not self.budget.affords():
            return None
        changed = SwitchModel.of(prepare(request))
        by_key = changed.by_key()
        # A constraint without a switch there no longer restricts anything (say, every owner has the skill).
        kept = [by_key[key] for key in self.found.keys if key in by_key]
        verdict, _ = changed.conflicting(kept, self.budget)
        return None if verdict is None else not verdict

    def _skills(self, switch: Switch, needed: bool) -> list[ConflictFix]:
        """Drop the skill requirement, or add an owner who has it (when that is shown to remove the conflict)."""
        issue_id = switch.key[1]
        skills = list(self.switch_model.problem.tasks[switch.task].issue.skills)
        plural = "s" if len(skills) > 1 else ""
        fixes = [
            ConflictFix(
                kind=FixKind.DROP_SKILLS,
                ids=[issue_id],
                message=f"remove the skill requirement{plural} {', '.join(skills)} from {issue_id}",
                skills=skills,
                verified=needed,
            )
        ]
        taken = {owner.id for owner in self.request.owners}
        new_id = next(f"extra-{n}" for n in range(1, len(taken) + 2) if f"extra-{n}" not in taken)
        hours = common_hours(self.request)
        owner = Owner(id=new_id, hours_per_day=hours, skills=skills)
        if self.holds(with_owners(self.request, [owner])):
            fixes.append(
                ConflictFix(
                    kind=FixKind.ADD_OWNER,
                    ids=[issue_id],
                    message=f"add an owner with {', '.join(skills)} ({hours:g} h/day, team calendar)",
                    hours_per_day=hours,
                    skills=skills,
                    verified=True,
                )
            )
        return fixes

    def _hours(self) -> ConflictFix | None:
        """The fewest extra hours a day, for everyone who can do the set's work by its deadline, that remove it."""
        problem = self.switch_model.problem
        tasks = [problem.tasks[s.task] for s in self.found.switches]
        deadlines = [
            t.deadline
            for s, t in zip(self.found.switches, tasks, strict=True)
            if s.key[0] == ConflictKind.HARD_DEADLINE and t.deadline is not None
        ]
        if not deadlines or not self.budget.affords(3):
            return None
        by = max(deadlines)
        days = [problem.date_of(offset) for offset in range((by - problem.start).days + 1)]
        working = {
            o.id: sum(1 for day in days if problem.owner_calendars[o.id].is_working(day))
            for o in self.request.owners
            if o.hours_per_day < 24
        }
        capable = {o for t in tasks for o in able(self.request, t.issue)}
        owners = [o.id for o in self.request.owners if o.id in capable and working.get(o.id)]
        if not owners:
            return None
        day_hours = {o.id: o.hours_per_day for o in self.request.owners}

        def holds(quarters: int) -> bool | None:
            return self.holds(with_longer_days(self.request, owners, quarters / UNITS_PER_HOUR))

        most = max(round((24 - day_hours[o]) * UNITS_PER_HOUR) for o in owners)
        if holds(most) is not True:
            return None
        low, high, decided = 0, most, True  # low: known (or assumed) too few; high: enough
        while high - low > 1:
            middle = (low + high) // 2
            verdict = holds(middle)
            if verdict is True:
                high = middle
            else:
                low, decided = middle, decided and verdict is False
        extra = high / UNITS_PER_HOUR
        total = extra * sum(working[o] for o in owners)
        works = "works" if len(owners) == 1 else "work"
        return ConflictFix(
            kind=FixKind.ADD_HOURS,
            ids=[s.key[1] for s in self.found.switches if s.key[0] == ConflictKind.HARD_DEADLINE],
            message=f"add {total:g} h by {by.isoformat()}: {listed(owners)} {works} +{extra:g} h/day",
            date=by,
            hours_per_day=extra,
            hours=total,
            owners=owners,
            verified=True,
            proven_minimal=decided,
        )

    def fixes(self) -> list[ConflictFix]:
        """One or two fixes per constraint of the set, then added hours when capacity can remove it."""
        fixes: list[ConflictFix] = []
        for switch, needed in zip(self.found.switches, self.found.needed, strict=True):
            kind = switch.key[0]
            if kind == ConflictKind.PINNED_START:
                fixes += self._pin(switch, needed)
            elif kind == ConflictKind.PINNED_OWNER:
                owner = switch.conflict.ids[1]
                fixes.append(
                    ConflictFix(
                        kind=FixKind.DROP_OWNER_PIN,
                        ids=switch.conflict.ids,
                        message=f"drop the owner pin of {switch.key[1]} ({owner})",
                        verified=needed,
                    )
                )
            elif kind == ConflictKind.HARD_DEADLINE:
                fixes.append(self._deadline(switch, needed))
            elif kind == ConflictKind.NOT_BEFORE:
                fixes.append(self._not_before(switch, needed))
            else:
                fixes += self._skills(switch, needed)
        hours = self._hours()
        return [*fixes, hours] if hours is not None else fixes


def conflict_fixes(switch_model: SwitchModel, found: FoundSet, budget: Budget) -> list[ConflictFix]:
    """The changes that each remove the conflict `found` (the constraints outside it aside)."""
    return _Fixer(switch_model, found, budget).fixes()
