"""Cross-field problems of the living-plan fields: `in_progress`, `freeze_until` and `baseline` (docs/model.md)."""

from __future__ import annotations

from api_schemas.problems import Problem
from api_schemas.request import PlanRequest
from api_schemas.result import IssueStatus

#: Days from the plan start within which baseline starts must lie (the solver's horizon cap; a start further off is
#: no plan to keep, and measuring a shift to it would walk that many days).
BASELINE_REACH_DAYS = 3650


def living_plan_problems(request: PlanRequest) -> list[Problem]:
    """In-progress issues nobody can continue, or dated against it; a freeze without a baseline."""
    problems: list[Problem] = []
    if request.freeze_until is not None and request.baseline is None:
        problems.append(
            Problem(
                loc=["freeze_until"],
                code="freeze_without_baseline",
                message="freeze_until keeps placements of the previous plan: give that plan as `baseline`.",
            )
        )
    for position, plan in enumerate(request.baseline or []):
        if plan.start is not None and abs((plan.start.date() - request.start_date).days) > BASELINE_REACH_DAYS:
            problems.append(
                Problem(
                    loc=["baseline", position, "start"],
                    code="baseline_out_of_reach",
                    message=f"The baseline places {plan.id} on {plan.start.date()}, more than "
                    f"{BASELINE_REACH_DAYS // 365} years from the plan start: give a recent plan as baseline.",
                    ids=[plan.id],
                )
            )
    owners = {owner.id: owner for owner in request.owners}
    earlier = {
        plan.id: plan.owner
        for plan in request.baseline or []
        if plan.status is IssueStatus.PLANNED and plan.owner is not None
    }
    work = {issue.id: issue.work_hours for issue in request.issues}
    for position, issue in enumerate(request.issues):
        if not issue.in_progress or not issue.work_hours:
            continue
        loc: list[str | int] = ["issues", position, "in_progress"]
        owner_id = issue.pinned_owner or earlier.get(issue.id)
        if owner_id is None:
            problems.append(
                Problem(
                    loc=loc,
                    code="in_progress_without_owner",
                    message=f"Issue {issue.id} is in progress but nobody is known to be working on it: set its "
                    "pinned_owner, or give the previous plan as `baseline`.",
                    ids=[issue.id],
                )
            )
        elif owner_id not in owners or not set(issue.skills) <= set(owners[owner_id].skills):
            problems.append(
                Problem(
                    loc=loc,
                    code="in_progress_owner_unavailable",
                    message=f"Issue {issue.id} is in progress with {owner_id}, who is no longer in the team or lacks "
                    "its skills: set pinned_owner to who continues it.",
                    ids=[issue.id, owner_id],
                )
            )
        if issue.pinned_start is not None or (issue.not_before is not None and issue.not_before > request.start_date):
            problems.append(
                Problem(
                    loc=loc,
                    code="in_progress_dated",
                    message=f"Issue {issue.id} is in progress, so it continues at the plan start: remove its "
                    "pinned_start or later not_before.",
                    ids=[issue.id],
                )
            )
        waiting = [d.issue for d in issue.depends_on if work.get(d.issue)]
        if waiting:
            problems.append(
                Problem(
                    loc=loc,
                    code="in_progress_waiting",
                    message=f"Issue {issue.id} is in progress but depends on {', '.join(waiting)}, which still has "
                    "work left: mark that done (remaining_hours 0) or remove the dependency.",
                    ids=[issue.id, *waiting],
                )
            )
    return problems
