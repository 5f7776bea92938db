"""The independent schedule checker: every rule of docs/model.md, re-checked on a returned plan.

Written from docs/model.md alone, with its own calendar and time arithmetic; it must never import the
planning model, so a mistake there cannot hide from it. An empty list of violations means a valid plan.

Rule codes: coverage, owner, slot_grid, before_start, horizon, working_day, capacity, overlap, dependency,
not_before, pinned_start, pinned_owner, skills, hard_deadline, pieces, in_progress, frozen, reported_value, objective,
and calendar
(the request's country has no holiday calendar, so its holidays could not be applied).
"""

from __future__ import annotations

from collections.abc import Callable

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from checker.baseline_rules import check_frozen, check_in_progress
from checker.constraint_rules import check_constraints
from checker.context import CheckContext, build_context
from checker.issue_values import check_issue_values
from checker.milestone_values import check_milestone_values
from checker.objective_rules import check_objective
from checker.piece_rules import check_pieces
from checker.schedule_rules import (
    check_capacity,
    check_coverage,
    check_overlap,
    check_owners,
    check_slots,
)
from checker.violation import Violation

__all__ = ["RULES", "Violation", "assert_valid", "check_schedule"]

#: Every rule code a violation can carry, in the order docs/model.md lists the rules.
RULES: tuple[str, ...] = (
    "coverage", "owner", "slot_grid", "before_start", "horizon", "working_day", "capacity", "overlap", "dependency",
    "not_before", "pinned_start", "pinned_owner", "skills", "hard_deadline", "pieces", "in_progress", "frozen",
    "reported_value", "objective", "calendar",
)

#: Rule groups in the order docs/model.md lists them.
RULE_GROUPS: tuple[Callable[[CheckContext], list[Violation]], ...] = (
    check_coverage,
    check_owners,
    check_slots,
    check_capacity,
    check_overlap,
    check_constraints,
    check_pieces,
    check_in_progress,
    check_frozen,
    check_issue_values,
    check_milestone_values,
    check_objective,
)


def check_schedule(request: PlanRequest, result: PlanResult) -> list[Violation]:
    """Every violation of the rules of a valid schedule in `result` for `request` (empty when valid)."""
    context = build_context(request, result)
    violations: list[Violation] = []
    if context.calendar.country_error is not None:
        violations.append(Violation("calendar", context.calendar.country_error, []))
    for rule_group in RULE_GROUPS:
        violations.extend(rule_group(context))
    return violations


def assert_valid(request: PlanRequest, result: PlanResult) -> None:
    """Raise AssertionError listing every violation when the result is not a valid schedule for the request."""
    violations = check_schedule(request, result)
    if violations:
        listing = "\n".join(f"  - {violation}" for violation in violations)
        raise AssertionError(f"{len(violations)} schedule violation(s):\n{listing}")
