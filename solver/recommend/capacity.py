"""Minimal extra capacity that meets a target's current date with no cut and no extension.

Extra owners: identical new owners (team calendar, the team's most common hours per day) with the skill
set of each kind of the target's issues are added to the request, pooled per skill set, and the pool's
capacity becomes a variable to minimise. When the dependency chain alone, with unlimited owners, ends after
the due date, no number of owners can help and the chain is named instead.
Longer days: every owner who can do the target's work gets the same extra hours per day; the least extra
is found by bisection over quarter hours, each step a feasibility solve, and a quarter hour less is proven
not to meet the date. Both answers are verified by re-planning the changed request.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ortools.sat.python import cp_model

from api_schemas.common import UNITS_PER_HOUR
from api_schemas.recommendations import Capacity, ExtraHours, ExtraOwners, OwnerGroup
from api_schemas.request import Owner, PlanRequest
from solver.model import build_model
from solver.recommend.budget import Budget
from solver.recommend.chain import chain_behind, describe_chain, earliest_schedule
from solver.recommend.context import Context
from solver.recommend.replan import meets, replan, with_longer_days, with_owners
from solver.recommend.solving import add_finish_limits, finish_by, solve
from solver.recommend.targets import Target, commitments
from solver.recommend.words import count, short_of_time

#: Most extra owners of one skill set the search considers.
MAX_EXTRA_OWNERS = 20
#: Note when the current team can meet the date while keeping every other commitment.
NOT_NEEDED = (
    "no {what} are needed: the current team can meet it while every other milestone keeps its date; "
    "the plan ranks other work first"
)


@dataclass(frozen=True)
class _Group:
    """A kind of extra owner: a skill set and the ids of its candidates in the changed request."""

    skills: tuple[str, ...]
    owner_ids: tuple[str, ...]


def common_hours(request: PlanRequest) -> float:
    """The team's most common hours per day (the first listed among equally common ones)."""
    return Counter(owner.hours_per_day for owner in request.owners).most_common(1)[0][0]


def _fresh_ids(request: PlanRequest, how_many: int) -> list[str]:
    """`how_many` owner ids not used in the request: extra-1, extra-2, ..."""
    taken = {owner.id for owner in request.owners}
    ids: list[str] = []
    number = 1
    while len(ids) < how_many:
        candidate = f"extra-{number}"
        if candidate not in taken:
            ids.append(candidate)
        number += 1
    return ids


def _skill_sets(context: Context, target: Target) -> list[tuple[str, ...]]:
    """Distinct skill sets of the target's issues that a new owner could take (not pinned to an owner)."""
    issues = {issue.id: issue for issue in context.request.issues}
    sets = {tuple(sorted(set(issues[i].skills))) for i in target.issue_ids if issues[i].pinned_owner is None}
    return sorted(sets)


def _candidates(context: Context, target: Target, hours: float) -> tuple[PlanRequest, list[_Group]]:
    """The request with as many candidate owners per skill set as could be useful, and the groups."""
    request = context.request
    sets = _skill_sets(context, target)
    workable = [
        min(
            MAX_EXTRA_OWNERS,
            max(
                1,
                sum(
                    1
                    for issue in request.issues
                    if issue.work_hours and issue.pinned_owner is None and set(issue.skills) <= set(skills)
                ),
            ),
        )
        for skills in sets
    ]
    ids = iter(_fresh_ids(request, sum(workable)))
    groups = [
        _Group(skills, tuple(next(ids) for _ in range(size))) for skills, size in zip(sets, workable, strict=True)
    ]
    return with_owners(request, _added_owners([(group, len(group.owner_ids)) for group in groups], hours)), groups


def _extra_owners(
    context: Context, target: Target, budget: Budget, hours: float
) -> tuple[ExtraOwners | None, Capacity | None, str | None]:
    """The fewest extra owners; or a capacity answer saying owners cannot help; or a note."""
    groups_request, groups = _candidates(context, target, hours)
    if not groups:
        return None, None, "every issue of it is pinned to an owner, so new owners cannot take any of it"
    if not (budget.affords_replan() if budget.by_replanning else budget.affords(2)):
        return None, None, short_of_time("extra owners were not tried")
    problem, start = context.planning.prepare(groups_request)
    index_of = {task.issue.id: task.index for task in problem.tasks}
    scope = [index_of[i] for i in target.issue_ids if i in index_of]
    earliest = earliest_schedule(problem)
    chain = chain_behind(problem, earliest, scope)
    if chain and problem.date_of(earliest[chain[-1]].end_day) > target.due:
        return None, Capacity(owners_cannot_help=describe_chain(problem, earliest, chain, target.due)), None
    if budget.by_replanning:
        return _extra_owners_by_replanning(context, target, budget, hours, groups), None, None
    plan_model = build_model(problem)
    model = plan_model.model
    counts: list[tuple[_Group, cp_model.IntVar]] = []
    for group in groups:
        resource = next(r for r in problem.resources if group.owner_ids[0] in r.owner_ids)
        existing = resource.capacity - len(group.owner_ids)
        extra = model.new_int_var(0, len(group.owner_ids), f"extra_{resource.index}")
        intervals = [iv for tv in plan_model.tasks for iv in tv.resource_intervals(resource.index)]
        if intervals:
            model.add_cumulative(intervals, [1] * len(intervals), existing + extra)
        else:
            model.add(extra == 0)
        counts.append((group, extra))
    finish_by(plan_model, scope, target.due)
    add_finish_limits(plan_model, commitments(context.request, context.result, {target.key}))
    if start is not None:
        plan_model.hint(start)
    model.minimize(sum(extra for _, extra in counts))
    solved = solve(model, budget, 0.6)
    if not solved.found:
        if solved.infeasible:
            most = sum(len(group.owner_ids) for group in groups)
            return (
                None,
                None,
                (f"even {count(most, 'extra owner')} would not meet it while keeping the other commitments"),
            )
        return None, None, short_of_time("no number of extra owners was found")
    chosen = [(group, solved.solver.value(extra)) for group, extra in counts]
    if not any(n for _, n in chosen):
        return None, None, NOT_NEEDED.format(what="extra owners")
    owner_groups = [OwnerGroup(count=n, skills=list(group.skills), hours_per_day=hours) for group, n in chosen if n]
    added = _added_owners(chosen, hours)
    request = with_owners(context.request, added)
    verified = meets(request, replan(context, request, budget), [(target, target.due)])
    return (
        ExtraOwners(count=len(added), groups=owner_groups, proven_minimal=solved.proven, verified=verified),
        None,
        None,
    )


def _added_owners(counts: list[tuple[_Group, int]], hours: float) -> list[Owner]:
    """The first `n` candidate owners of each group (with the group's skills), for each (group, n)."""
    return [
        Owner(id=owner_id, name="extra owner", hours_per_day=hours, skills=list(group.skills))
        for group, n in counts
        for owner_id in group.owner_ids[:n]
    ]


def _extra_owners_by_replanning(
    context: Context, target: Target, budget: Budget, hours: float, groups: list[_Group]
) -> ExtraOwners | None:
    """The fewest owners per skill set that a re-plan meets the date with: doubling, then bisection (over 50 issues).

    Every skill set gets the same number; not claimed minimal (a re-plan that misses does not prove no plan can).
    """
    most = max(len(group.owner_ids) for group in groups)

    def met_with(per_group: int, share: float) -> bool | None:
        fraction = budget.replan_fraction(share)
        if fraction is None:
            return None
        request = with_owners(context.request, _added_owners([(group, per_group) for group in groups], hours))
        return meets(request, replan(context, request, budget, fraction), [(target, target.due)])

    low, high = 0, 1  # low: missed (or the plan as it is); high: the next count to try
    while True:
        verdict = met_with(high, 0.5)
        if verdict is None:
            return None
        if verdict:
            break
        if high == most:
            return None
        low, high = high, min(high * 2, most)
    while high - low > 1:
        middle = (low + high) // 2
        verdict = met_with(middle, 0.5)
        if verdict is None:
            break
        low, high = (low, middle) if verdict else (middle, high)
    added = _added_owners([(group, high) for group in groups], hours)
    owner_groups = [
        OwnerGroup(count=min(high, len(group.owner_ids)), skills=list(group.skills), hours_per_day=hours)
        for group in groups
    ]
    return ExtraOwners(count=len(added), groups=owner_groups, proven_minimal=False, verified=True)


def _workers(context: Context, target: Target) -> list[str]:
    """Owners who can do some of the target's issues and work less than 24 h a day."""
    problem = context.problem
    index_of = {task.issue.id: task.index for task in problem.tasks}
    owners: set[str] = set()
    for issue_id in target.issue_ids:
        if issue_id in index_of:
            for resource in problem.tasks[index_of[issue_id]].resources:
                owners.update(problem.resources[resource].owner_ids)
    return [o.id for o in context.request.owners if o.id in owners and o.hours_per_day < 24]


def _meets_with(context: Context, target: Target, owners: list[str], quarters: int, budget: Budget) -> bool | None:
    """Whether `quarters` extra quarter hours a day for `owners` can meet the date (None: not decided)."""
    request = with_longer_days(context.request, owners, quarters / UNITS_PER_HOUR)
    if budget.by_replanning:
        # A re-plan that meets the date decides "yes"; one that misses (or finds no time) decides nothing.
        return True if meets(request, replan(context, request, budget), [(target, target.due)]) else None
    if not budget.affords():
        return None
    problem, start = context.planning.prepare(request)
    index_of = {task.issue.id: task.index for task in problem.tasks}
    plan_model = build_model(problem)
    finish_by(plan_model, [index_of[i] for i in target.issue_ids if i in index_of], target.due)
    add_finish_limits(plan_model, commitments(context.request, context.result, {target.key}))
    if start is not None:
        plan_model.hint(start)
    solved = solve(plan_model.model, budget)
    return True if solved.found else False if solved.infeasible else None


def _extra_hours(context: Context, target: Target, budget: Budget) -> tuple[ExtraHours | None, str | None]:
    """The fewest extra hours a day that meet the date, by bisection; or None and why."""
    owners = _workers(context, target)
    if not owners:
        return None, "everyone who can do this work already works 24 h a day"
    if not (budget.affords_replan() if budget.by_replanning else budget.affords(3)):
        return None, short_of_time("longer days were not tried")
    hours = {o.id: o.hours_per_day for o in context.request.owners}
    most = max(round((24 - hours[o]) * UNITS_PER_HOUR) for o in owners)
    probes = 8
    verdict = _meets_with(context, target, owners, most, budget.part(1 / probes))
    if verdict is not True:
        return None, (
            "no extra hours a day meet it" if verdict is False else short_of_time("longer days could not be decided")
        )
    low, high, decided = 0, most, True  # low: known (or assumed) not to meet; high: meets
    while high - low > 1:
        probes = max(probes - 1, 2)
        middle = (low + high) // 2
        verdict = _meets_with(context, target, owners, middle, budget.part(1 / probes))
        if verdict is True:
            high = middle
        else:
            low, decided = middle, decided and verdict is False
    if low == 0 and high == 1:
        verdict = _meets_with(context, target, owners, 0, budget.part(0.5))
        if verdict is True:
            return None, NOT_NEEDED.format(what="extra hours")
        decided = decided and verdict is False
    extra = high / UNITS_PER_HOUR
    request = with_longer_days(context.request, owners, extra)
    # Over 50 issues the probe that decided `high` was itself a re-plan that met the date.
    verified = budget.by_replanning or meets(request, replan(context, request, budget), [(target, target.due)])
    return ExtraHours(hours_per_day=extra, owners=owners, proven_minimal=decided, verified=verified), None


def compute_capacity(context: Context, target: Target, budget: Budget) -> Capacity:
    """Extra owners (or why they cannot help) and longer days that meet the target's current date."""
    hours = common_hours(context.request)
    owners, cannot, owner_note = _extra_owners(context, target, budget.part(0.45), hours)
    extra_hours, hours_note = _extra_hours(context, target, budget)
    notes = [note for note in (owner_note, hours_note) if note]
    return Capacity(
        extra_owners=owners,
        owners_cannot_help=cannot.owners_cannot_help if cannot else None,
        extra_hours=extra_hours,
        note="; ".join(notes) or None,
    )
