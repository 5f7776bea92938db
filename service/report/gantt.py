"""The plan as a Gantt chart with each owner's daily load against a capacity line (matplotlib, Agg, no pyplot).

Up to `MAX_ISSUE_ROWS` planned issues get one row each, labelled with id, priority and title and coloured by
owner; a larger plan gets one row per owner (the busiest first, up to `MAX_OWNER_ROWS`), its bars coloured by
priority. Due dates stay in view: the axis reaches the due dates of what is drawn (deadline ticks on issue rows,
milestone due dates as lines coloured by their standing), and one too far off is drawn at the edge with its date.
The picture never exceeds `MAX_IMAGE_PX` a side. The figure is drawn on its own Agg canvas: it needs no display
and leaves pyplot's global state alone. PNG and SVG come from it.
"""

from __future__ import annotations

import io
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.gridspec import SubplotSpec
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from api_schemas.common import Priority
from api_schemas.result import IssuePlan
from service.report import formatting as fmt
from service.report.chart_fonts import chart_fonts
from service.report.document import Tone
from service.report.gantt_axis import TimeAxis, time_axis
from service.report.milestones import MilestoneStanding, standings
from service.report.plan_view import PlanView, part_label

#: Plans with at most this many planned issues get one row per issue; larger ones one row per owner.
MAX_ISSUE_ROWS = 40
#: Owner rows drawn at most (the busiest owners); the title says how many more there are.
MAX_OWNER_ROWS = 60
#: Owners that get their own load panel; a larger team gets one panel for the whole team.
MAX_OWNER_PANELS = 6
#: Largest width or height of the PNG in pixels, whatever the plan's size.
MAX_IMAGE_PX = 4000
#: Due dates up to a quarter of the plan's span (at least `MIN_DUE_REACH_DAYS`) before its start or after its last
#: slot widen the axis; farther ones sit at its edge with their date, so a short plan is not drawn as a sliver.
MIN_DUE_REACH_DAYS = 7
#: Longest row label (issue id, priority and title) in characters.
_LABEL_CHARS = 44
#: Milestone lines labelled at most; more are drawn without their names.
_MAX_MILESTONE_LABELS = 30
_PALETTE = ["#4C72B0", "#55A868", "#8172B2", "#CCB974", "#64B5CD", "#DD8452", "#937860", "#DA8BC3", "#8C8C8C"]
_PRIORITY_COLOURS = {Priority.P0: "#1F3B73", Priority.P1: "#4C72B0", Priority.P2: "#8DA9D4", Priority.P3: "#C9D6EA"}
_LATE = "#C44E52"
_CAPACITY = "#C44E52"
_TONE_COLOURS = {Tone.BAD: "#C62828", Tone.WARN: "#E08600", Tone.GOOD: "#2E7D32", None: "#555555"}
_ROW_IN = 0.3
_LABELS_IN = 3.4
_LEGEND_IN = 1.7
_PANEL_IN = 1.7


@dataclass(frozen=True)
class _Due:
    """A due date to draw: where, what, and in which colour."""

    day: date
    label: str
    colour: str


def _owner_colours(view: PlanView) -> dict[str, str]:
    return {owner.id: _PALETTE[n % len(_PALETTE)] for n, owner in enumerate(view.request.owners)}


def _columns(character: str) -> int:
    """Columns a character takes: two for wide East Asian characters (CJK, most emoji), else one."""
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def _issue_label(issue: IssuePlan) -> str:
    """'#840 (P0) Provisioned throughput…', shortened to fit the label column (wide characters count twice)."""
    label = f"{issue.id} ({issue.priority.value}) {issue.title.strip()}".strip()
    if sum(_columns(c) for c in label) <= _LABEL_CHARS:
        return label
    kept, used = [], 0
    for character in label:
        used += _columns(character)
        if used > _LABEL_CHARS - 1:
            break
        kept.append(character)
    return "".join(kept).rstrip() + "…"


def _spans(axis: TimeAxis, issue: IssuePlan) -> list[tuple[float, float]]:
    spans = []
    for slot in issue.slots:
        starts = datetime.combine(slot.date, slot.start)
        left = axis.x(starts)
        spans.append((left, axis.x(starts + timedelta(hours=slot.hours)) - left))
    return spans


def _within_reach(view: PlanView, days: list[date]) -> list[date]:
    """The due dates close enough to the plan to widen the axis (see `MIN_DUE_REACH_DAYS`)."""
    last_slot = max((issue.slots[-1].date for issue in view.planned), default=view.start_date)
    reach = timedelta(days=max(MIN_DUE_REACH_DAYS, (last_slot - view.start_date).days // 4))
    return [day for day in days if view.start_date - reach <= day <= last_slot + reach]


def _milestone_dues(view: PlanView, issues: list[IssuePlan]) -> list[_Due]:
    """Due dates of the milestones the drawn issues belong to, coloured red, amber or green by standing."""
    wanted = {issue.milestone for issue in issues if issue.milestone}
    rows: list[MilestoneStanding] = [s for s in standings(view) if s.milestone.id in wanted and s.milestone.due]
    return [
        _Due(s.milestone.due, f"{view.milestone_name(s.milestone.id)} ({s.standing.value})", _TONE_COLOURS[s.tone])
        for s in rows
        if s.milestone.due is not None
    ]


def _draw_due(axes: Axes, axis: TimeAxis, due: _Due, labelled: bool) -> None:
    """A dashed line at the end of the due date (a mark on the top edge when there are many).

    A due date off the axis is an arrow at the axis's edge with the date written out.
    """
    if axis.first <= due.day <= axis.last:
        position = axis.end_of(due.day)
        if not labelled:  # many milestones: a mark on the top edge each, lines would hide the bars
            axes.plot([position], [1.0], marker="v", markersize=6, color=due.colour, clip_on=False, zorder=5,
                      transform=axes.get_xaxis_transform())
            return
        axes.axvline(position, color=due.colour, linestyle="--", linewidth=1.2, zorder=3)
        if labelled:
            axes.text(position, 1.0, f" {due.label} ", transform=axes.get_xaxis_transform(), rotation=90,
                      ha="right", va="top", fontsize=6, color=due.colour, zorder=5,
                      bbox={"facecolor": "white", "alpha": 0.75, "linewidth": 0, "pad": 0.5})
        return
    before = due.day < axis.first
    axes.text(0 if before else len(axis.days), 1.0, f"{'◀ ' if before else ''}due {due.day:%d %b %Y}"
              f"{'' if before else ' ▶'}\n{due.label}", transform=axes.get_xaxis_transform(),
              ha="left" if before else "right", va="bottom", fontsize=6, color=due.colour)


def _label_pieces(issue: IssuePlan, axes: Axes, row: int, axis: TimeAxis) -> None:
    """A split issue: a thin bar under each piece, labelled 'part 2 of 3' at its start."""
    if len(issue.pieces) < 2:
        return
    for piece in issue.pieces:
        left = axis.x(piece.start)
        axes.plot([left, axis.x(piece.finish)], [row + 0.4, row + 0.4], color="black", linewidth=1, zorder=3)
        axes.text(left + 0.03, row + 0.02, part_label(issue, piece.start), fontsize=6, va="center", ha="left",
                  color="white", zorder=4)


def _draw_issue_rows(view: PlanView, axes: Axes, rows: list[IssuePlan], axis: TimeAxis, dues: list[_Due]) -> str:
    colours = _owner_colours(view)
    for row, issue in enumerate(rows):
        spans = _spans(axis, issue)
        _label_pieces(issue, axes, row, axis)
        axes.broken_barh(spans, (row - 0.35, 0.7), facecolors=colours.get(issue.owner or "", "#8C8C8C"),
                         edgecolors=_LATE if issue.late else "none", linewidth=1.5, zorder=2)
        if issue.deadline is None:
            continue
        if axis.first <= issue.deadline <= axis.last:
            axes.plot([axis.end_of(issue.deadline)], [row], marker="|", markersize=11, markeredgewidth=2,
                      color="black", zorder=4)
        elif issue.deadline > axis.last:  # at the right edge, where no bar is
            axes.text(len(axis.days), row, f"due {issue.deadline:%d %b %Y} ▶", fontsize=6, ha="right",
                      va="center", zorder=4)
        else:  # long past: written after the bar, which starts at the left edge
            end = spans[-1][0] + spans[-1][1]
            axes.text(end + 0.05, row, f"◀ due {issue.deadline:%d %b %Y}", fontsize=6, ha="left", va="center",
                      color=_LATE, zorder=4)
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([_issue_label(issue) for issue in rows], fontsize=7.5)
    axes.set_ylim(len(rows) - 0.5, -0.6)
    for due in dues:
        _draw_due(axes, axis, due, labelled=len(dues) <= _MAX_MILESTONE_LABELS)
    owners = [owner for owner in view.request.owners if any(issue.owner == owner.id for issue in rows)]
    handles: list[Patch | Line2D] = [Patch(color=colours[o.id], label=view.owner_label(o.id)) for o in owners[:12]]
    handles += [Patch(facecolor="white", edgecolor=_LATE, linewidth=1.5, label="late"),
                Line2D([], [], color="black", marker="|", linestyle="none", markersize=9, label="deadline")]
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7, frameon=False)
    return "Plan by issue (bars coloured by owner; red outline: late; |: end of the deadline; dashed: milestone due)"


def _busiest_owners(view: PlanView) -> list[str]:
    """Owners with planned work in request order, or the busiest `MAX_OWNER_ROWS` (then in request order)."""
    hours: dict[str, float] = defaultdict(float)
    for issue in view.planned:
        hours[issue.owner or ""] += issue.hours
    order = [owner.id for owner in view.request.owners if hours.get(owner.id)]
    if len(order) > MAX_OWNER_ROWS:
        kept = set(sorted(order, key=lambda owner: -hours[owner])[:MAX_OWNER_ROWS])
        order = [owner for owner in order if owner in kept]
    return order


def _draw_owner_rows(view: PlanView, axes: Axes, owners: list[str], axis: TimeAxis, dues: list[_Due]) -> str:
    row_of = {owner: row for row, owner in enumerate(owners)}
    groups: dict[tuple[int, Priority, bool], list[tuple[float, float]]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    inches_per_unit = axis.width_in / len(axis.days)
    labels: list[tuple[float, int, IssuePlan]] = []
    for issue in view.planned:
        row = row_of.get(issue.owner or "")
        if row is None:
            continue
        counts[issue.owner or ""] += 1
        spans = _spans(axis, issue)
        groups[(row, issue.priority, issue.late)].extend(spans)
        widest = max(spans, key=lambda span: span[1])
        if widest[1] * inches_per_unit >= 0.075 * len(issue.id) + 0.05:
            labels.append((widest[0] + widest[1] / 2, row, issue))
    for (row, priority, late), spans in groups.items():
        axes.broken_barh(spans, (row - 0.38, 0.76), facecolors=_PRIORITY_COLOURS[priority],
                         edgecolors=_LATE if late else "white", linewidth=1.0 if late else 0.3, zorder=2)
    for x, row, issue in labels:
        dark_bar = issue.priority in (Priority.P0, Priority.P1)
        axes.text(x, row, issue.id, ha="center", va="center", fontsize=5.5, zorder=4,
                  color="white" if dark_bar else "black", clip_on=True)
    axes.set_yticks(range(len(owners)))
    axes.set_yticklabels([f"{view.owner_label(owner)} ({fmt.plural(counts[owner], 'issue')})" for owner in owners],
                         fontsize=7.5)
    axes.set_ylim(len(owners) - 0.5, -0.6)
    for due in dues:
        _draw_due(axes, axis, due, labelled=len(dues) <= _MAX_MILESTONE_LABELS)
    handles: list[Patch | Line2D] = [
        *(Patch(color=colour, label=p.value) for p, colour in _PRIORITY_COLOURS.items())
    ]
    handles += [Patch(facecolor="white", edgecolor=_LATE, linewidth=1.5, label="late")]
    many = len(dues) > _MAX_MILESTONE_LABELS
    handles += [Line2D([], [], color=_TONE_COLOURS[tone], linestyle="none" if many else "--",
                       marker="v" if many else None, label=f"due: {word}")
                for tone, word in ((Tone.BAD, "overdue"), (Tone.WARN, "at risk"), (Tone.GOOD, "on track"))]
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7, frameon=False)
    shown = sum(counts.values())
    title = f"Plan by owner: {fmt.plural(shown, 'issue')} on {fmt.plural(len(owners), 'owner')}"
    hidden = len(view.planned) - shown
    if hidden:
        title += f" (the busiest; {fmt.plural(hidden, 'issue')} of other owners not shown)"
    return title + f"; bars coloured by priority, red outline: late, {'▼' if many else 'dashed'}: milestone due dates"


def _daily_load(view: PlanView, owners: list[str], days: list[date]) -> tuple[list[float], list[float]]:
    """Planned hours and capacity of a group of owners on each date (no capacity before the plan starts)."""
    wanted = set(owners)
    hours_per_day = {owner.id: owner.hours_per_day for owner in view.request.owners}
    planned: dict[date, float] = {}
    for issue in view.planned:
        if issue.owner in wanted:
            for slot in issue.slots:
                planned[slot.date] = planned.get(slot.date, 0.0) + slot.hours
    capacity = [
        sum(hours_per_day[owner] for owner in owners if view.working_time.owner_works(owner, day))
        if day >= view.start_date
        else 0.0
        for day in days
    ]
    return [planned.get(day, 0.0) for day in days], capacity


def _draw_load(view: PlanView, axes: Axes, owners: list[str], label: str, colour: str, axis: TimeAxis) -> None:
    days = axis.days
    planned, capacity = _daily_load(view, owners, days)
    positions = range(len(days))
    if axis.columns:
        axes.bar([n + 0.5 for n in positions], planned, width=0.8, color=colour, zorder=2)
        worked = [n for n in positions if capacity[n] > 0]
        axes.hlines([capacity[n] for n in worked], [n + 0.04 for n in worked], [n + 0.96 for n in worked],
                    colors=_CAPACITY, linewidth=2.2, zorder=3)
        for n in positions:
            if planned[n]:
                axes.text(n + 0.5, planned[n], f"{planned[n]:g}", ha="center", va="bottom", fontsize=6, zorder=4)
    else:  # a long plan: the day's hours as steps, one rectangle per change rather than one bar per day
        edges = list(range(len(days) + 1))
        axes.stairs(planned, edges, fill=True, color=colour, zorder=2)
        axes.stairs(capacity, edges, color=_CAPACITY, linewidth=1.0, zorder=3)
    axes.set_ylim(0, max([*capacity, *planned, 1.0]) * 1.25)
    axes.set_ylabel("hours", fontsize=7)
    axes.tick_params(axis="y", labelsize=7)
    axis.frame(view, axes)
    axes.set_title(f"{label}: planned hours per day (bars) against capacity (red line)", fontsize=8, loc="left")


def gantt_figure(view: PlanView) -> Figure:
    """The Gantt chart and one load panel per owner (or one for the whole team when it is large)."""
    by_issue = len(view.planned) <= MAX_ISSUE_ROWS
    owner_rows = [] if by_issue else _busiest_owners(view)
    drawn = view.planned if by_issue else [issue for issue in view.planned if issue.owner in set(owner_rows)]
    dues = _milestone_dues(view, drawn)
    reachable = [due.day for due in dues] + [issue.deadline for issue in drawn if by_issue and issue.deadline]
    axis = time_axis(view, _within_reach(view, reachable))
    owners = [owner.id for owner in view.request.owners]
    panels = [([owner], view.owner_label(owner)) for owner in owners] if len(owners) <= MAX_OWNER_PANELS else [
        (owners, "Whole team")]
    colours = _owner_colours(view)
    rows = len(drawn) if by_issue else len(owner_rows)
    chart_height = max(2.2, _ROW_IN * rows + 1.6)
    width = max(10.0, _LABELS_IN + axis.width_in + _LEGEND_IN)
    figure = Figure(figsize=(width, chart_height + _PANEL_IN * len(panels) + 0.5), layout="constrained")
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(1 + len(panels), 1, height_ratios=[chart_height] + [_PANEL_IN] * len(panels))
    cells: list[SubplotSpec] = [grid[n, 0] for n in range(1 + len(panels))]
    chart = figure.add_subplot(cells[0])
    if by_issue:
        title = _draw_issue_rows(view, chart, drawn, axis, dues)
    else:
        title = _draw_owner_rows(view, chart, owner_rows, axis, dues)
    axis.frame(view, chart)
    chart.set_title(title, fontsize=9, loc="left", pad=24)
    for cell, (members, label) in zip(cells[1:], panels, strict=True):
        colour = colours[members[0]] if len(members) == 1 else _PALETTE[0]
        _draw_load(view, figure.add_subplot(cell, sharex=chart), members, label, colour, axis)
    hours = "" if not axis.columns else f"; each date shows the hours {_clock(axis.opens)}-{_clock(axis.closes)}"
    figure.suptitle(f"capplan plan from {fmt.day(view.start_date)} ({view.result.status.value}){hours}", fontsize=10)
    return figure


def _clock(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def figure_png(figure: Figure, dpi: int = 110) -> bytes:
    """A figure as PNG bytes, at `dpi` or less so that no side exceeds `MAX_IMAGE_PX`."""
    width, height = figure.get_size_inches()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=min(float(dpi), MAX_IMAGE_PX / max(width, height)))
    return buffer.getvalue()


def within_pixel_cap(png: bytes) -> bytes:
    """A PNG scaled down (aspect kept) so that no side exceeds `MAX_IMAGE_PX`; unchanged when it fits."""
    from PIL import Image  # matplotlib's own image library

    image = Image.open(io.BytesIO(png))
    scale = MAX_IMAGE_PX / max(image.size)
    if scale >= 1:
        return png
    buffer = io.BytesIO()
    image.resize((int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS).save(buffer, "PNG")
    return buffer.getvalue()


def gantt_png(view: PlanView, dpi: int = 110) -> bytes:
    """The chart as PNG bytes, at most `MAX_IMAGE_PX` a side."""
    with chart_fonts():
        return figure_png(gantt_figure(view), dpi)


def gantt_svg(view: PlanView) -> str:
    """The chart as SVG text (no external references; glyphs drawn as paths), for embedding in HTML."""
    buffer = io.StringIO()
    with chart_fonts():
        gantt_figure(view).savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
