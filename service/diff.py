"""Summaries of plans and the difference between a scenario's plan and the baseline's (pure functions).

Working-day moves are counted on the base request's team calendar (the solver's), passed in by the caller.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from api_schemas.result import IssuePlan, IssueStatus, MilestonePlan, PlanResult
from api_schemas.service import (
    IssueChange,
    ItemChange,
    MilestoneMove,
    MilestoneSummary,
    PlanSummary,
    RecommendationChanges,
    ScenarioDiff,
    StatusChange,
)
from solver.calendars.working_time import TeamCalendar

#: Fields that identify a recommendation when it has neither `key` nor `id`.
_RECOMMENDATION_KEY_FIELDS = ("kind", "code", "type", "action", "issue", "owner", "milestone", "ids")


def plan_summary(result: PlanResult) -> PlanSummary:
    """The headline numbers of a plan."""
    finishes = [issue.finish for issue in result.issues if issue.finish is not None]
    statuses = Counter(issue.status for issue in result.issues)
    return PlanSummary(
        status=result.status,
        gap=result.gap,
        objective=result.objective,
        solve_time_s=result.solve_time_s,
        planned_issues=statuses[IssueStatus.PLANNED],
        unplanned_issues=statuses[IssueStatus.UNPLANNED],
        done_issues=statuses[IssueStatus.DONE],
        unscheduled_issues=statuses[IssueStatus.UNSCHEDULED],
        late_issues=sum(issue.late for issue in result.issues),
        last_finish=max(finishes, default=None),
        milestones=[
            MilestoneSummary(
                id=m.id,
                due=m.due,
                projected_finish=m.projected_finish,
                status=m.status,
                lateness_working_days=m.lateness_working_days,
            )
            for m in result.milestones
        ],
        warnings=len(result.warnings),
    )


def diff_plans(baseline: PlanResult, scenario: PlanResult, team: TeamCalendar) -> ScenarioDiff:
    """How `scenario` differs from `baseline`: milestone moves, issue changes, lateness and status changes."""
    base_issues = {issue.id: issue for issue in baseline.issues}
    new_issues = {issue.id: issue for issue in scenario.issues}
    common = [issue_id for issue_id in base_issues if issue_id in new_issues]
    return ScenarioDiff(
        milestones_moved=_milestone_moves(baseline.milestones, scenario.milestones, team),
        issues_changed=[
            change for issue_id in common if (change := _issue_change(base_issues[issue_id], new_issues[issue_id]))
        ],
        issues_added=[issue_id for issue_id in new_issues if issue_id not in base_issues],
        issues_removed=[issue_id for issue_id in base_issues if issue_id not in new_issues],
        became_late=[i for i in common if new_issues[i].late and not base_issues[i].late],
        became_on_time=[i for i in common if base_issues[i].late and not new_issues[i].late],
        status_changes=_status_changes(baseline, scenario),
        recommendations=recommendation_changes(
            getattr(baseline, "recommendations", None), getattr(scenario, "recommendations", None)
        ),
    )


def _milestone_moves(
    before: list[MilestonePlan], after: list[MilestonePlan], team: TeamCalendar
) -> list[MilestoneMove]:
    """Milestones whose projected finish differs, in baseline order then the scenario's new ones."""
    old = {m.id: m.projected_finish for m in before}
    new = {m.id: m.projected_finish for m in after}
    moves = []
    for milestone_id in [*old, *(m for m in new if m not in old)]:
        was, now = old.get(milestone_id), new.get(milestone_id)
        if was == now:
            continue
        moves.append(
            MilestoneMove(
                id=milestone_id,
                before=was,
                after=now,
                working_days=team.signed_working_days(was, now) if was and now else None,
                calendar_days=(now - was).days if was and now else None,
            )
        )
    return moves


def _issue_change(before: IssuePlan, after: IssuePlan) -> IssueChange | None:
    """The owner and dates of an issue when any of them changed."""
    if (before.owner, before.start, before.finish) == (after.owner, after.start, after.finish):
        return None
    return IssueChange(
        id=before.id,
        owner_before=before.owner,
        owner_after=after.owner,
        start_before=before.start,
        start_after=after.start,
        finish_before=before.finish,
        finish_after=after.finish,
    )


def _status_changes(baseline: PlanResult, scenario: PlanResult) -> list[StatusChange]:
    """Changes of the solve status, of milestone statuses and of issue statuses."""
    changes = []
    if baseline.status != scenario.status:
        changes.append(StatusChange(kind="plan", before=baseline.status.value, after=scenario.status.value))
    new_milestones = {m.id: m.status for m in scenario.milestones}
    for milestone in baseline.milestones:
        now = new_milestones.get(milestone.id)
        if now is not None and now != milestone.status:
            changes.append(StatusChange(kind="milestone", id=milestone.id, before=milestone.status, after=now))
    new_issues = {issue.id: issue.status for issue in scenario.issues}
    for issue in baseline.issues:
        status = new_issues.get(issue.id)
        if status is not None and status != issue.status:
            changes.append(StatusChange(kind="issue", id=issue.id, before=issue.status, after=status))
    return changes


def recommendation_changes(before: object, after: object) -> RecommendationChanges | None:
    """Recommendations added, removed or changed between two plans; None when neither plan has any.

    Works on whatever shape recommendations take: a list of items, or a model whose list fields hold
    items (each list's items matched by their `key`/`id`) and whose object fields are items themselves.
    Plain text and numbers beside them (summaries, timings) are left out: they restate the items.
    """
    if before is None and after is None:
        return None
    old = _recommendation_items(before)
    new = _recommendation_items(after)
    return RecommendationChanges(
        added=[item for key, item in new.items() if key not in old],
        removed=[item for key, item in old.items() if key not in new],
        changed=[
            ItemChange(key=key, before=old[key], after=item)
            for key, item in new.items()
            if key in old and old[key] != item
        ],
    )


def _recommendation_items(value: object) -> dict[str, dict[str, Any]]:
    """The comparable items of a recommendations value, by key."""
    if value is None:
        return {}
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, dict):
        items: dict[str, dict[str, Any]] = {}
        for name, field_value in value.items():
            if isinstance(field_value, dict):
                items[name] = field_value
            elif isinstance(field_value, list) and field_value and all(isinstance(v, dict) for v in field_value):
                items.update({f"{name}:{key}": item for key, item in _keyed(field_value).items()})
        return items
    if isinstance(value, list | tuple):
        return _keyed(value)
    return {}


def _keyed(items: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Items as JSON objects by key; repeated keys get '#2', '#3' so none is lost."""
    keyed: dict[str, dict[str, Any]] = {}
    for item in items:
        data = item.model_dump(mode="json") if isinstance(item, BaseModel) else dict(item)
        key = _key_of(data)
        unique, count = key, 1
        while unique in keyed:
            count += 1
            unique = f"{key}#{count}"
        keyed[unique] = data
    return keyed


def _key_of(item: dict[str, Any]) -> str:
    """`key` or `id` when present, else the identifying fields it has, else the whole item."""
    for name in ("key", "id"):
        if isinstance(item.get(name), str | int):
            return str(item[name])
    identity = {name: item[name] for name in _RECOMMENDATION_KEY_FIELDS if name in item}
    return json.dumps(identity or item, sort_keys=True, default=str)
