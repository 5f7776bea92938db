"""One chart per milestone of the forecast: the share of runs finishing on each date and the cumulative chance.

The due date and the P85 date are marked; matplotlib on its own Agg canvas (no pyplot), as PNG or SVG.
"""

from __future__ import annotations

import io
import math
from datetime import date, timedelta

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from api_schemas.result import MilestoneDistribution, MilestonePlan
from service.report.plan_view import PlanView
from solver.recommend.summary import chance_words

#: Milestones drawn; a plan with more shows the first ones (by due date) and says how many more there are.
MAX_PANELS = 12
_COLUMNS = 2
_ON_TIME = "#55A868"
_LATE = "#C44E52"
_CUMULATIVE = "#4C72B0"
_OFF_DAY = "#EEEEEE"


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _panel(view: PlanView, axes: Axes, milestone: MilestonePlan, distribution: MilestoneDistribution) -> None:
    shares = {point.date: point.share for point in distribution.finish_dates}
    marks = [d for d in (milestone.due, milestone.projected_finish, milestone.p95) if d is not None]
    first = min([*shares, *marks]) - timedelta(days=1)
    last = max([*shares, *marks]) + timedelta(days=1)
    days = _days(first, last)
    for position, day in enumerate(days):
        if not view.working_time.team.is_working(day):
            axes.axvspan(position - 0.5, position + 0.5, color=_OFF_DAY, zorder=0, linewidth=0)
    due = milestone.due
    colours = [_LATE if due is not None and day > due else _ON_TIME for day in days]
    axes.bar(range(len(days)), [100 * shares.get(day, 0.0) for day in days], color=colours, width=0.8, zorder=2)
    axes.set_ylabel("% of runs finishing that day", fontsize=7)
    axes.set_ylim(0, min(max(100 * max(shares.values(), default=0.0) * 1.25, 5.0), 100.0))
    cumulative = axes.twinx()
    running, points = 0.0, []
    for day in days:
        running += shares.get(day, 0.0)
        points.append(100 * running)
    cumulative.plot(range(len(days)), points, color=_CUMULATIVE, linewidth=1.6, marker="o", markersize=2.5, zorder=3)
    cumulative.set_ylim(0, 105)
    cumulative.set_ylabel("% done by that day", fontsize=7, color=_CUMULATIVE)
    cumulative.tick_params(axis="y", labelsize=7, colors=_CUMULATIVE)
    if due is not None and first <= due <= last:
        axes.axvline(days.index(due) + 0.5, color="black", linestyle="--", linewidth=1.4, zorder=4)
    if milestone.p85 is not None and first <= milestone.p85 <= last:
        axes.axvline(days.index(milestone.p85), color=_CUMULATIVE, linestyle=":", linewidth=1.6, zorder=4)
    if milestone.projected_finish is not None:
        axes.plot([days.index(milestone.projected_finish)], [0], marker="^", markersize=9, color="black",
                  clip_on=False, zorder=5)
    step = max(1, math.ceil(len(days) / 16))
    axes.set_xticks(range(0, len(days), step))
    axes.set_xticklabels([f"{day:%a}\n{day:%d %b}" for day in days[::step]], fontsize=7)
    axes.set_xlim(-0.5, len(days) - 0.5)
    axes.tick_params(axis="y", labelsize=7)
    chance = f"{chance_words(milestone.p_on_time)} on time" if milestone.p_on_time is not None else "no due date"
    p85 = f"P85 {milestone.p85:%a %Y-%m-%d}" if milestone.p85 is not None else ""
    extension = milestone.forecast_extension_working_days
    if extension:
        p85 += f" (+{extension} working day{'s' if extension != 1 else ''} at the chosen confidence)"
    axes.set_title(f"{view.milestone_name(milestone.id)}: {chance}; {p85}", fontsize=8.5, loc="left")


def forecast_figure(view: PlanView) -> Figure | None:
    """The milestones' finish-date charts, or None when the plan carries no forecast or nothing to draw."""
    forecast = view.result.forecast
    if forecast is None or not forecast.milestones:
        return None
    distributions = {d.id: d for d in forecast.milestones if d.finish_dates}
    milestones = [m for m in view.milestones_by_due() if m.id in distributions]
    if not milestones:
        return None
    shown = milestones[:MAX_PANELS]
    rows = math.ceil(len(shown) / _COLUMNS)
    columns = min(_COLUMNS, len(shown))
    figure = Figure(figsize=(7.2 * columns, 3.0 * rows + 1.0), layout="constrained")
    FigureCanvasAgg(figure)
    for index, milestone in enumerate(shown):
        _panel(view, figure.add_subplot(rows, columns, index + 1), milestone, distributions[milestone.id])
    legend = [
        Patch(color=_ON_TIME, label="finishes by the due date"),
        Patch(color=_LATE, label="finishes after it"),
        Line2D([], [], color=_CUMULATIVE, marker="o", markersize=3, label="done by that day (right axis)"),
        Line2D([], [], color="black", linestyle="--", label="end of the due date"),
        Line2D([], [], color=_CUMULATIVE, linestyle=":", label="P85"),
        Line2D([], [], color="black", marker="^", linestyle="", label="finish if estimates hold"),
        Patch(color=_OFF_DAY, label="not a team working day"),
    ]
    figure.legend(handles=legend, loc="outside lower center", ncols=4, fontsize=7, frameon=False)
    title = f"Forecast: {forecast.samples:,} runs of the plan from {view.start_date:%a %Y-%m-%d}"
    if len(milestones) > len(shown):
        title += f"; first {len(shown)} milestones by due date, {len(milestones) - len(shown)} more not shown"
    figure.suptitle(title, fontsize=10)
    return figure


def figure_png(figure: Figure, dpi: int = 110) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def forecast_png(view: PlanView, dpi: int = 110) -> bytes:
    """The charts as PNG bytes (a one-line note when there is nothing to draw)."""
    figure = forecast_figure(view)
    if figure is None:
        figure = Figure(figsize=(6, 1))
        FigureCanvasAgg(figure)
        figure.text(0.5, 0.5, "No forecast: the plan has no planned milestone work to simulate.", ha="center")
    return figure_png(figure, dpi)


def stacked_png(top: bytes, bottom: bytes) -> bytes:
    """Two PNG images one above the other on white, as one PNG (the plan's chart, then the forecast's)."""
    from PIL import Image  # matplotlib's own image library

    upper, lower = Image.open(io.BytesIO(top)).convert("RGB"), Image.open(io.BytesIO(bottom)).convert("RGB")
    canvas = Image.new("RGB", (max(upper.width, lower.width), upper.height + lower.height), "white")
    canvas.paste(upper, (0, 0))
    canvas.paste(lower, (0, upper.height))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return buffer.getvalue()


def forecast_svg(view: PlanView) -> str | None:
    """The charts as SVG text, or None when there is nothing to draw."""
    figure = forecast_figure(view)
    if figure is None:
        return None
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    return buffer.getvalue()
