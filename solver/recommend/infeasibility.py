"""Why a request is infeasible: a smallest set of its pins, hard deadlines, not-before dates and skills.

Each such constraint is switched by its own assumption literal in a model where it is otherwise relaxed
(the team, calendars and dependencies stay hard). CP-SAT's sufficient assumptions give a conflicting
subset (single worker: parallel solves may return the whole set), which is then shrunk by deletion: a
constraint is dropped when the rest still conflicts, so every one left is needed for the conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from ortools.sat.python import cp_model

from api_schemas.recommendations import Conflict, ConflictKind, Infeasibility
from api_schemas.request import Issue, PlanRequest
from solver.model import build_model
from solver.model.build import PlanModel
from solver.prepared.problem import PreparedProblem, Task
from solver.recommend.budget import Budget
from solver.recommend.chain import chain_behind, earliest_schedule
from solver.recommend.solving import end_bound, solve
from solver.recommend.words import listed


@dataclass(frozen=True)
class _Switch:
    """One constraint that can be switched off, and its description."""

    literal: cp_model.IntVar
    conflict: Conflict


def _relaxed(problem: PreparedProblem) -> PreparedProblem:
    """The problem without pins, hard deadlines, not-before dates and skill limits (any owner may do any issue)."""
    everyone = tuple(range(len(problem.resources)))
    tasks = [replace(t, pinned_day=None, release=0, hard_deadline_day=None, resources=everyone) for t in problem.tasks]
    return replace(problem, tasks=tasks)


def _weekday(day: date) -> str:
    return day.strftime("%A")


def _able(request: PlanRequest, issue: Issue) -> list[str]:
    """Owners who have the issue's skills (and are its pinned owner, when it has one)."""
    return [
        o.id
        for o in request.owners
        if set(issue.skills) <= set(o.skills) and (issue.pinned_owner is None or o.id == issue.pinned_owner)
    ]


class _Switches:
    """Builds the switchable constraints of a relaxed model, with words for each."""

    def __init__(self, original: PreparedProblem, plan_model: PlanModel) -> None:
        self.original = original
        self.plan_model = plan_model
        self.switches: list[_Switch] = []
        self.earliest = earliest_schedule(original)

    def _switch(self, kind: ConflictKind, ids: list[str], message: str) -> cp_model.IntVar:
        literal = self.plan_model.model.new_bool_var(f"keep_{kind.value}_{len(self.switches)}")
        self.switches.append(_Switch(literal, Conflict(kind=kind, ids=ids, message=message)))
        return literal

    def add_task(self, task: Task) -> None:
        """Every switchable constraint of one task."""
        issue, original = task.issue, self.original.tasks[task.index]
        problem, model = self.plan_model.problem, self.plan_model.model
        tv = self.plan_model.tasks[task.index]
        by_owner = {r.index for r in problem.resources if issue.pinned_owner in r.owner_ids}
        by_skill = {r.index for r in problem.resources if set(issue.skills) <= r.skills}
        if issue.skills and by_skill != set(tv.chosen):
            holders = [o.id for o in problem.request.owners if set(issue.skills) <= set(o.skills)]
            keep = self._switch(
                ConflictKind.SKILLS,
                [issue.id, *holders],
                f"{issue.id} needs {', '.join(issue.skills)}, which only {listed(holders)} "
                f"{'has' if len(holders) == 1 else 'have'}",
            )
            for r, chosen in tv.chosen.items():
                if r not in by_skill:
                    model.add(chosen == 0).only_enforce_if(keep)
        if issue.pinned_owner is not None:
            keep = self._switch(
                ConflictKind.PINNED_OWNER,
                [issue.id, issue.pinned_owner],
                f"{issue.id} is pinned to owner {issue.pinned_owner}",
            )
            for r, chosen in tv.chosen.items():
                if r not in by_owner:
                    model.add(chosen == 0).only_enforce_if(keep)
        if original.pinned_day is not None and issue.pinned_start is not None:
            self._pin(task, original.pinned_day, issue)
        if original.release > 0 and issue.not_before is not None:
            keep = self._switch(
                ConflictKind.NOT_BEFORE,
                [issue.id],
                f"{issue.id} may not start before {issue.not_before.isoformat()} ({_weekday(issue.not_before)})",
            )
            for clock_index, stretch in tv.stretches.items():
                first = problem.clocks[clock_index].first_unit_at_or_after(original.release)
                model.add(stretch.start >= first).only_enforce_if([keep, stretch.present])
        if original.hard_deadline_day is not None and original.deadline is not None:
            keep = self._switch(ConflictKind.HARD_DEADLINE, [issue.id], self._deadline_words(original))
            model.add(tv.end <= end_bound(original.hard_deadline_day)).only_enforce_if(keep)

    def _pin(self, task: Task, day: int, issue: Issue) -> None:
        problem, model = self.plan_model.problem, self.plan_model.model
        pinned = problem.date_of(day)
        able = _able(problem.request, issue)
        off = [o for o in able if not problem.owner_calendars[o].is_working(pinned)]
        words = f"{issue.id} is pinned to start {pinned.isoformat()}, a {_weekday(pinned)}"
        if able and off == able:
            words += f", which {listed(off)} {'does' if len(off) == 1 else 'do'} not work"
        keep = self._switch(ConflictKind.PINNED_START, [issue.id, *off], words)
        tv = self.plan_model.tasks[task.index]
        for clock_index, stretch in tv.stretches.items():
            units = problem.clocks[clock_index].units_on_day(day)
            if units:
                model.add(stretch.start >= units.start).only_enforce_if([keep, stretch.present])
                model.add(stretch.start <= units.stop - 1).only_enforce_if([keep, stretch.present])
            else:
                model.add_bool_or([keep.Not(), stretch.present.Not()])

    def _deadline_words(self, task: Task) -> str:
        assert task.deadline is not None
        words = f"{task.issue.id} must finish by {task.deadline.isoformat()} ({_weekday(task.deadline)}, hard deadline)"
        chain = chain_behind(self.original, self.earliest, [task.index])
        finish = self.original.date_of(self.earliest[chain[-1]].end_day) if chain else None
        if len(chain) > 1 and finish is not None and finish > task.deadline:
            names = " -> ".join(self.original.tasks[i].issue.id for i in chain)
            words += f", which its chain {names} cannot meet before {finish.isoformat()}"
        return words


def _conflicting(model: cp_model.CpModel, literals: list[cp_model.IntVar], budget: Budget) -> bool | None:
    """Whether the constraints switched on by `literals` conflict (None: not decided in time)."""
    model.clear_assumptions()
    model.add_assumptions(literals)
    solved = solve(model, budget, 0.5, single_worker=True)
    return True if solved.infeasible else False if solved.found else None


def explain_infeasibility(problem: PreparedProblem, budget: Budget) -> Infeasibility:
    """A smallest set of constraints of `problem` that conflict, in words."""
    plan_model = build_model(_relaxed(problem))
    switches = _Switches(problem, plan_model)
    for task in plan_model.problem.tasks:
        switches.add_task(task)
    model = plan_model.model
    by_index = {switch.literal.Index(): switch for switch in switches.switches}
    model.add_assumptions([switch.literal for switch in switches.switches])
    solved = solve(model, budget, 0.5, single_worker=True)
    if not solved.infeasible:
        return Infeasibility(
            conflicts=[],
            smallest=False,
            message=(
                "No conflict among pins, hard deadlines, not-before dates and skills was found"
                + (
                    " within the time budget."
                    if not solved.found
                    else "; the team, calendars and dependencies alone leave no valid plan within the horizon."
                )
            ),
        )
    core = [by_index[i] for i in solved.solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    smallest = True
    for switch in list(core):
        rest = [s for s in core if s is not switch]
        verdict = _conflicting(model, [s.literal for s in rest], budget)
        if verdict is True:
            core = rest
        elif verdict is None:
            smallest = False
    conflicts = [switch.conflict for switch in core]
    if not conflicts:
        message = "The team's calendars and the dependencies alone leave no valid plan."
    elif len(conflicts) == 1:
        message = f"{conflicts[0].message}."
    else:
        message = "These cannot all hold: " + "; ".join(c.message for c in conflicts) + "."
    return Infeasibility(conflicts=conflicts, smallest=smallest, message=message)
