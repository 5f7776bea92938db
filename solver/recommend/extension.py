"""Minimal extension: the earliest date by which a target's whole scope is done, every commitment kept.

Model: the plan's model, every other milestone and deadline held to its commitment (see `targets`), and a
day variable no earlier than the finish of each of the target's issues; minimising it gives the date. The
date is then verified by re-planning the request with the new due date; when that plan still misses it,
the next working days are tried (and the answer is not claimed minimal).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from api_schemas.recommendations import Extension
from api_schemas.result import PlanResult
from solver.model import build_model
from solver.recommend.budget import Budget
from solver.recommend.context import Context
from solver.recommend.replan import meets, other_moves, plan_meets, replan, with_due
from solver.recommend.solving import add_finish_limits, finish_day_variable, solve
from solver.recommend.targets import Target, commitments, planned_finish
from solver.recommend.words import short_of_time

#: Dates tried by re-planning, starting with the optimiser's answer; a miss moves on to the next working day
#: or to the re-planned finish, whichever is later.
MAX_TRIES = 4


def earliest_finish(
    context: Context, target: Target, budget: Budget, keep_commitments: bool
) -> tuple[date, bool] | None:
    """Earliest finish date of the target's scope and whether it is proven (None when none found in time).

    With `keep_commitments` every other milestone and deadline keeps its commitment; without, only the
    request's hard rules hold (the earliest possible finish if the target went first).
    """
    problem = context.problem
    index_of = {task.issue.id: task.index for task in problem.tasks}
    scope = [index_of[issue_id] for issue_id in target.issue_ids if issue_id in index_of]
    if not scope or not budget.affords():
        return None
    plan_model = build_model(problem)
    if keep_commitments:
        add_finish_limits(plan_model, commitments(context.request, context.result, {target.key}))
    finish = finish_day_variable(plan_model, scope, "target_finish")
    plan_model.hint(context.schedule)
    plan_model.model.minimize(finish)
    solved = solve(plan_model.model, budget)
    if not solved.found:
        return None
    return problem.date_of(solved.solver.value(finish)), solved.proven


def _working_days_to(context: Context, after: date, last: date) -> list[date]:
    """Team working days after `after` and before `last`, then `last` itself (empty when `last` is not later)."""
    if last <= after:
        return []
    return [*context.problem.team.working_days_after(after, last - timedelta(days=1)), last]


def _extension_by_replanning(context: Context, target: Target, budget: Budget) -> Extension | None:
    """The earliest date a re-plan meets, by bisection between the due date and the plan's finish (over 50 issues).

    The plan's own finish is met without a re-plan (`plan_meets`); each earlier date halves the working days
    left to try. Not claimed minimal: a re-plan that misses a date does not prove that no plan meets it.
    """
    planned = target.planned_finish
    if planned is None or not plan_meets(context, target, planned):
        return None
    days = _working_days_to(context, target.due, planned)
    if not days:
        return None
    low, high = -1, len(days) - 1  # days[low] (the due date at -1) missed, days[high] met
    met: PlanResult | None = None
    missed: list[str] = []
    while high - low > 1:
        fraction = budget.replan_fraction(1 / max(math.ceil(math.log2(high - low)), 1))
        if fraction is None:
            break
        middle = (low + high) // 2
        request = with_due(context.request, [(target, days[middle])])
        result = replan(context, request, budget, fraction)
        if result is None:
            break
        if meets(request, result, [(target, days[middle])]):
            high, met = middle, result
        else:
            low = middle
            missed.append(days[middle].isoformat())
    new_date = days[high]
    note = "the earliest date a re-plan met" if met is not None else "the plan's own finish"
    if missed:
        note += f" (it missed {', '.join(sorted(missed))})"
    if high - low > 1:
        note += "; " + short_of_time("earlier dates were not all tried")
    return Extension(
        new_date=new_date,
        working_days=context.problem.team.lateness_working_days(target.due, new_date),
        calendar_days=max((new_date - target.due).days, 0),
        proven_minimal=False,
        verified=True,
        other_moves=other_moves(context, met, {target.key}) if met is not None else [],
        note=note,
    )


def compute_extension(context: Context, target: Target, budget: Budget) -> tuple[Extension | None, str | None]:
    """The extension of `target`, verified by re-planning; or None and the reason it is missing."""
    if budget.by_replanning:
        extension = _extension_by_replanning(context, target, budget)
        return extension, None if extension is not None else short_of_time("no extension was found")
    found = earliest_finish(context, target, budget.part(0.5), keep_commitments=True)
    if found is None:
        if target.planned_finish is None:
            return None, short_of_time("no extension was found")
        found = (target.planned_finish, False)  # the plan itself keeps every commitment
    best, proven = found
    team = context.problem.team
    candidate = best if best > target.due else target.due + timedelta(days=1)
    verified, result, tried = False, None, []
    for attempt in range(MAX_TRIES):
        request = with_due(context.request, [(target, candidate)])
        result = replan(context, request, budget, 1 / (MAX_TRIES - attempt))
        if result is None:
            break
        if meets(request, result, [(target, candidate)]):
            verified = True
            break
        tried.append(candidate.isoformat())
        replanned = planned_finish(result, target.kind, target.id)
        candidate = max(team.nth_working_day_after(candidate, 1), replanned or candidate)
    note = None
    if not verified:
        candidate = best if best > target.due else target.due + timedelta(days=1)
        if not tried and target.planned_finish is not None and plan_meets(context, target, target.planned_finish):
            # No time to re-plan: the plan itself meets its own finish date.
            candidate, verified = max(candidate, target.planned_finish), True
            note = None if candidate == best else short_of_time("earlier dates could not be re-planned")
        else:
            note = (
                f"re-planning with {', '.join(tried)} still missed it"
                if tried
                else short_of_time("re-planning with this date could not be completed")
            )
    elif tried:
        note = f"re-planning missed {', '.join(tried)}; {candidate.isoformat()} is the first date it met"
    return Extension(
        new_date=candidate,
        working_days=team.lateness_working_days(target.due, candidate),
        calendar_days=max((candidate - target.due).days, 0),
        proven_minimal=proven and verified and candidate == best,
        verified=verified,
        other_moves=other_moves(context, result, {target.key}) if verified else [],
        note=note,
    ), None
