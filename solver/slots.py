"""Slots for one new issue: where it could go and what each place would move (docs/model.md, "Slots").

The base plan (the request planned as it is, keeping its own baseline) becomes the baseline of a few re-plans that
add the new issue pinned to one candidate owner: once with stability first (it goes where nothing else moves, when
it can) and once with the default ranking (lateness first, so it may push others). Every option is such a re-plan,
so each has passed the independent checker. The service runs the re-plans on its pool; `find_slots` runs them here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api_schemas.changes import ChangeKind
from api_schemas.problems import Problem
from api_schemas.request import Issue, PlanRequest, Stability
from api_schemas.result import IssuePlan, IssueStatus, PlanResult, SolveStatus
from api_schemas.slots import SlotMove, SlotOption, SlotResponse
from solver.intake.errors import InvalidRequestError
from solver.intake.limits import DEFAULT_LIMITS, Limits
from solver.intake.validation import validate_request
from solver.planner import plan

#: Least time limit of one re-plan, in seconds, unless the request's own is shorter (below it the full model of a
#: small backlog is rarely proven).
MIN_REPLAN_SECONDS = 1.0


@dataclass(frozen=True)
class SlotCandidate:
    """One re-plan behind an option: the new issue on `owner`, with stability first or by the default ranking."""

    owner: str
    keep_first: bool
    request: PlanRequest


def with_new_issue(request: PlanRequest, issue: Issue) -> PlanRequest:
    """The request with the new issue appended."""
    return request.model_copy(update={"issues": [*request.issues, issue]})


def slot_problems(request: PlanRequest, issue: Issue, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Every problem of the request with the new issue, the new issue's fields named `issue.<field>`."""
    problems = []
    position = len(request.issues)
    if issue.work_hours is None or issue.work_hours <= 0:
        problems.append(
            Problem(
                loc=["issue", "estimate_hours"],
                code="slot_needs_estimate",
                message=f"The new issue {issue.id} needs an estimate (hours of work left) to find it a slot.",
                ids=[issue.id],
            )
        )
    for problem in validate_request(with_new_issue(request, issue), limits):
        loc = problem.loc
        if loc[:2] == ["issues", position]:
            problem = problem.model_copy(update={"loc": ["issue", *loc[2:]]})
        problems.append(problem)
    return problems


def candidate_owners(request: PlanRequest, issue: Issue, base: Sequence[IssuePlan], limit: int) -> list[str]:
    """Owners who may do the issue (skills, its pinned owner), the least loaded in the base plan first."""
    load: dict[str, float] = {}
    for plan_issue in base:
        if plan_issue.owner is not None:
            load[plan_issue.owner] = load.get(plan_issue.owner, 0.0) + plan_issue.hours
    eligible = [
        (load.get(owner.id, 0.0), position, owner.id)
        for position, owner in enumerate(request.owners)
        if set(issue.skills) <= set(owner.skills) and issue.pinned_owner in (None, owner.id)
    ]
    return [owner for _, _, owner in sorted(eligible)[:limit]]


def replan_seconds(limit_s: float, replans: int) -> float:
    """The time limit of each of `replans` re-plans of a slot search whose request allows `limit_s` seconds."""
    return max(limit_s / max(replans, 1), min(MIN_REPLAN_SECONDS, limit_s))


def most_owners(max_options: int, max_replans: int | None) -> int:
    """Owners tried: `max_options`, fewer when `max_replans` (what a pool admits at once) allows fewer (2 each)."""
    return max_options if max_replans is None else max(1, min(max_options, max_replans // 2))


def slot_requests(
    request: PlanRequest, issue: Issue, base: PlanResult, max_options: int, max_replans: int | None = None
) -> list[SlotCandidate]:
    """The re-plans to run: per candidate owner, stability first and the default ranking, on the base plan.

    Up to `max_options` owners, fewer when `max_replans` (what a service's pool admits at once) allows fewer.
    """
    owners = candidate_owners(request, issue, base.issues, most_owners(max_options, max_replans))
    seconds = replan_seconds(float(request.options.time_limit_s), 2 * len(owners))
    candidates = []
    for owner in owners:
        pinned = issue.model_copy(update={"pinned_owner": owner})
        for keep_first in (True, False):
            stability = Stability.FIRST if keep_first else Stability.AFTER_LATENESS
            options = request.options.model_copy(update={"stability": stability, "time_limit_s": seconds})
            replan = with_new_issue(request, pinned).model_copy(update={"baseline": base.issues, "options": options})
            candidates.append(SlotCandidate(owner, keep_first, replan))
    return candidates


def _option(issue: Issue, base: PlanResult, result: PlanResult) -> SlotOption | None:
    """The option a re-plan gives, or None when it has no plan."""
    if result.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) or result.changes is None:
        return None
    placed = next((i for i in result.issues if i.id == issue.id), None)
    if placed is None or placed.status is not IssueStatus.PLANNED or placed.owner is None:
        return None
    if placed.start is None or placed.finish is None:
        return None
    before = {i.id: i for i in base.issues}
    after = {i.id: i for i in result.issues}
    moves = []
    for change in result.changes.issues:
        if change.id == issue.id or change.kind not in (ChangeKind.MOVED, ChangeKind.REASSIGNED):
            continue
        old, new = before[change.id], after[change.id]
        moves.append(
            SlotMove(
                id=change.id,
                owner_before=old.owner,
                owner_after=new.owner,
                start_before=old.start,
                start_after=new.start,
                lateness_gained_working_days=max(new.lateness_working_days - old.lateness_working_days, 0),
            )
        )
    return SlotOption(
        owner=placed.owner,
        start=placed.start,
        finish=placed.finish,
        lateness_working_days=placed.lateness_working_days,
        fits_free_capacity=not moves,
        moves=moves,
        lateness_gained_working_days=sum(move.lateness_gained_working_days for move in moves),
        checked=result.checked,
    )


def slot_options(
    issue: Issue, base: PlanResult, results: Sequence[PlanResult], max_options: int
) -> SlotResponse:
    """The ranked options, one per owner and start (docs/model.md, "Slots").

    Those that fit in free capacity first, then by the new issue's lateness, the lateness others gain, how many
    move, and the finish.
    """
    options: dict[tuple[str, object], SlotOption] = {}
    for result in results:
        option = _option(issue, base, result)
        if option is not None:
            options.setdefault((option.owner, option.start), option)

    def rank(option: SlotOption) -> tuple[object, ...]:
        return (
            not option.fits_free_capacity,
            option.lateness_working_days,
            option.lateness_gained_working_days,
            len(option.moves),
            option.finish,
            option.owner,
        )

    ranked = sorted(options.values(), key=rank)[:max_options]
    message = None if ranked else f"No owner can take {issue.id} in a valid plan (skills, pins, hard deadlines)."
    return SlotResponse(issue=issue.id, options=ranked, message=message)


def find_slots(
    request: PlanRequest, issue: Issue, max_options: int = 3, limits: Limits = DEFAULT_LIMITS
) -> SlotResponse:
    """Plan the base, re-plan each candidate here, and rank the options; raises InvalidRequestError on bad input."""
    problems = slot_problems(request, issue, limits)
    if problems:
        raise InvalidRequestError(problems)
    base = plan(request, limits, with_recommendations=False, validated=True)
    candidates = slot_requests(request, issue, base, max_options)
    results = [
        plan(c.request, limits, with_recommendations=False, warm_start=base, validated=True) for c in candidates
    ]
    return slot_options(issue, base, results, max_options)
