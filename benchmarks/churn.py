"""Churn after one change: how many issues a re-plan moves that the change did not touch, with and without baseline.

The changes are the ones a team meets week to week: an estimate +50 %, a new P1 issue, a milestone due a week
earlier, an owner away for three working days, an issue done early. Each is applied to the same base plan's request
and re-planned twice with the same time limit: cold (from scratch, as before living plans) and with the base plan
as `baseline` (default stability ranking). Per change: the issues whose owner or start differ from the base plan
beyond those the change touches directly (the changed issue; the milestone's issues; the away owner's issues on
those days), the lateness levels of both re-plans, and their times. Target (docs/benchmarks.md): median 0 unrelated
changes with a baseline, and never worse lateness than the cold re-plan. Both re-plans also report the time to
their first checked plan (on XL the target: under 10 s with a baseline, as without).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from api_schemas.common import Priority
from api_schemas.request import Issue, PlanRequest
from api_schemas.result import PlanResult
from benchmarks.evaluation import compare, violations_of
from benchmarks.instances import InstanceSpec
from solver.planner import PlanProgress, plan

#: A change: the changed request, its label and the issues it touches directly (None: nothing to change).
Change = Callable[[PlanRequest, PlanResult, random.Random], tuple[PlanRequest, str, set[str]] | None]


def _replace_issue(request: PlanRequest, issue_id: str, **update: Any) -> PlanRequest:
    issues = [issue.model_copy(update=update) if issue.id == issue_id else issue for issue in request.issues]
    return request.model_copy(update={"issues": issues})


def estimate_up(request: PlanRequest, _: PlanResult, rng: random.Random) -> tuple[PlanRequest, str, set[str]] | None:
    """One estimated issue takes half as long again."""
    candidates = [i for i in request.issues if i.estimate_hours and i.remaining_hours is None]
    if not candidates:
        return None
    chosen = rng.choice(candidates)
    hours = round((chosen.estimate_hours or 0) * 1.5 * 4) / 4
    return _replace_issue(request, chosen.id, estimate_hours=hours), f"{chosen.id} estimate +50%", {chosen.id}


def new_issue(request: PlanRequest, _: PlanResult, rng: random.Random) -> tuple[PlanRequest, str, set[str]] | None:
    """A new P1 issue of 4-8 h, like an existing issue in skills and milestone."""
    if not request.issues:
        return None
    model = rng.choice(request.issues)
    issue = Issue(id=f"new-{rng.randrange(10**6)}", estimate_hours=rng.choice([4, 6, 8]), priority=Priority.P1,
                  milestone=model.milestone, skills=model.skills)
    return request.model_copy(update={"issues": [*request.issues, issue]}), f"new P1 issue {issue.id}", {issue.id}


def due_earlier(request: PlanRequest, _: PlanResult, rng: random.Random) -> tuple[PlanRequest, str, set[str]] | None:
    """One milestone due a week earlier; its issues are touched directly."""
    candidates = [m for m in request.milestones if m.due is not None]
    if not candidates:
        return None
    chosen = rng.choice(candidates)
    assert chosen.due is not None
    milestones = [
        m.model_copy(update={"due": chosen.due - timedelta(days=7)}) if m.id == chosen.id else m
        for m in request.milestones
    ]
    touched = {issue.id for issue in request.issues if issue.milestone == chosen.id}
    return request.model_copy(update={"milestones": milestones}), f"{chosen.id} due a week earlier", touched


def owner_away(request: PlanRequest, base: PlanResult, rng: random.Random) -> tuple[PlanRequest, str, set[str]] | None:
    """An owner with planned work away for three working days in the first two weeks; their work then is touched."""
    busy = sorted({issue.owner for issue in base.issues if issue.owner is not None})
    if not busy:
        return None
    owner_id = rng.choice(busy)
    worked = sorted({slot.date for issue in base.issues if issue.owner == owner_id for slot in issue.slots})
    early = [day for day in worked if day < request.start_date + timedelta(days=14)] or worked
    first = rng.randrange(max(len(early) - 2, 1))
    away = set(early[first : first + 3])
    owners = [
        o.model_copy(update={"days_off": sorted({*o.days_off, *away})}) if o.id == owner_id else o
        for o in request.owners
    ]
    touched = {i.id for i in base.issues if i.owner == owner_id and any(s.date in away for s in i.slots)}
    return request.model_copy(update={"owners": owners}), f"{owner_id} away 3 days", touched


def done_early(request: PlanRequest, base: PlanResult, rng: random.Random) -> tuple[PlanRequest, str, set[str]] | None:
    """A planned issue that nothing waits for is done before the re-plan."""
    needed = {d.issue for issue in request.issues for d in issue.depends_on}
    candidates = [i.id for i in base.issues if i.owner is not None and i.id not in needed]
    if not candidates:
        return None
    chosen = rng.choice(candidates)
    return _replace_issue(request, chosen, remaining_hours=0), f"{chosen} done early", {chosen}


CHANGES: tuple[Change, ...] = (estimate_up, new_issue, due_earlier, owner_away, done_early)


def _places(result: PlanResult) -> dict[str, tuple[object, object]]:
    return {issue.id: (issue.owner, issue.start) for issue in result.issues if issue.owner is not None}


def unrelated_changes(base: PlanResult, after: PlanResult, touched: set[str]) -> list[str]:
    """Issues planned in both plans whose owner or start differ, the directly touched ones aside."""
    before, now = _places(base), _places(after)
    return sorted(i for i in before.keys() & now.keys() if before[i] != now[i] and i not in touched)


def _lateness(result: PlanResult) -> list[int]:
    return [stage.value for stage in result.objective if " lateness " in stage.name + " "]


def _timed(request: PlanRequest) -> tuple[PlanResult, float, float]:
    """The plan, its wall seconds and the seconds to its first checked plan.

    The first checked plan is the first plan the search hands out (its start, on a large backlog) once the
    checker has passed it (`PlanProgress.best_plan`, counted in), or the returned plan when none came earlier.
    """
    started = time.monotonic()
    first: list[float] = []

    def on_progress(step: PlanProgress) -> None:
        if not first and step.best_plan is not None:
            step.best_plan()
            first.append(time.monotonic() - started)

    result = plan(request, with_recommendations=False, on_progress=on_progress)
    wall = time.monotonic() - started
    return result, round(wall, 3), round(first[0] if first else wall, 3)


def run_churn(spec: InstanceSpec, count: int) -> dict[str, Any]:
    """Plan the instance, then `count` seeded single changes, each re-planned cold and with the base as baseline."""
    request = spec.request()
    base, base_s, _ = _timed(request)
    rows: list[dict[str, Any]] = []
    rng = random.Random(spec.seed)
    for position in range(count):
        change = CHANGES[position % len(CHANGES)](request, base, random.Random(rng.randrange(1 << 30)))
        if change is None:
            continue
        changed, label, touched = change
        cold, cold_s, cold_first_s = _timed(changed)
        warm, warm_s, warm_first_s = _timed(changed.model_copy(update={"baseline": base.issues}))
        verdict = compare(_lateness(warm), _lateness(cold))
        rows.append({
            "change": label,
            "touched": len(touched),
            "unrelated_cold": len(unrelated_changes(base, cold, touched)),
            "unrelated_baseline": len(unrelated_changes(base, warm, touched)),
            "lateness_cold": _lateness(cold),
            "lateness_baseline": _lateness(warm),
            "lateness_vs_cold": {-1: "better", 0: "equal", 1: "worse"}[verdict],
            "cold_s": cold_s,
            "baseline_s": warm_s,
            "first_plan_cold_s": cold_first_s,
            "first_plan_baseline_s": warm_first_s,
            "status": f"cold {cold.status.value}, baseline {warm.status.value}",
            "violations": len(violations_of(changed, cold))
            + len(violations_of(changed.model_copy(update={"baseline": base.issues}), warm)),
        })
    return {
        "planner": "capplan-churn", "instance": spec.as_dict(), "status": f"{len(rows)} changes",
        "base_s": base_s, "changes": rows,
        "median_unrelated_cold": _median([r["unrelated_cold"] for r in rows]),
        "median_unrelated_baseline": _median([r["unrelated_baseline"] for r in rows]),
        "lateness_worse_than_cold": sum(r["lateness_vs_cold"] == "worse" for r in rows),
    }


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None
