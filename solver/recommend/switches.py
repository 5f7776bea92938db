"""The relaxed model of a request whose pins, hard deadlines, not-before dates and skills can be switched on.

Each such constraint is enforced only while its own literal is true (the team, calendars and dependencies
always hold), so one model answers, by its assumptions, whether any subset of them can hold together.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from ortools.sat.python import cp_model

from api_schemas.recommendations import Conflict, ConflictKind
from api_schemas.request import Issue, PlanRequest
from solver.model import build_model
from solver.model.build import PlanModel
from solver.prepared.problem import PreparedProblem, Task
from solver.prepared.rules import day_end_instant, earliest_start, pinned_starts
from solver.recommend.budget import Budget
from solver.recommend.chain import chain_behind, earliest_schedule
from solver.recommend.solving import solve
from solver.recommend.words import listed

#: Which constraint a switch is: its kind and its issue.
SwitchKey = tuple[ConflictKind, str]


@dataclass(frozen=True, eq=False)
class Switch:
    """One constraint that can be switched off, its task and its description."""

    literal: cp_model.IntVar
    conflict: Conflict
    task: int

    @property
    def key(self) -> SwitchKey:
        """The constraint's kind and issue, the same in the model of any changed request."""
        return self.conflict.kind, self.conflict.ids[0]


def relaxed(problem: PreparedProblem) -> PreparedProblem:
    """The problem without pins, hard deadlines, not-before dates and skill limits (any owner may do any issue)."""
    everyone = tuple(range(len(problem.resources)))
    tasks = [replace(t, pinned_day=None, release=0, hard_deadline_day=None, resources=everyone) for t in problem.tasks]
    return replace(problem, tasks=tasks)


def weekday(day: date) -> str:
    """The day's name, e.g. 'Saturday'."""
    return day.strftime("%A")


def able(request: PlanRequest, issue: Issue) -> list[str]:
    """Owners who have the issue's skills (and are its pinned owner, when it has one)."""
    return [
        o.id
        for o in request.owners
        if set(issue.skills) <= set(o.skills) and (issue.pinned_owner is None or o.id == issue.pinned_owner)
    ]


class _Builder:
    """Builds the switchable constraints of a relaxed model, with words for each."""

    def __init__(self, original: PreparedProblem, plan_model: PlanModel) -> None:
        self.original = original
        self.plan_model = plan_model
        self.switches: list[Switch] = []
        self.earliest = earliest_schedule(original)

    def _switch(self, task: Task, kind: ConflictKind, ids: list[str], message: str) -> cp_model.IntVar:
        literal = self.plan_model.model.new_bool_var(f"keep_{kind.value}_{len(self.switches)}")
        self.switches.append(Switch(literal, Conflict(kind=kind, ids=ids, message=message), task.index))
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
                task,
                ConflictKind.SKILLS,
                [issue.id, *holders],
                f"{issue.id} needs {', '.join(issue.skills)}, which only {listed(holders)} "
                f"{'has' if len(holders) == 1 else 'have'}"
                if holders
                else f"{issue.id} needs {', '.join(issue.skills)}, which no owner has",
            )
            for r, chosen in tv.chosen.items():
                if r not in by_skill:
                    model.add(chosen == 0).only_enforce_if(keep)
        if issue.pinned_owner is not None:
            keep = self._switch(
                task,
                ConflictKind.PINNED_OWNER,
                [issue.id, issue.pinned_owner],
                f"{issue.id} is pinned to owner {issue.pinned_owner}",
            )
            for r, chosen in tv.chosen.items():
                if r not in by_owner:
                    model.add(chosen == 0).only_enforce_if(keep)
        if original.pinned_day is not None and issue.pinned_start is not None:
            self._pin(original, issue)
        if original.release > 0 and issue.not_before is not None:
            keep = self._switch(
                task,
                ConflictKind.NOT_BEFORE,
                [issue.id],
                f"{issue.id} may not start before {issue.not_before.isoformat()} ({weekday(issue.not_before)})",
            )
            for clock_index, stretch in tv.stretches.items():
                first = earliest_start(original, problem.clocks[clock_index])
                model.add(stretch.start >= first).only_enforce_if([keep, stretch.present])
        if original.hard_deadline_day is not None and original.deadline is not None:
            keep = self._switch(task, ConflictKind.HARD_DEADLINE, [issue.id], self._deadline_words(original))
            model.add(tv.end <= day_end_instant(original.hard_deadline_day)).only_enforce_if(keep)

    def _pin(self, original: Task, issue: Issue) -> None:
        """The switchable pinned start of `original` (the task with its pin), on each clock it may run on."""
        problem, model = self.plan_model.problem, self.plan_model.model
        assert original.pinned_day is not None
        day = original.pinned_day
        pinned = problem.date_of(day)
        owners = able(problem.request, issue)
        off = [o for o in owners if not problem.owner_calendars[o].is_working(pinned)]
        words = f"{issue.id} is pinned to start {pinned.isoformat()}, a {weekday(pinned)}"
        if day < 0:
            words += f", before the plan starts ({problem.start.isoformat()})"
        elif owners and off == owners:
            words += f", which {listed(off)} {'does' if len(off) == 1 else 'do'} not work"
        keep = self._switch(original, ConflictKind.PINNED_START, [issue.id, *off], words)
        tv = self.plan_model.tasks[original.index]
        for clock_index, stretch in tv.stretches.items():
            units = pinned_starts(original, problem.clocks[clock_index])
            if units:
                model.add(stretch.start >= units.start).only_enforce_if([keep, stretch.present])
                model.add(stretch.start <= units.stop - 1).only_enforce_if([keep, stretch.present])
            else:
                model.add_bool_or([keep.Not(), stretch.present.Not()])

    def _deadline_words(self, task: Task) -> str:
        assert task.deadline is not None
        words = f"{task.issue.id} must finish by {task.deadline.isoformat()} ({weekday(task.deadline)}, hard deadline)"
        chain = chain_behind(self.original, self.earliest, [task.index])
        finish = self.original.date_of(self.earliest[chain[-1]].end_day) if chain else None
        if len(chain) > 1 and finish is not None and finish > task.deadline:
            names = " -> ".join(self.original.tasks[i].issue.id for i in chain)
            words += f", which its chain {names} cannot meet before {finish.isoformat()}"
        return words


@dataclass
class SwitchModel:
    """The relaxed model of one problem and its switches; each solve says whether the switches given can hold."""

    problem: PreparedProblem
    plan_model: PlanModel
    switches: list[Switch]

    @classmethod
    def of(cls, problem: PreparedProblem) -> SwitchModel:
        """The switch model of `problem` (one switch per pin, owner pin, hard deadline, not-before date, skill set)."""
        plan_model = build_model(relaxed(problem))
        builder = _Builder(problem, plan_model)
        for task in plan_model.problem.tasks:
            builder.add_task(task)
        return cls(problem, plan_model, builder.switches)

    @property
    def model(self) -> cp_model.CpModel:
        """The CP-SAT model."""
        return self.plan_model.model

    def by_key(self) -> dict[SwitchKey, Switch]:
        """The switches by kind and issue."""
        return {switch.key: switch for switch in self.switches}

    def conflicting(self, switches: list[Switch], budget: Budget) -> tuple[bool | None, list[Switch]]:
        """Whether `switches` cannot all hold (None: not decided in time), and a subset of them that conflicts.

        The subset is CP-SAT's sufficient assumptions (one worker: parallel solves may return every assumption).
        """
        model = self.model
        model.clear_assumptions()
        model.add_assumptions([switch.literal for switch in switches])
        solved = solve(model, budget, 0.5, single_worker=True)
        model.clear_assumptions()
        if not solved.infeasible:
            return (False if solved.found else None), []
        core = set(solved.solver.sufficient_assumptions_for_infeasibility())
        return True, [switch for switch in switches if switch.literal.Index() in core]
