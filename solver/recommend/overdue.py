"""Overdue targets: due before the plan starts, so only their earliest possible finish can be promised."""

from __future__ import annotations

from datetime import date, timedelta

from api_schemas.common import Priority
from api_schemas.recommendations import Overdue
from checker.schedule_checker import check_schedule
from solver.recommend.budget import Budget
from solver.recommend.context import Context
from solver.recommend.extension import earliest_finish
from solver.recommend.replan import replan, with_priority
from solver.recommend.targets import Target, planned_finish


def _earliest_by_replanning(context: Context, target: Target, budget: Budget) -> tuple[date, bool] | None:
    """Over 50 issues: the target's finish in a re-plan with its issues raised to P0 (or the plan's, if earlier).

    Its predecessors go early with it (the planner ranks a predecessor as urgent as what waits on it). Not
    claimed minimal: P0 work already in the backlog still competes with it.
    """
    planned = target.planned_finish
    request = with_priority(context.request, target.issue_ids, Priority.P0)
    result = replan(context, request, budget)
    replanned = planned_finish(result, target.kind, target.id) if result is not None else None
    if replanned is not None and result is not None and not check_schedule(request, result):
        return (replanned if planned is None else min(replanned, planned)), False
    return (planned, False) if planned is not None else None


def compute_overdue(context: Context, target: Target, budget: Budget) -> Overdue:
    """How long it has been overdue and the earliest it can finish if it goes before everything else."""
    start = context.request.start_date
    team = context.problem.team
    if budget.by_replanning:
        found = _earliest_by_replanning(context, target, budget)
    else:
        found = earliest_finish(context, target, budget, keep_commitments=False)
    return Overdue(
        due=target.due,
        calendar_days_overdue=max((start - target.due).days, 0),
        working_days_overdue=team.working_days_between(target.due, start - timedelta(days=1)),
        earliest_finish=found[0] if found else None,
        earliest_finish_proven=found[1] if found else False,
        planned_finish=target.planned_finish,
    )
