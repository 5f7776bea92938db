"""The plan as a Gantt chart with each owner's daily load against a capacity line (matplotlib, Agg, no pyplot).

Each date is one column of the chart; inside it only the team's working hours are drawn (from the earliest
owner window start to the latest window end), so a two-hour slot is wide enough to see. The figure is drawn on
its own Agg canvas: it needs no display and leaves pyplot's global state alone. PNG and SVG come from it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.gridspec import SubplotSpec
from matplotlib.patches import Patch

from api_schemas.result import IssuePlan
from service.report.plan_view import PlanView, midnight, part_label

#: Issues drawn as rows; a larger plan shows its first ones by start and says how many more there are.
MAX_ROWS = 40
#: Owners that get their own load panel; a larger team gets one panel for the whole team.
MAX_OWNER_PANELS = 6
#: Shortest span shown, in days, so a one-day plan still reads as a week.
_MIN_DAYS = 7
_PALETTE = ["#4C72B0", "#55A868", "#8172B2", "#CCB974", "#64B5CD", "#DD8452", "#937860", "#DA8BC3", "#8C8C8C"]
_LATE = "#C44E52"
_CAPACITY = "#C44E52"
_OFF_DAY = "#EEEEEE"


@dataclass(frozen=True)
class _Axis:
    """Maps instants to x positions: one unit per date, the working part of each day stretched across it."""

    first: date
    last: date
    opens: timedelta
    closes: timedelta

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def x(self, instant: datetime) -> float:
        """Position of an instant (clamped to its day's drawn hours)."""
        day_start = midnight(instant.date())
        if instant == day_start and instant.date() > self.first:  # 24:00 of the day before
            return float((instant.date() - self.first).days)
        within = (instant - day_start - self.opens) / (self.closes - self.opens)
        return (instant.date() - self.first).days + min(max(within, 0.0), 1.0)


def _axis(view: PlanView) -> _Axis:
    last = max((issue.slots[-1].date for issue in view.planned), default=view.start_date)
    last = max(last, view.start_date + timedelta(days=_MIN_DAYS - 1))
    windows = [
        window
        for owner in view.request.owners
        for day in (view.start_date + timedelta(days=n) for n in range(14))
        if (window := view.working_time.window(owner.id, day)) is not None
    ]
    opens = min((w[0] - midnight(w[0].date()) for w in windows), default=timedelta(hours=0))
    closes = max((w[1] - midnight(w[0].date()) for w in windows), default=timedelta(hours=24))
    return _Axis(view.start_date, last, opens, min(closes, timedelta(hours=24)))


def _owner_colours(view: PlanView) -> dict[str, str]:
    return {owner.id: _PALETTE[n % len(_PALETTE)] for n, owner in enumerate(view.request.owners)}


def _frame_days(view: PlanView, axes: Axes, axis: _Axis) -> None:
    """Grey out the team's days off, and label each date once."""
    for position, day in enumerate(axis.days):
        if not view.working_time.team.is_working(day):
            axes.axvspan(position, position + 1, color=_OFF_DAY, zorder=0, linewidth=0)
    axes.set_xlim(0, len(axis.days))
    axes.set_xticks([n + 0.5 for n in range(len(axis.days))])
    axes.set_xticklabels([f"{day:%a}\n{day:%d %b}" for day in axis.days], fontsize=7)
    axes.set_xticks(range(len(axis.days) + 1), minor=True)
    axes.tick_params(axis="x", which="major", length=0)
    axes.grid(axis="x", which="minor", color="#CCCCCC", linewidth=0.6, zorder=1)


def _label_pieces(issue: IssuePlan, axes: Axes, row: int, axis: _Axis) -> None:
    """A split issue: a thin bar under each piece, labelled 'part 2 of 3' at its start."""
    if len(issue.pieces) < 2:
        return
    for piece in issue.pieces:
        left = axis.x(piece.start)
        axes.plot([left, axis.x(piece.finish)], [row + 0.4, row + 0.4], color="black", linewidth=1, zorder=3)
        axes.text(left, row + 0.02, part_label(issue, piece.start), fontsize=6, va="center", ha="left", zorder=4)


def _draw_issues(view: PlanView, axes: Axes, rows: list[IssuePlan], axis: _Axis) -> None:
    colours = _owner_colours(view)
    for row, issue in enumerate(rows):
        spans = []
        for slot in issue.slots:
            starts = datetime.combine(slot.date, slot.start)
            left = axis.x(starts)
            spans.append((left, axis.x(starts + timedelta(hours=slot.hours)) - left))
        _label_pieces(issue, axes, row, axis)
        axes.broken_barh(
            spans,
            (row - 0.35, 0.7),
            facecolors=colours.get(issue.owner or "", _PALETTE[-1]),
            edgecolors=_LATE if issue.late else "none",
            linewidth=1.5,
            zorder=2,
        )
        if issue.deadline is not None and axis.first <= issue.deadline <= axis.last:
            end_of_due = (issue.deadline - axis.first).days + 1
            axes.plot([end_of_due], [row], marker="|", markersize=11, markeredgewidth=2, color="black", zorder=3)
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([f"{issue.id} ({issue.priority.value})" for issue in rows], fontsize=8)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    _frame_days(view, axes, axis)
    hours = f"{axis.opens.seconds // 3600:02d}:{axis.opens.seconds % 3600 // 60:02d}"
    title = f"Plan by issue (each date shows its working hours from {hours}; red outline: late; | end of deadline)"
    hidden = len(view.planned) - len(rows)
    if hidden > 0:
        title += f"; first {len(rows)} issues, {hidden} more not shown"
    axes.set_title(title, fontsize=9, loc="left")
    handles = [Patch(color=colour, label=owner) for owner, colour in colours.items()][:MAX_OWNER_PANELS]
    if handles:
        axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7, title="owner",
                    title_fontsize=7, frameon=False)


def _daily_load(view: PlanView, owners: list[str], days: list[date]) -> tuple[list[float], list[float]]:
    """Planned hours and capacity of a group of owners on each date."""
    wanted = set(owners)
    hours_per_day = {owner.id: owner.hours_per_day for owner in view.request.owners}
    planned: dict[date, float] = {}
    for issue in view.planned:
        if issue.owner in wanted:
            for slot in issue.slots:
                planned[slot.date] = planned.get(slot.date, 0.0) + slot.hours
    capacity = [
        sum(hours_per_day[owner] for owner in owners if view.working_time.owner_works(owner, day)) for day in days
    ]
    return [planned.get(day, 0.0) for day in days], capacity


def _draw_load(view: PlanView, axes: Axes, owners: list[str], label: str, colour: str, axis: _Axis) -> None:
    days = axis.days
    planned, capacity = _daily_load(view, owners, days)
    positions = range(len(days))
    axes.bar([n + 0.5 for n in positions], planned, width=0.8, color=colour, zorder=2)
    worked = [n for n in positions if capacity[n] > 0]
    axes.hlines([capacity[n] for n in worked], [n + 0.04 for n in worked], [n + 0.96 for n in worked],
                colors=_CAPACITY, linewidth=2.2, zorder=3)
    for n in positions:
        if planned[n]:
            axes.text(n + 0.5, planned[n], f"{planned[n]:g}", ha="center", va="bottom", fontsize=6, zorder=4)
    axes.set_ylim(0, max([*capacity, *planned, 1.0]) * 1.25)
    axes.set_ylabel("hours", fontsize=7)
    axes.tick_params(axis="y", labelsize=7)
    _frame_days(view, axes, axis)
    axes.set_title(f"{label}: planned hours per day (bars) against capacity (red line)", fontsize=8, loc="left")


def gantt_figure(view: PlanView) -> Figure:
    """The Gantt chart and one load panel per owner (or one for the whole team when it is large)."""
    axis = _axis(view)
    rows = view.planned[:MAX_ROWS]
    owners = [owner.id for owner in view.request.owners]
    panels = [([owner], owner) for owner in owners] if len(owners) <= MAX_OWNER_PANELS else [(owners, "Whole team")]
    colours = _owner_colours(view)
    gantt_height = max(2.0, 0.3 * len(rows) + 1.2)
    width = max(10.0, 0.75 * len(axis.days) + 2.5)
    figure = Figure(figsize=(width, gantt_height + 1.7 * len(panels) + 0.4), layout="constrained")
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(1 + len(panels), 1, height_ratios=[gantt_height] + [1.7] * len(panels))
    cells: list[SubplotSpec] = [grid[n, 0] for n in range(1 + len(panels))]
    _draw_issues(view, figure.add_subplot(cells[0]), rows, axis)
    for cell, (members, label) in zip(cells[1:], panels, strict=True):
        colour = colours[members[0]] if len(members) == 1 else _PALETTE[0]
        _draw_load(view, figure.add_subplot(cell), members, label, colour, axis)
    figure.suptitle(f"capplan plan from {view.start_date:%a %Y-%m-%d} ({view.result.status.value})", fontsize=10)
    return figure


def gantt_png(view: PlanView, dpi: int = 110) -> bytes:
    """The chart as PNG bytes."""
    buffer = io.BytesIO()
    gantt_figure(view).savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def gantt_svg(view: PlanView) -> str:
    """The chart as SVG text (no external references), for embedding in HTML."""
    buffer = io.StringIO()
    gantt_figure(view).savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
