"""The forecast written onto a plan result: chances and dates per milestone, lateness and criticality per issue."""

from __future__ import annotations

import math
import time
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from api_schemas.request import ForecastOptions, PlanRequest
from api_schemas.result import (
    DateShare,
    ForecastSpread,
    ForecastSummary,
    IssuePlan,
    MilestoneDistribution,
    MilestonePlan,
    PlanResult,
    SolveStatus,
    SpreadSource,
)
from solver.calendars.working_time import TeamCalendar
from solver.forecast.durations import Spread, spread_of
from solver.forecast.policy import MilestoneRef, Policy, build_policy
from solver.forecast.simulation import MAX_HORIZON_DAYS, SpreadTooWide, Tallies, simulate

#: The fixed quantiles every milestone reports (the chosen confidence is reported besides).
QUANTILES = {"p50": 0.5, "p85": 0.85, "p95": 0.95}
#: Fewer history records than this make a rough spread; the forecast says so.
FEW_HISTORY_RECORDS = 10
#: Decimals of the reported chances and shares.
_DECIMALS = 4
POLICY = (
    "Each owner keeps the plan's order of work; an issue starts as soon as its owner is free and its dependencies "
    "(with their lags) are done, never before the plan start, its not-before date or its pinned date; work runs in "
    "the owner's working windows. Nothing is re-planned within a sample."
)


def quantile_day(counts: NDArray[np.int64], share: float) -> int:
    """The first day by which at least `share` of the samples have finished."""
    needed = max(1, math.ceil(share * int(counts.sum()) - 1e-9))
    return int(np.searchsorted(np.cumsum(counts), needed))


def _spread_summary(request: PlanRequest, options: ForecastOptions, spread: Spread) -> ForecastSpread:
    own = int(np.sum(spread.own))
    common = {
        "distribution": "triangular (low, likely, high)",
        "issues_with_own_range": own,
        "issues_with_team_spread": int(spread.own.size) - own,
    }
    if spread.ratios.size:
        p10, p50, p90 = (round(float(v), 3) for v in np.quantile(spread.ratios, [0.1, 0.5, 0.9]))
        return ForecastSpread(
            source=SpreadSource.HISTORY,
            history_records=int(spread.ratios.size),
            ratio_p10=p10,
            ratio_p50=p50,
            ratio_p90=p90,
            **common,
        )
    return ForecastSpread(
        source=SpreadSource.DEFAULT, low=options.default_range.low, high=options.default_range.high, **common
    )


def _notes(request: PlanRequest, result: PlanResult, spread: Spread) -> list[str]:
    notes = []
    if spread.ratios.size and spread.ratios.size < FEW_HISTORY_RECORDS:
        notes.append(
            f"The history has only {spread.ratios.size} record(s): the spread drawn from it is rough; "
            f"{FEW_HISTORY_RECORDS} or more give a steadier forecast."
        )
    if any(w.code == "dependency_on_unplanned" for w in result.warnings):
        notes.append("Dependencies on issues without an estimate are not simulated, as in the plan.")
    if any(p.work_hours is None for p in request.issues):
        notes.append("Issues without an estimate are in no forecast: estimate them to see their effect.")
    return notes


def _milestone_fields(
    milestone: MilestonePlan, ref: MilestoneRef, counts: NDArray[np.int64], tallies: Tallies, options: ForecastOptions,
    start: date, team: TeamCalendar,
) -> tuple[MilestonePlan, MilestoneDistribution | None]:
    if not ref.members:
        return milestone, None
    day = {name: start + timedelta(days=quantile_day(counts, share)) for name, share in QUANTILES.items()}
    finish = start + timedelta(days=quantile_day(counts, options.confidence))
    update: dict[str, object] = {**day, "forecast_finish": finish}
    if ref.due is not None and ref.due_day is not None:
        on_time = int(counts[: ref.due_day + 1].sum()) if ref.due_day >= 0 else 0
        update["p_on_time"] = round(on_time / tallies.samples, _DECIMALS)
        update["forecast_extension_working_days"] = team.lateness_working_days(ref.due, finish)
    shares = [
        DateShare(date=start + timedelta(days=int(d)), share=round(int(counts[d]) / tallies.samples, 6))
        for d in np.flatnonzero(counts)
    ]
    return milestone.model_copy(update=update), MilestoneDistribution(id=ref.id, finish_dates=shares)


def _issue_fields(issues: list[IssuePlan], policy: Policy, tallies: Tallies) -> list[IssuePlan]:
    position = {issue.issue.id: index for index, issue in enumerate(policy.issues)}
    updated = []
    for plan in issues:
        index = position.get(plan.id)
        if index is None:
            updated.append(plan)
            continue
        issue = policy.issues[index]
        update: dict[str, object] = {}
        if issue.deadline_day is not None:
            update["p_late"] = round(int(tallies.late[index]) / tallies.samples, _DECIMALS)
        if issue.milestone >= 0:
            update["criticality"] = round(int(tallies.critical[index]) / tallies.samples, _DECIMALS)
        updated.append(plan.model_copy(update=update))
    return updated


def with_forecast(request: PlanRequest, result: PlanResult, options: ForecastOptions | None = None) -> PlanResult:
    """`result` (a checked plan of `request`) with its forecast; unchanged when it has no plan to forecast.

    `options` defaults to the request's `options.forecast`, else the documented defaults.
    """
    if result.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return result
    started = time.monotonic()
    options = options or request.options.forecast or ForecastOptions()
    policy = build_policy(request, result)
    spread = spread_of([issue.issue for issue in policy.issues], options, request.history)
    try:
        tallies = simulate(policy, spread, options.samples, options.seed)
    except SpreadTooWide:
        note = (
            f"A sampled run of this plan went on past {MAX_HORIZON_DAYS:,} days, so nothing is forecast: the spread "
            "is too wide for this plan (narrow the ranges or check the history)."
        )
        return result.model_copy(update={"forecast": _summary(request, result, options, spread, [], [note], started)})
    milestones, distributions = [], []
    by_id = {ref.id: (index, ref) for index, ref in enumerate(policy.milestones)}
    for milestone in result.milestones:
        index, ref = by_id[milestone.id]
        updated, distribution = _milestone_fields(
            milestone, ref, tallies.milestone_days[index], tallies, options, policy.start, policy.team
        )
        milestones.append(updated)
        if distribution is not None:
            distributions.append(distribution)
    summary = _summary(request, result, options, spread, distributions, [], started)
    return result.model_copy(
        update={
            "milestones": milestones,
            "issues": _issue_fields(result.issues, policy, tallies),
            "forecast": summary,
        }
    )


def _summary(
    request: PlanRequest, result: PlanResult, options: ForecastOptions, spread: Spread,
    distributions: list[MilestoneDistribution], notes: list[str], started: float,
) -> ForecastSummary:
    return ForecastSummary(
        samples=options.samples,
        confidence=options.confidence,
        seed=options.seed,
        spread=_spread_summary(request, options, spread),
        policy=POLICY,
        milestones=distributions,
        notes=[*notes, *_notes(request, result, spread)],
        seconds=round(time.monotonic() - started, 3),
    )
