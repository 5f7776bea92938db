"""The baseline (previous plan) on the solver's side: each task's earlier place, in-progress and frozen placements.

docs/model.md, "Living plans": a task with a baseline place is measured against it (reassigned, moved, start shift);
in-progress work continues at the plan start on its owner; baseline placements starting before `freeze_until` are
fixed as they were, except where they cannot be (each exception becomes a `freeze_exception` warning).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from api_schemas.common import UNITS_PER_DAY, UNITS_PER_HOUR
from api_schemas.request import PlanRequest
from api_schemas.result import IssuePlan, IssueStatus, PlanWarning
from solver.prepared.rules import released_after

if TYPE_CHECKING:
    from solver.prepared.problem import PreparedProblem, Task
    from solver.prepared.schedule import Placement


@dataclass(frozen=True)
class BaselinePlace:
    """Where an issue started in the baseline: its owner and start instant (quarter hours since the plan start)."""

    owner: str
    instant: int
    plan: IssuePlan


def instant_of(start: date, moment: datetime) -> int:
    """Quarter hours from the plan start (`start` 00:00) to `moment` (negative before it)."""
    delta = moment - datetime(start.year, start.month, start.day)
    return int(delta.total_seconds() // 900)


def baseline_places(request: PlanRequest) -> dict[str, BaselinePlace]:
    """The baseline's placed issues by id: planned, with an owner and a start (the first entry of an id wins)."""
    places: dict[str, BaselinePlace] = {}
    for plan in request.baseline or []:
        if plan.status is IssueStatus.PLANNED and plan.owner is not None and plan.start is not None:
            places.setdefault(plan.id, BaselinePlace(plan.owner, instant_of(request.start_date, plan.start), plan))
    return places


def baseline_owners(request: PlanRequest) -> set[str]:
    """Owners with baseline work: kept out of pools where the full model proves the levels (exact reassigned)."""
    return {place.owner for place in baseline_places(request).values()}


def fixed_owners(request: PlanRequest) -> set[str]:
    """Owners who may get fixed work (in progress, or frozen: a baseline start before `freeze_until`).

    They stay out of pools: fixed work holds its one owner, which a pool could not promise (a pooled schedule may
    leave no owner free beside a fixed placement on each side). Other baseline work may be pooled: its owner is
    preferred when the pool's work is split onto its owners (`solver.prepared.members`).
    """
    places = baseline_places(request)
    owners = {
        issue.pinned_owner or places[issue.id].owner
        for issue in request.issues
        if issue.in_progress and (issue.pinned_owner or issue.id in places)
    }
    if request.freeze_until is not None:
        until = instant_of(request.start_date, request.freeze_until)
        owners |= {place.owner for place in places.values() if place.instant < until}
    return owners


def units_before(problem: PreparedProblem, clock_index: int, owner: str, instant: int) -> int:
    """Working quarter hours of `owner` (on clock `clock_index`) from the plan start up to `instant` (0 before it).

    Within the horizon this is the position of `instant` on the owner's clock; past it the owner's calendar
    is walked on, so a baseline start beyond the horizon still counts its true distance.
    """
    if instant <= 0:
        return 0
    clock = problem.clocks[clock_index]
    day = instant // UNITS_PER_DAY
    if day < problem.horizon_days:
        return clock.first_unit_at_or_after(instant)
    calendar = problem.owner_calendars[owner]
    units = clock.total_units
    for past in range(problem.horizon_days, day):
        units += calendar.units_per_day if calendar.is_working(problem.date_of(past)) else 0
    if calendar.is_working(problem.date_of(day)):
        units += min(max(instant - day * UNITS_PER_DAY - calendar.window_start_units, 0), calendar.units_per_day)
    return units


def disruption(problem: PreparedProblem, task: Task, placement: Placement) -> tuple[int, int, int]:
    """(reassigned, moved, start shift) of a placed task against its baseline place; zeros without one."""
    place = task.baseline
    if place is None:
        return 0, 0, 0
    resource = problem.resources[placement.resource]
    owner = resource.owner_ids[placement.member]
    start_instant = problem.clocks[resource.clock].global_start(placement.start)
    shift = abs(placement.start - units_before(problem, resource.clock, owner, place.instant))
    return int(owner != place.owner), int(start_instant != place.instant), shift


def exact_unit(problem: PreparedProblem, resource: int, instant: int) -> int | None:
    """The local unit on `resource`'s clock that starts exactly at `instant`, or None (outside its working time)."""
    clock = problem.clocks[problem.resources[resource].clock]
    if instant < 0 or instant // UNITS_PER_DAY >= problem.horizon_days:
        return None
    unit = clock.first_unit_at_or_after(instant)
    if unit >= clock.total_units or clock.global_start(unit) != instant:
        return None
    return unit


def _resource_of(problem: PreparedProblem, owner: str) -> int | None:
    return next((r.index for r in problem.resources if owner in r.owner_ids), None)


def _stamp(problem: PreparedProblem, instant: int) -> str:
    day = problem.date_of(instant // UNITS_PER_DAY)
    minutes = (instant % UNITS_PER_DAY) * 15
    return f"{day.strftime('%a')} {day.isoformat()} {minutes // 60:02d}:{minutes % 60:02d}"


class _Fixing:
    """Fixed placements as they are decided: per resource the spans taken, and the warnings so far."""

    def __init__(self, problem: PreparedProblem) -> None:
        self.problem = problem
        self.taken: dict[int, list[tuple[int, int, str]]] = {}
        self.fixed: dict[int, tuple[int, int, str]] = {}
        self.warnings: list[PlanWarning] = []

    def overlap(self, resource: int, start: int, end: int) -> str | None:
        """The issue already fixed on `resource` that overlaps [start, end), if any."""
        return next((i for s, e, i in self.taken.get(resource, []) if s < end and start < e), None)

    def fix(self, task: Task, resource: int, start: int, why: str) -> None:
        self.fixed[task.index] = (resource, start, why)
        self.taken.setdefault(resource, []).append((start, start + task.work, task.issue.id))

    def warn(self, code: str, message: str, ids: list[str]) -> None:
        self.warnings.append(PlanWarning(code=code, message=message, ids=ids))


def _fix_in_progress(fixing: _Fixing, places: dict[str, BaselinePlace]) -> None:
    """In-progress work runs first on its owner, back to back from the owner's first working quarter hour."""
    problem = fixing.problem
    queues: dict[str, list[Task]] = {}
    for task in problem.tasks:
        if task.issue.in_progress:
            owner = task.issue.pinned_owner or places[task.issue.id].owner
            queues.setdefault(owner, []).append(task)
    for owner, queue in queues.items():
        resource = _resource_of(problem, owner)
        if resource is None:
            continue  # refused by validation
        clock = problem.clocks[problem.resources[resource].clock]
        queue.sort(key=lambda t: (places[t.issue.id].instant if t.issue.id in places else 1 << 40, t.index))
        unit = 0
        for position, task in enumerate(queue):
            fixing.fix(task, resource, unit, "in_progress")
            if unit >= clock.total_units:
                break
            begins = clock.global_start(unit)
            if position:
                fixing.warn(
                    "in_progress_queued",
                    f"{task.issue.id} is in progress on {owner} after {queue[position - 1].issue.id}: it continues "
                    f"when that is done, {_stamp(problem, begins)}.",
                    [task.issue.id, owner],
                )
            elif begins // UNITS_PER_DAY > 0 or begins % UNITS_PER_DAY > clock.window_start:
                fixing.warn(
                    "in_progress_resumes_later",
                    f"{task.issue.id} is in progress but {owner} does not work on {problem.start.isoformat()}: it "
                    f"resumes on their next working day, {_stamp(problem, begins)}.",
                    [task.issue.id, owner],
                )
            unit += task.work


def _freeze_refusal(problem: PreparedProblem, task: Task | None, place: BaselinePlace) -> tuple[int, int] | str:
    """(resource, unit) where a frozen placement stays, or why it cannot stay as it was."""
    if task is None:
        return "it is no longer in the request with work left (removed, done or without an estimate)"
    if task.issue.in_progress:
        return "it is in progress, which places it at the plan start"
    if round(place.plan.hours * UNITS_PER_HOUR) != task.work:
        return f"its hours changed from {place.plan.hours:g} h to {task.work / UNITS_PER_HOUR:g} h"
    if place.instant < 0:
        return "it started before this plan's start (mark it in progress to keep it going)"
    resource = _resource_of(problem, place.owner)
    if resource is None or resource not in task.resources:
        return f"{place.owner} is no longer in the team or can no longer do it (skills or pinned owner)"
    unit = exact_unit(problem, resource, place.instant)
    clock = problem.clocks[problem.resources[resource].clock]
    if unit is None or unit + task.work > clock.total_units:
        return f"{place.owner} no longer works at {_stamp(problem, place.instant)}"
    pieces = [
        (problem.date_of(day), offset, length) for day, offset, length in clock.pieces(unit, unit + task.work)
    ]
    slots = [
        (s.date, s.start.hour * UNITS_PER_HOUR + s.start.minute // 15, round(s.hours * UNITS_PER_HOUR))
        for s in place.plan.slots
    ]
    if pieces != slots:
        if _in_working_time(problem, place.owner, slots):
            return (
                "it was split into pieces in the baseline, and frozen work is kept only as one unbroken run from its "
                "start (its slots would change)"
            )
        return f"{place.owner}'s working time changed (days off, hours or calendar) over its slots"
    start_day = place.instant // UNITS_PER_DAY
    end_day = clock.end_day(unit + task.work)
    if task.release > place.instant or (task.pinned_day is not None and task.pinned_day != start_day):
        return "its not-before or pinned start date no longer allows it"
    if task.hard_deadline_day is not None and end_day > task.hard_deadline_day:
        return "it would miss its hard deadline"
    return resource, unit


def _in_working_time(problem: PreparedProblem, owner: str, slots: list[tuple[date, int, int]]) -> bool:
    """Whether every (date, clock time, length) slot lies in `owner`'s working time now."""
    calendar = problem.owner_calendars[owner]
    window = range(calendar.window_start_units, calendar.window_start_units + calendar.units_per_day + 1)
    return all(
        calendar.is_working(day) and start in window and start + length in window for day, start, length in slots
    )


def _waits_for(fixing: _Fixing, task: Task, resource: int, unit: int) -> str | None:
    """Why `task` cannot stay fixed at `unit` for a predecessor's sake (None: each one is fixed and done in time).

    A fixed start holds only if every planned predecessor is fixed too (frozen earlier in the baseline's order, or
    in progress) and released by then: a predecessor that moves (its hours changed, say) may end later.
    """
    problem = fixing.problem
    start = problem.clocks[problem.resources[resource].clock].global_start(unit)
    for pred, lag in task.preds:
        name = problem.tasks[pred].issue.id
        if pred not in fixing.fixed:
            return f"it waits for {name}, which is not kept where it was"
        pred_resource, pred_unit, _ = fixing.fixed[pred]
        clock = problem.clocks[problem.resources[pred_resource].clock]
        end_unit = pred_unit + problem.tasks[pred].work
        if end_unit > clock.total_units:
            return f"it waits for {name}, which now ends past the horizon"
        if released_after(problem, clock.global_end(end_unit), clock.end_day(end_unit), lag) > start:
            return f"it would start before {name} is done" + (f" and {lag} working day(s) have passed" if lag else "")
    return None


def _fix_frozen(fixing: _Fixing, places: dict[str, BaselinePlace], until: int) -> None:
    """Baseline placements starting before `until` stay as they were, unless `_freeze_refusal` says why not."""
    problem = fixing.problem
    task_of = {task.issue.id: task for task in problem.tasks}
    for issue_id, place in sorted(places.items(), key=lambda item: (item[1].instant, item[0])):
        if place.instant >= until:
            continue
        task = task_of.get(issue_id)
        kept = _freeze_refusal(problem, task, place)
        if isinstance(kept, tuple) and task is not None:
            resource, unit = kept
            other = fixing.overlap(resource, unit, unit + task.work)
            waiting = _waits_for(fixing, task, resource, unit)
            if other is None and waiting is None:
                fixing.fix(task, resource, unit, "frozen")
                continue
            kept = waiting or f"it overlaps {other}, which is in progress or frozen on {place.owner}"
        fixing.warn(
            "freeze_exception",
            f"{issue_id} started before freeze_until in the baseline but is not kept as it was: {kept}.",
            [issue_id],
        )


def with_baseline(problem: PreparedProblem) -> PreparedProblem:
    """The problem with each task's baseline place and the fixed placements (in progress, frozen) applied."""
    request = problem.request
    places = baseline_places(request)
    if not places and not any(task.issue.in_progress for task in problem.tasks):
        return problem
    fixing = _Fixing(problem)
    _fix_in_progress(fixing, places)
    if request.freeze_until is not None:
        _fix_frozen(fixing, places, instant_of(request.start_date, request.freeze_until))
    tasks = []
    for task in problem.tasks:
        changed = replace(task, baseline=places.get(task.issue.id))
        if task.index in fixing.fixed:
            resource, unit, why = fixing.fixed[task.index]
            # A fixed placement is one run as it was: it is not split into pieces.
            pieces = replace(changed.pieces, most=1, shortest=changed.work)
            changed = replace(changed, resources=(resource,), fixed_start=unit, fixed_reason=why, pieces=pieces)
        tasks.append(replace(changed, baseline_floor=_floor(problem, changed)))
    return replace(problem, tasks=tasks, warnings=[*problem.warnings, *fixing.warnings])


def disruption_floor(problem: PreparedProblem, task: Task) -> tuple[int, int, int]:
    """The least (reassigned, moved, shift) any plan can give `task`, as `with_baseline` found it (`_floor`).

    Narrower copies of the task (fewer candidates, a neighbourhood) keep it: still a lower bound.
    """
    return task.baseline_floor


def _floor(problem: PreparedProblem, task: Task) -> tuple[int, int, int]:
    """The least (reassigned, moved, shift) any plan can give `task` (a fixed task's own; else what is ruled out).

    Ruled out: the baseline owner when no candidate, the baseline start when no candidate can start exactly then.
    """
    from solver.prepared.schedule import Placement  # the schedule module imports this one's problem module

    place = task.baseline
    if place is None:
        return 0, 0, 0
    if task.fixed_start is not None:
        return disruption(problem, task, Placement(task.resources[0], 0, task.fixed_start))
    owners = {owner for r in task.resources for owner in problem.resources[r].owner_ids}
    kept = any(exact_unit(problem, r, place.instant) is not None for r in task.resources)
    return int(place.owner not in owners), int(not kept), 0
