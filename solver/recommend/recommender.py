"""Recommendations for a plan: every missed milestone and deadline gets its alternatives, reasons and summary.

Targets are handled most important first, each with an equal share of the time left (time one does not
use goes to the next). A late target gets an extension, a scope cut (milestones only) and capacity; an
overdue one its earliest possible finish; every one the reasons it is missed. An infeasible request gets
every independent conflict found instead, each with the changes that would remove it.
"""

from __future__ import annotations

import time

from api_schemas.recommendations import (
    Extension,
    Recommendations,
    TargetKind,
    TargetRecommendation,
    TargetStatus,
)
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult, SolveStatus
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule
from solver.recommend.budget import Budget
from solver.recommend.capacity import compute_capacity
from solver.recommend.chain import Earliest, earliest_schedule
from solver.recommend.context import Context, Planning
from solver.recommend.explain import CapacityTable, explain
from solver.recommend.extension import compute_extension
from solver.recommend.infeasibility import explain_infeasibility
from solver.recommend.interaction import compute_interaction
from solver.recommend.overdue import compute_overdue
from solver.recommend.scope_cut import compute_scope_cut
from solver.recommend.summary import conflict_lines, target_line
from solver.recommend.targets import Target, find_targets
from solver.recommend.words import SHORT_OF_TIME, short_of_time

#: Targets that get solver-computed alternatives; the others get their reasons only.
MAX_SOLVED_TARGETS = 10


def _late(context: Context, target: Target, budget: Budget) -> tuple[TargetRecommendation, list[str]]:
    """Extension, scope cut (milestones) and capacity of a late target."""
    notes: list[str] = []
    extension, note = compute_extension(context, target, budget.part(0.25))
    notes += [f"extension: {note}"] if note else []
    cut = None
    if target.kind == TargetKind.MILESTONE:
        cut, note = compute_scope_cut(context, target, budget.part(0.4))
        notes += [f"scope cut: {note}"] if note else []
    capacity = compute_capacity(context, target, budget)
    recommendation = _base(target, [])
    return recommendation.model_copy(update={"extension": extension, "scope_cut": cut, "capacity": capacity}), notes


def _base(target: Target, notes: list[str]) -> TargetRecommendation:
    return TargetRecommendation(
        key=target.key,
        kind=target.kind,
        id=target.id,
        name=target.name,
        status=target.status,
        due=target.due,
        planned_finish=target.planned_finish,
        lateness_working_days=target.lateness_working_days,
        lateness_calendar_days=target.lateness_calendar_days,
        work_hours=target.work_hours,
        summary="",
        notes=notes,
    )


def _for_target(
    context: Context, target: Target, earliest: list[Earliest], capacity: CapacityTable, budget: Budget | None
) -> TargetRecommendation:
    """Everything about one target; with no budget, only its reasons."""
    notes: list[str] = []
    recommendation = _base(target, notes)
    if budget is None:
        notes.append(short_of_time(f"only the {MAX_SOLVED_TARGETS} most important targets get alternatives"))
    elif target.status == TargetStatus.OVERDUE:
        recommendation.overdue = compute_overdue(context, target, budget)
    else:
        recommendation, late_notes = _late(context, target, budget)
        notes += late_notes
    if budget is not None and budget.exhausted:
        notes.append(short_of_time("not everything could be computed") + ": raise options.time_limit_s")
    recommendation.why = explain(context, target, earliest, capacity)
    recommendation.notes = notes
    recommendation.summary = target_line(recommendation, target.label)
    return recommendation


def _complete(recommendations: list[TargetRecommendation]) -> bool:
    """True when every value is proven minimal and verified."""
    for r in recommendations:
        short = [note for note in r.notes if SHORT_OF_TIME in note]
        if short or (r.capacity is not None and r.capacity.note and SHORT_OF_TIME in r.capacity.note):
            return False
        if r.extension is not None and not (r.extension.proven_minimal and r.extension.verified):
            return False
        if r.scope_cut is not None and not (r.scope_cut.proven and r.scope_cut.verified):
            return False
        capacity = r.capacity
        if capacity is not None:
            owners, hours = capacity.extra_owners, capacity.extra_hours
            if owners is not None and not (owners.proven_minimal and owners.verified):
                return False
            if hours is not None and not (hours.proven_minimal and hours.verified):
                return False
        if r.overdue is not None and not r.overdue.earliest_finish_proven:
            return False
    return True


def recommend(
    request: PlanRequest,
    problem: PreparedProblem,
    schedule: Schedule | None,
    result: PlanResult,
    planning: Planning,
    seconds: float,
    model_cost: float = 0.0,
    replan_cost: float | None = None,
) -> Recommendations:
    """Recommendations for `result`, the plan of `request`, computed within `seconds`.

    `model_cost` is how long preparing and building the plan's model took: no model is started without
    that much time left. `replan_cost` is how long the plan took before it searched (None: `model_cost`), the
    least a re-plan needs.
    """
    started = time.monotonic()
    budget = Budget.of(request.options, seconds, len(problem.tasks), model_cost, replan_cost)
    if result.status == SolveStatus.INFEASIBLE:
        infeasibility = explain_infeasibility(problem, budget)
        return Recommendations(
            infeasibility=infeasibility,
            summary=conflict_lines(infeasibility),
            complete=infeasibility.smallest and (infeasibility.complete or not infeasibility.sets),
            seconds=round(time.monotonic() - started, 3),
        )
    if schedule is None:
        return Recommendations(
            summary=["No plan was found within the time budget, so there is nothing to recommend yet."],
            complete=False,
            seconds=round(time.monotonic() - started, 3),
        )
    context = Context(request, problem, schedule, result, planning)
    targets = find_targets(request, result)
    earliest = earliest_schedule(problem)
    capacity = CapacityTable(problem)
    solved = targets[:MAX_SOLVED_TARGETS]
    slipping = sum(1 for t in solved if t.status == TargetStatus.LATE)
    shares = len(solved) + (1 if slipping >= 2 else 0)
    recommendations = []
    for position, target in enumerate(targets):
        part = budget.part(1 / max(shares - position, 1)) if position < len(solved) else None
        recommendations.append(_for_target(context, target, earliest, capacity, part))
    extended: list[tuple[Target, Extension]] = [
        (t, r.extension) for t, r in zip(solved, recommendations, strict=False) if r.extension is not None
    ]
    interaction = compute_interaction(context, extended, budget)
    summary = [r.summary for r in recommendations] or ["Every milestone and deadline is met."]
    if interaction is not None:
        summary.append(interaction.message)
    notes = []
    if len(extended) >= 2 and interaction is None:
        notes.append(short_of_time("how the extensions interact could not be decided"))
    complete = (
        _complete(recommendations)
        and not notes
        and (interaction is None or (interaction.proven and interaction.verified))
    )
    return Recommendations(
        targets=recommendations,
        interaction=interaction,
        summary=summary,
        complete=complete,
        seconds=round(time.monotonic() - started, 3),
        notes=notes,
    )
