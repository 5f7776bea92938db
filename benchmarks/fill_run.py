"""Splitting's gain on one plan: the plan made with splitting off, filled with pieces as splitting on fills it.

With splitting on, the plan in pieces is the unbroken twin's plan (the same search as with splitting off) filled
with pieces (docs/model.md, "Search"). Two runs of a search cut by a loaded machine's clock stop at different
points, so comparing them mixes splitting's gain with that noise; filling the very plan splitting off returned
measures the gain alone, and the filled plan is checked by the independent checker.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from api_schemas.common import UNITS_PER_DAY, UNITS_PER_HOUR
from api_schemas.result import PlanResult, SolveStatus
from benchmarks.instances import InstanceSpec
from checker.schedule_checker import check_schedule
from solver.bounds.schedule_levels import level_values, problem_levels
from solver.planner import plan, prepare_with_start
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Placement, Schedule
from solver.result import build_result
from solver.search.lexicographic import SearchOutcome
from solver.search.pieces import static_levels
from solver.starts.piece_fill import filled


def _instant(problem: PreparedProblem, moment: datetime) -> int:
    """Quarter hours from the plan's start to `moment`."""
    minutes = moment.hour * 60 + moment.minute
    return problem.day_index(moment.date()) * UNITS_PER_DAY + minutes * UNITS_PER_HOUR // 60


def _schedule_of(problem: PreparedProblem, result: PlanResult) -> Schedule:
    """The result's placements on `problem`'s owners (each owner its own resource in a problem in pieces)."""
    resource_of = {owner: resource.index for resource in problem.resources for owner in resource.owner_ids}
    by_id = {issue.id: issue for issue in result.issues}
    schedule: Schedule = {}
    for task in problem.tasks:
        issue = by_id[task.issue.id]
        assert issue.owner is not None and issue.start is not None
        resource = problem.resources[resource_of[issue.owner]]
        clock = problem.clocks[resource.clock]
        start = clock.first_unit_at_or_after(_instant(problem, issue.start))
        schedule[task.index] = Placement(resource.index, 0, start)
    return schedule


def run_fill(spec: InstanceSpec) -> dict[str, Any]:
    """Plan `spec` with splitting off, fill that plan in pieces, check it, and compare the level values."""
    off_request = replace(spec, splittable=False).request()
    off = plan(off_request, with_recommendations=False)
    on_request = replace(spec, splittable=True).request()
    problem, _ = prepare_with_start(on_request)
    before = _schedule_of(problem, off)
    started = time.monotonic()
    after = filled(problem, before)
    seconds = time.monotonic() - started
    result = build_result(problem, SearchOutcome(SolveStatus.FEASIBLE, after, static_levels(problem, after), seconds))
    violations = check_schedule(on_request, result)
    counts = [len(issue.pieces) for issue in result.issues if issue.slots]
    return {
        "levels": [level.name for level in problem_levels(problem)],
        "off": level_values(problem, before),
        "filled": level_values(problem, after),
        "fill_s": round(seconds, 3),
        "split_issues": sum(1 for count in counts if count > 1),
        "issues": len(counts),
        "violation_count": len(violations),
        "violations": [violation.message for violation in violations[:5]],
    }
