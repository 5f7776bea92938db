"""Extensions at a confidence: the forecast's date beside the exact-estimate extension, in the summary lines.

Reads the forecast already written onto the result (`solver.forecast`); re-plans nothing.
"""

from __future__ import annotations

from datetime import date

from api_schemas.recommendations import ConfidenceExtension, TargetKind
from api_schemas.result import MilestonePlan, MilestoneStatus, PlanResult
from solver.recommend.summary import on_time_line, target_line
from solver.recommend.targets import key_of


def _extension(milestone: MilestonePlan, confidence: float, exact: tuple[date, int] | None) -> ConfidenceExtension:
    assert milestone.due is not None and milestone.forecast_finish is not None and milestone.p_on_time is not None
    return ConfidenceExtension(
        key=key_of(TargetKind.MILESTONE, milestone.id),
        id=milestone.id,
        name=milestone.name,
        due=milestone.due,
        p_on_time=milestone.p_on_time,
        confidence=confidence,
        new_date=milestone.forecast_finish,
        working_days=milestone.forecast_extension_working_days or 0,
        calendar_days=max((milestone.forecast_finish - milestone.due).days, 0),
        exact_date=exact[0] if exact is not None else None,
        exact_working_days=exact[1] if exact is not None else None,
    )


def with_confidence(result: PlanResult) -> PlanResult:
    """`result` whose recommendations give, per milestone late at the forecast's confidence, the date to ask for.

    Unchanged without a forecast or recommendations, or for an infeasible request.
    """
    recommendations, forecast = result.recommendations, result.forecast
    if recommendations is None or forecast is None or recommendations.infeasibility is not None:
        return result
    targets = {target.key: target for target in recommendations.targets}
    extensions: list[ConfidenceExtension] = []
    replaced: dict[str, str] = {}
    added: list[str] = []
    for milestone in result.milestones:
        finish, due = milestone.forecast_finish, milestone.due
        if finish is None or due is None or milestone.p_on_time is None or milestone.status == MilestoneStatus.DONE:
            continue
        if finish <= due:
            continue
        target = targets.get(key_of(TargetKind.MILESTONE, milestone.id))
        exact: tuple[date, int] | None = None
        if target is not None and target.extension is not None:
            exact = (target.extension.new_date, target.extension.working_days)
        elif milestone.late and milestone.projected_finish is not None:
            exact = (milestone.projected_finish, milestone.lateness_working_days)
        extension = _extension(milestone, forecast.confidence, exact)
        extensions.append(extension)
        label = milestone.name or milestone.id
        if target is not None:
            line = target_line(target, label, extension)
            replaced[target.summary] = line
            targets[target.key] = target.model_copy(update={"summary": line})
        else:
            added.append(on_time_line(extension, label))
    summary = [replaced.get(line, line) for line in recommendations.summary]
    if added and summary == ["Every milestone and deadline is met."]:
        summary = []
    updated = recommendations.model_copy(
        update={
            "targets": [targets[target.key] for target in recommendations.targets],
            "confidence_extensions": extensions,
            "summary": summary + added,
        }
    )
    return result.model_copy(update={"recommendations": updated})
