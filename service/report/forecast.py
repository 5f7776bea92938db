"""The Forecast section of the week plan: chances, P50/P85/P95 dates and extensions per milestone, risk drivers.

Read from the forecast the plan carries (docs/forecast.md); nothing is simulated here.
"""

from __future__ import annotations

from api_schemas.recommendations import ConfidenceExtension
from api_schemas.result import ForecastSummary, IssueStatus, MilestonePlan, SpreadSource
from service.report import formatting as fmt
from service.report.document import Block, Bullets, Heading, Paragraph, Table
from service.report.plan_view import PlanView
from solver.recommend.summary import chance_words

#: Issues listed as the risk's drivers, most critical first.
DRIVERS = 10
#: An issue counts as a driver when it decides its milestone's finish in at least this share of the samples.
DRIVER_CRITICALITY = 0.1


def _spread_sentence(forecast: ForecastSummary) -> str:
    spread = forecast.spread
    their = "its" if spread.issues_with_own_range == 1 else "their"
    own = (
        f"{fmt.plural(spread.issues_with_own_range, 'issue')} with {their} "
        "own low and high estimates (triangular between them, peaking at the estimate)"
    )
    if spread.source == SpreadSource.HISTORY:
        named = (("P10", spread.ratio_p10), ("median", spread.ratio_p50), ("P90", spread.ratio_p90))
        ratios = [f"{name} {value:g} x" for name, value in named if value is not None]
        team = (
            f"{fmt.plural(spread.issues_with_team_spread, 'issue')} drawn from the team's history: the "
            f"actual/estimate ratios of {fmt.plural(spread.history_records, 'finished issue')}"
            + (f" ({', '.join(ratios)})" if ratios else "") + ", which replace the default spread"
        )
    else:
        factors = f", {spread.low:g} x to {spread.high:g} x the estimate" if spread.low and spread.high else ""
        team = (
            f"{fmt.plural(spread.issues_with_team_spread, 'issue')} with the default spread{factors} "
            "(triangular, peaking at the estimate)"
        )
    parts = [part for count, part in ((spread.issues_with_own_range, own), (spread.issues_with_team_spread, team))
             if count]
    return "Durations: " + "; ".join(parts) + "."


def _exact_cell(milestone: MilestonePlan, confident: ConfidenceExtension | None) -> str:
    if confident is not None and confident.exact_working_days is not None and confident.exact_date is not None:
        return f"+{fmt.plural(confident.exact_working_days, 'working day')} ({fmt.day(confident.exact_date)})"
    if milestone.late and milestone.projected_finish is not None:
        return f"+{fmt.plural(milestone.lateness_working_days, 'working day')} ({fmt.day(milestone.projected_finish)})"
    return "none"


def _extension_cell(milestone: MilestonePlan) -> str:
    days = milestone.forecast_extension_working_days
    if days is None:
        return "—"
    if days == 0 or milestone.forecast_finish is None:
        return "none"
    return f"**+{fmt.plural(days, 'working day')}** ({fmt.day(milestone.forecast_finish)})"


def _milestone_table(view: PlanView, forecast: ForecastSummary) -> Table:
    confident = {}
    if view.result.recommendations is not None:
        confident = {c.id: c for c in view.result.recommendations.confidence_extensions}
    level = chance_words(forecast.confidence)
    rows = []
    for milestone in view.result.milestones:
        if milestone.p50 is None:
            continue
        rows.append([
            view.milestone_name(milestone.id),
            fmt.day(milestone.due) if milestone.due else "—",
            fmt.day(milestone.projected_finish) if milestone.projected_finish else "—",
            f"**{chance_words(milestone.p_on_time)}**" if milestone.p_on_time is not None else "—",
            fmt.day(milestone.p50),
            fmt.day(milestone.p85) if milestone.p85 else "—",
            fmt.day(milestone.p95) if milestone.p95 else "—",
            _extension_cell(milestone),
            _exact_cell(milestone, confident.get(milestone.id)),
        ])
    return Table(
        header=["Milestone", "Due", "Finish if estimates hold", "Chance on time", "P50", "P85", "P95",
                f"Extension for {level} confidence", "Extension if estimates hold"],
        rows=rows,
        right=frozenset({3}),
    )


def _drivers(view: PlanView) -> list[Block]:
    """The issues most often on the chain that decides a milestone at risk, with their chance to be late."""
    at_risk = {m.id for m in view.result.milestones if m.p_on_time is not None and m.p_on_time < 1}
    issues = [
        issue for issue in view.result.issues
        if issue.status == IssueStatus.PLANNED and issue.milestone in at_risk
        and (issue.criticality or 0) >= DRIVER_CRITICALITY
    ]
    issues.sort(key=lambda i: (-(i.criticality or 0), -(i.p_late or 0), i.id))
    if not issues:
        return []
    rows = [
        [
            f"{issue.id} ({issue.priority.value})",
            view.milestone_name(issue.milestone),
            issue.owner or "",
            fmt.number(issue.hours),
            chance_words(issue.criticality or 0),
            chance_words(issue.p_late) if issue.p_late is not None else "—",
        ]
        for issue in issues[:DRIVERS]
    ]
    return [
        Heading(3, "What drives the risk"),
        Paragraph(
            "Criticality is the share of runs in which the issue lies on the chain that decides its milestone's "
            "finish (its work, or its owner's and dependencies' work before it): a shorter estimate, another owner or "
            "an earlier start there moves the milestone."
        ),
        Table(header=["Issue", "Milestone", "Owner", "Hours", "Criticality", "Chance late"], rows=rows,
              right=frozenset({3, 4, 5})),
    ]


def forecast_blocks(view: PlanView, level: int = 2) -> list[Block]:
    """The Forecast section (`level` 1 makes it a document of its own); empty when the plan carries no forecast."""
    forecast = view.result.forecast
    if forecast is None:
        return []
    title = "Forecast" if level > 1 else f"Forecast of the plan from {fmt.day(view.start_date)}"
    blocks: list[Block] = [
        Heading(level, title),
        Paragraph(
            f"{forecast.samples:,} simulated runs of this plan (seed {forecast.seed}). {forecast.policy} "
            f"{_spread_sentence(forecast)}"
        ),
        _milestone_table(view, forecast),
        Paragraph(
            "Chance on time: the share of runs in which the milestone's last issue finishes by the end of its due "
            f"date. Pxx: done by that date in xx % of the runs. The extension for {chance_words(forecast.confidence)} "
            "confidence counts team working days from the due date to the date reached at that confidence; the one "
            "if estimates hold is the plan's own."
        ),
    ]
    blocks += _drivers(view)
    if forecast.notes:
        blocks.append(Bullets([f"Note: {note}" for note in forecast.notes]))
    return blocks
