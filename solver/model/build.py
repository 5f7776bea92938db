"""Assemble the CP-SAT model of a prepared problem and read schedules back out of solutions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.bounds.earliest_finish import earliest_finishes
from solver.budget.cp_solver import Search, configured_solver
from solver.model.calendar_terms import CalendarTerms
from solver.model.constraints import add_dependency_constraints, add_resource_constraints, add_symmetry_breaking
from solver.model.objective import ObjectiveLevel, objective_levels
from solver.model.variables import ClockStretch, TaskVars, create_task_vars
from solver.prepared.members import assign_members
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule
from solver.prepared.symmetry import IdenticalClass, canonical, identical_classes


@dataclass
class PlanModel:
    """A CP-SAT model with handles on every task's variables and the objective levels."""

    problem: PreparedProblem
    model: cp_model.CpModel
    tasks: list[TaskVars]
    levels: list[ObjectiveLevel]
    #: Interchangeable tasks kept in order (`build_model(symmetry=True)`); hints are reordered to match.
    classes: list[IdenticalClass] = field(default_factory=list)

    def hint(self, schedule: Schedule) -> None:
        """Hint a known schedule: owner choices and local starts of every task (on every candidate clock)."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        schedule = canonical(self.problem, self.classes, schedule)
        for tv in self.tasks:
            placement = schedule[tv.task.index]
            clock_index = self.problem.resources[placement.resource].clock
            for resource_index, chosen in tv.chosen.items():
                self.model.add_hint(chosen, resource_index == placement.resource)
            for other, stretch in tv.stretches.items():
                self.model.add_hint(stretch.present, other == clock_index)
                # An unused stretch still has a start (its lowest): then propagation fixes all its terms.
                lowest = stretch.start.proto.domain[0]
                self.model.add_hint(stretch.start, placement.start if other == clock_index else lowest)
                if stretch.pieces:
                    runs = placement.spans(tv.task.work) if other == clock_index else ((lowest, lowest + tv.task.work),)
                    self._hint_pieces(stretch, runs)

    def _hint_pieces(self, stretch: ClockStretch, runs: Sequence[tuple[int, int]]) -> None:
        """Hint each piece's use, size and start from a placement's runs (later pieces unused and empty)."""
        grain = self.problem.grain
        for k, piece in enumerate(stretch.pieces):
            start, end = runs[k] if k < len(runs) else (runs[-1][1], runs[-1][1])
            if piece.used is not None:
                self.model.add_hint(piece.used, k < len(runs))
            if (end - start) % grain == 0:
                self.model.add_hint(piece.size_steps, (end - start) // grain)
            if piece.start_steps is not None and start % grain == 0:
                self.model.add_hint(piece.start_steps, start // grain)

    def hint_values(self, values: Sequence[int]) -> None:
        """Hint a value for every variable (a solution of this model, e.g. the previous level's)."""
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        hint = self.model.proto.solution_hint
        hint.vars.extend(range(len(values)))
        hint.values.extend(values)

    def complete_hint(self, seconds: float) -> list[int] | None:
        """Every variable's value under the current hint (owners and starts), or None if that fails.

        CP-SAT follows a partial hint by search, which took 7 s on a 500-issue backlog; with the hinted values
        fixed, propagation alone derives the rest (0.8 s there), and the complete hint is taken at once.
        """
        proto = self.model.proto
        for var, value in zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True):
            domain = proto.variables[var].domain
            if not any(domain[i] <= value <= domain[i + 1] for i in range(0, len(domain), 2)):
                return None  # fixing a value outside its domain is a contradiction: leave the hint partial
        solver = configured_solver(seconds, Search.COMPLETE_HINT)
        if solver.solve(self.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return list(solver.response_proto.solution)

    def read(self, solver: cp_model.CpSolver) -> Schedule:
        """Placements of the solver's current solution, with pooled work split onto owners (`assign_members`)."""
        chosen: dict[int, tuple[int, int]] = {}
        runs: dict[int, tuple[tuple[int, int], ...]] = {}
        for tv in self.tasks:
            for resource_index, literal in tv.chosen.items():
                if solver.boolean_value(literal):
                    stretch = tv.stretches[self.problem.resources[resource_index].clock]
                    chosen[tv.task.index] = (resource_index, solver.value(stretch.start))
                    used = [
                        (solver.value(p.start), solver.value(p.end)) for p in stretch.pieces if solver.value(p.size)
                    ]
                    if len(used) > 1:
                        runs[tv.task.index] = tuple(used)
                    break
        return assign_members(self.problem, chosen, runs)


def build_model(problem: PreparedProblem, symmetry: bool = False, finish_bounds: bool = True) -> PlanModel:
    """The full model: variables (dates and pins live in their domains), constraints and objective levels.

    `symmetry` orders interchangeable tasks: only for models whose constraints and objective are the plan's own
    (a model that treats one of them apart, e.g. a recommendation's target, must leave it off). `finish_bounds`
    adds the finish levels' order-statistic bounds (`solver.model.objective.add_finish_bounds`).
    """
    model = cp_model.CpModel()
    calendar = CalendarTerms(model, problem)
    earliest = earliest_finishes(problem)
    tasks = [create_task_vars(model, problem, task, calendar, earliest[task.index]) for task in problem.tasks]
    add_resource_constraints(model, problem, tasks)
    add_dependency_constraints(model, tasks)
    classes = identical_classes(problem) if symmetry else []
    add_symmetry_breaking(model, classes, tasks)
    levels = objective_levels(tasks, earliest if finish_bounds else None)
    return PlanModel(problem=problem, model=model, tasks=tasks, levels=levels, classes=classes)
