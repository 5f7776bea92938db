"""The lexicographic objective of docs/model.md, recomputed from the slots, and what OPTIMAL promises.

Rule code: objective.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from api_schemas.common import Priority
from api_schemas.result import LevelKind, ObjectiveLevelId, ObjectiveStage, PlanForm, SolveStatus
from checker.baseline_rules import disruption_totals, stability_first
from checker.context import CheckContext
from checker.piece_rules import piece_count
from checker.timeline import UNITS_PER_DAY, IssueSpan
from checker.violation import Violation


@dataclass(frozen=True)
class ExpectedStage:
    """One objective level the result must report: which level it is and its value from the slots."""

    id: ObjectiveLevelId
    value: int


def _team_time(context: CheckContext, span: IssueSpan) -> int:
    """Finish in team time: 96 per team working day before the finish date, plus the clock time on a team day."""
    start = context.request.start_date
    days_before = sum(
        context.calendar.is_team_working_day(start + timedelta(days=offset))
        for offset in range((span.finish_date - start).days)
    )
    on_team_day = context.calendar.is_team_working_day(span.finish_date)
    return UNITS_PER_DAY * days_before + (span.finish_clock if on_team_day else 0)


def expected_stages(context: CheckContext) -> list[ExpectedStage]:
    """Lateness then finish levels for priorities that have planned issues; then pieces when the form is pieces.

    With a baseline, the stability levels (reassigned, moved, shift) come after the lateness levels, or first.
    """
    planned = context.planned_issues()
    priorities = sorted({issue.priority for issue in planned}, key=lambda priority: priority.rank)
    lateness: dict[Priority, int] = dict.fromkeys(priorities, 0)
    finish: dict[Priority, int] = dict.fromkeys(priorities, 0)
    for issue in planned:
        span = context.spans.get(issue.id)
        if span is None:
            continue
        lateness[issue.priority] += context.calendar.lateness(span.finish_date, context.deadline_of(issue)).working_days
        finish[issue.priority] += _team_time(context, span)
    late = [ExpectedStage(ObjectiveLevelId(LevelKind.LATENESS, p), lateness[p]) for p in priorities]
    finishes = [ExpectedStage(ObjectiveLevelId(LevelKind.FINISH, p), finish[p]) for p in priorities]
    if context.result.form is PlanForm.PIECES:
        finishes.append(ExpectedStage(ObjectiveLevelId(LevelKind.PIECES), piece_count(context)))
    totals = disruption_totals(context)
    if totals is None:
        return late + finishes
    kinds = (LevelKind.REASSIGNED, LevelKind.MOVED, LevelKind.SHIFT)
    stable = [ExpectedStage(ObjectiveLevelId(kind), value) for kind, value in zip(kinds, totals, strict=True)]
    return stable + late + finishes if stability_first(context) else late + stable + finishes


def _stage_consistency(context: CheckContext) -> list[Violation]:
    """Each stage's proof flag matches value == bound, its bound is no better than its value; OPTIMAL is proven."""
    found: list[Violation] = []
    for stage in context.result.objective:
        if stage.proven != (stage.value == stage.bound):
            found.append(
                Violation(
                    "objective",
                    f"Objective stage '{stage.name}' says proven={stage.proven} with value {stage.value} "
                    f"and bound {stage.bound}; proven means value equals bound.",
                    [],
                )
            )
        if stage.bound > stage.value:
            found.append(
                Violation(
                    "objective",
                    f"Objective stage '{stage.name}' has bound {stage.bound} above its value {stage.value}, "
                    "which is impossible when minimising.",
                    [],
                )
            )
    if context.result.status == SolveStatus.OPTIMAL:
        unproven = [stage.name for stage in context.result.objective if stage.value != stage.bound]
        if unproven:
            found.append(
                Violation(
                    "objective",
                    f"The result is OPTIMAL but stage(s) {', '.join(repr(n) for n in unproven)} are not proven.",
                    [],
                )
            )
        if context.result.gap != 0:
            found.append(Violation("objective", f"The result is OPTIMAL but reports gap {context.result.gap:g}.", []))
    return found


def _match(stage: ObjectiveStage, expected: list[ExpectedStage]) -> ExpectedStage | None:
    """Find the expected level a reported stage names, by the level its name identifies."""
    level = ObjectiveLevelId.parse(stage.name)
    return next((wanted for wanted in expected if wanted.id == level), None)


def check_objective(context: CheckContext) -> list[Violation]:
    """Check the reported stages are exactly the expected levels, in order, with the values the slots give."""
    found = _stage_consistency(context)
    if not context.has_schedule:
        return found
    expected = expected_stages(context)
    matched: list[ObjectiveLevelId] = []
    for stage in context.result.objective:
        level = _match(stage, expected)
        if level is None:
            found.append(
                Violation("objective", f"Objective stage '{stage.name}' is not a level of this plan's objective.", [])
            )
            continue
        if level.id in matched:
            found.append(Violation("objective", f"Objective level '{level.id.label}' is reported twice.", []))
            continue
        matched.append(level.id)
        if stage.value != level.value:
            found.append(
                Violation(
                    "objective",
                    f"Objective stage '{stage.name}' reports {stage.value} but the schedule gives {level.value}.",
                    [],
                )
            )
    for level in expected:
        if level.id not in matched:
            found.append(
                Violation(
                    "objective",
                    f"Objective level '{level.id.label}' (value {level.value}) is missing from the result.",
                    [],
                )
            )
    order = [level.id for level in expected if level.id in matched]
    if matched != order:
        reported, wanted = [level.label for level in matched], [level.label for level in order]
        found.append(
            Violation(
                "objective",
                f"Objective stages are reported in the order {reported}; the lexicographic order is {wanted}.",
                [],
            )
        )
    return found
