"""How the extensions of several slipping targets interact: whether they can all be granted at once.

One solve asks whether every slipping target can finish by its own extended date at the same time (every
other commitment kept). If so the extensions are independent. If not, extending one takes capacity another
needs, and the dates that work together are found by minimising the sum of the finish days.
"""

from __future__ import annotations

from datetime import date

from api_schemas.recommendations import Extension, ExtensionInteraction, JointExtension
from solver.model import build_model
from solver.model.build import PlanModel
from solver.recommend.budget import Budget
from solver.recommend.context import Context
from solver.recommend.replan import meets, replan, with_due
from solver.recommend.solving import add_finish_limits, finish_by, finish_day_variable, solve
from solver.recommend.targets import Target, commitments
from solver.recommend.words import count


def _base(context: Context, targets: list[Target]) -> tuple[PlanModel, list[list[int]]]:
    """The plan's model with every other commitment kept, and the task indices of each target."""
    plan_model = build_model(context.problem)
    add_finish_limits(plan_model, commitments(context.request, context.result, {t.key for t in targets}))
    index_of = {task.issue.id: task.index for task in context.problem.tasks}
    scopes = [[index_of[i] for i in target.issue_ids if i in index_of] for target in targets]
    plan_model.hint(context.schedule)
    return plan_model, scopes


def _joint_dates(context: Context, targets: list[Target], budget: Budget) -> tuple[list[date], bool] | None:
    """Dates that work together, minimising the sum of finish days; None when none found in time."""
    plan_model, scopes = _base(context, targets)
    days = [finish_day_variable(plan_model, scope, f"finish_{n}") for n, scope in enumerate(scopes)]
    plan_model.model.minimize(sum(days))
    solved = solve(plan_model.model, budget)
    if not solved.found:
        return None
    found = [context.problem.date_of(solved.solver.value(day)) for day in days]
    dates = [max(day, target.due) for day, target in zip(found, targets, strict=True)]
    return dates, solved.proven


def compute_interaction(
    context: Context, extended: list[tuple[Target, Extension]], budget: Budget
) -> ExtensionInteraction | None:
    """Whether the extensions can be granted together, and which dates can when they cannot."""
    if len(extended) < 2:
        return None
    if budget.by_replanning:
        return _together_by_replanning(context, extended, budget)
    if not budget.affords(2):
        return None
    targets = [target for target, _ in extended]
    plan_model, scopes = _base(context, targets)
    for scope, (_, extension) in zip(scopes, extended, strict=True):
        finish_by(plan_model, scope, extension.new_date)
    together = solve(plan_model.model, budget.part(0.4))
    labels = [target.label for target in targets]
    if together.found:
        dates, proven, independent = [extension.new_date for _, extension in extended], True, True
    elif together.infeasible:
        joint = _joint_dates(context, targets, budget.part(0.5))
        if joint is None:
            return None
        dates, proven = joint
        independent = False
    else:
        return None
    team = context.problem.team
    moves = list(zip(targets, dates, strict=True))
    request = with_due(context.request, moves)
    verified = meets(request, replan(context, request, budget), moves)
    if independent:
        message = f"The extensions of {', '.join(labels)} can be granted together: none takes capacity another needs."
    else:
        message = (
            "Extended together they need "
            + ", ".join(
                f"{t.label} {d.isoformat()} (+{count(team.lateness_working_days(t.due, d), 'working day')})"
                for t, d in moves
            )
            + ": extending one takes capacity another needs."
        )
    return ExtensionInteraction(
        keys=[t.key for t in targets],
        independent=independent,
        joint=[
            JointExtension(key=t.key, new_date=d, working_days=team.lateness_working_days(t.due, d)) for t, d in moves
        ],
        proven=proven,
        verified=verified,
        message=message,
    )


def _together_by_replanning(
    context: Context, extended: list[tuple[Target, Extension]], budget: Budget
) -> ExtensionInteraction | None:
    """Over 50 issues: one re-plan with every extension granted; None (undecided) when it misses one of them.

    A miss does not prove that the extensions conflict, so only "they can be granted together" is ever claimed.
    """
    moves = [(target, extension.new_date) for target, extension in extended]
    request = with_due(context.request, moves)
    if not meets(request, replan(context, request, budget), moves):
        return None
    labels = [target.label for target, _ in extended]
    team = context.problem.team
    return ExtensionInteraction(
        keys=[target.key for target, _ in extended],
        independent=True,
        joint=[
            JointExtension(key=t.key, new_date=d, working_days=team.lateness_working_days(t.due, d)) for t, d in moves
        ],
        proven=False,
        verified=True,
        message=f"The extensions of {', '.join(labels)} can be granted together: one re-plan met every new date.",
    )
