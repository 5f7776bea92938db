"""The stability levels as CP-SAT expressions: how far a plan moves each task from its baseline place.

docs/model.md, "Living plans": per task with a baseline place, reassigned (another owner), moved (another start
instant) and the start shift (the owner's working quarter hours between the baseline start and the new start).
Baseline owners may be pooled: the model's reassigned counts a task off its baseline owner's resource (a lower
bound), and the plan's value is counted on the owners its pools' work is split onto (`solver.prepared.members`).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.model.variables import TaskVars
from solver.prepared.baseline import exact_unit, units_before


def disruption_terms(tv: TaskVars) -> tuple[cp_model.LinearExprT, cp_model.LinearExprT, cp_model.LinearExprT]:
    """(reassigned, moved, shift) of one task; zeros without a baseline place.

    reassigned = 1 - [the resource holding the baseline owner chosen] (at most the plan's value: a pool's owners
    are chosen after solving); moved = 1 - [some resource r chosen with start = the unit that starts exactly at the
    baseline instant on r's clock]; shift >= |start - b_r| on the chosen r, where b_r counts r's working quarter
    hours before the baseline start (exact at the optimum, as the level minimises it). A pool's owners share one
    calendar, so moved and shift do not depend on which of them does the work.
    """
    task, model, problem = tv.task, tv.model, tv.problem
    place = task.baseline
    if place is None:
        return 0, 0, 0
    kept_owner = [tv.chosen[r] for r in task.resources if place.owner in problem.resources[r].owner_ids]
    reassigned: cp_model.LinearExprT = 1 - sum(kept_owner) if kept_owner else 1
    same_start = []
    choices = []
    for resource, chosen in tv.chosen.items():
        start = tv.stretches[problem.resources[resource].clock].start
        group = problem.resources[resource]
        baseline_unit = units_before(problem, group.clock, group.owner_ids[0], place.instant)
        choices.append((resource, chosen, start, baseline_unit))
    most = max(max(abs(unit - _lowest(start)), abs(_highest(start) - unit)) for _, _, start, unit in choices)
    shift = model.new_int_var(0, most, f"{tv.name}_shift")
    for resource, chosen, start, baseline_unit in choices:
        lowest, highest = _lowest(start), _highest(start)
        model.add(shift >= start - baseline_unit).only_enforce_if(chosen)
        model.add(shift >= baseline_unit - start).only_enforce_if(chosen)
        unit = exact_unit(problem, resource, place.instant)
        if unit is not None and lowest <= unit <= highest:
            same = model.new_bool_var(f"{tv.name}r{resource}_kept")
            model.add(start == unit).only_enforce_if(same)
            model.add_implication(same, chosen)
            same_start.append(same)
    moved: cp_model.LinearExprT = 1 - sum(same_start) if same_start else 1
    return reassigned, moved, shift


def _lowest(var: cp_model.IntVar) -> int:
    return int(var.proto.domain[0])


def _highest(var: cp_model.IntVar) -> int:
    domain = var.proto.domain  # a protobuf repeated field: no negative indices
    return int(domain[len(domain) - 1])
