"""Overdue targets: due before the plan starts, so only their earliest possible finish can be promised."""

from __future__ import annotations

from datetime import timedelta

from api_schemas.recommendations import Overdue
from solver.recommend.budget import Budget
from solver.recommend.context import Context
from solver.recommend.extension import earliest_finish
from solver.recommend.targets import Target


def compute_overdue(context: Context, target: Target, budget: Budget) -> Overdue:
    """How long it has been overdue and the earliest it can finish if it goes before everything else."""
    start = context.request.start_date
    team = context.problem.team
    found = earliest_finish(context, target, budget, keep_commitments=False)
    return Overdue(
        due=target.due,
        calendar_days_overdue=max((start - target.due).days, 0),
        working_days_overdue=team.working_days_between(target.due, start - timedelta(days=1)),
        earliest_finish=found[0] if found else None,
        earliest_finish_proven=found[1] if found else False,
        planned_finish=target.planned_finish,
    )
