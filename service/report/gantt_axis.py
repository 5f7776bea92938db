"""The Gantt chart's time axis: instants to x positions, one unit per calendar date.

A short span (up to `MAX_DAY_COLUMNS` dates) gets one column per date, each stretched over the team's working
hours so a two-hour slot is wide enough to see; a longer span is one continuous line of days at a fixed width,
ticked by week or month, so a year-long plan stays a picture a person can read (and a bounded number of pixels).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from matplotlib.axes import Axes

from service.report.plan_view import PlanView, midnight

#: Longest span drawn with one column per date; longer plans get a continuous axis.
MAX_DAY_COLUMNS = 42
#: Shortest span shown, in days, so a one-day plan still reads as a week.
MIN_DAYS = 7
#: Width of a date column, and of the continuous axis, in inches.
DAY_COLUMN_IN = 0.62
CONTINUOUS_WIDTH_IN = 15.0
#: Continuous axes shade days off only when a day is at least this wide (in inches).
_SHADE_DAYS_FROM_IN = 0.03
_OFF_DAY = "#EEEEEE"
_BEFORE_START = "#F6E3E3"
_GRID = "#CCCCCC"


@dataclass(frozen=True)
class TimeAxis:
    """Maps instants to x: date `first` is [0, 1), the next date [1, 2), ... up to `last`."""

    first: date
    last: date
    plan_start: date
    opens: timedelta
    closes: timedelta

    @cached_property
    def days(self) -> list[date]:
        """Every date on the axis."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @cached_property
    def columns(self) -> bool:
        """True when each date is a column showing only the working hours."""
        return len(self.days) <= MAX_DAY_COLUMNS

    @cached_property
    def width_in(self) -> float:
        """Width of the plotting area in inches."""
        return DAY_COLUMN_IN * len(self.days) if self.columns else CONTINUOUS_WIDTH_IN

    def x(self, instant: datetime) -> float:
        """Position of an instant (in column mode, clamped to its day's drawn hours)."""
        day_start = midnight(instant.date())
        offset = float((instant.date() - self.first).days)
        if not self.columns:
            return offset + (instant - day_start) / timedelta(days=1)
        if instant == day_start and instant.date() > self.first:  # 24:00 of the day before
            return offset
        within = (instant - day_start - self.opens) / (self.closes - self.opens)
        return offset + min(max(within, 0.0), 1.0)

    def end_of(self, day: date) -> float:
        """Position of the end of `day` (where a due date falls)."""
        return float((day - self.first).days + 1)

    def frame(self, view: PlanView, axes: Axes, labels: bool = True) -> None:
        """Grey out the team's days off, tint the days before the plan start, and label dates or weeks."""
        days = self.days
        wide_enough = self.columns or self.width_in / len(days) >= _SHADE_DAYS_FROM_IN
        if wide_enough:
            off = [(n, 1.0) for n, day in enumerate(days) if not view.working_time.team.is_working(day)]
            axes.broken_barh(off, (0, 1), transform=axes.get_xaxis_transform(), color=_OFF_DAY, zorder=0)
        before = (self.plan_start - self.first).days
        if before > 0:
            axes.axvspan(0, before, color=_BEFORE_START, zorder=0, linewidth=0)
            axes.axvline(before, color="#C44E52", linewidth=0.8, linestyle=":", zorder=1)
            axes.text(before / 2, 0.01, "before the plan start", transform=axes.get_xaxis_transform(), fontsize=6,
                      ha="center", va="bottom", color="#8A3033", zorder=1)
        axes.set_xlim(0, len(days))
        if self.columns:
            axes.set_xticks([n + 0.5 for n in range(len(days))])
            axes.set_xticklabels([f"{day:%a}\n{day:%d %b}" for day in days] if labels else [], fontsize=7)
            axes.set_xticks(range(len(days) + 1), minor=True)
            axes.tick_params(axis="x", which="major", length=0)
            axes.grid(axis="x", which="minor", color=_GRID, linewidth=0.6, zorder=1)
            return
        ticks = [n for n, day in enumerate(days) if self._is_tick(day, len(days))]
        axes.set_xticks(ticks)
        axes.set_xticklabels([self._tick_label(days[n], len(days)) for n in ticks] if labels else [], fontsize=7)
        axes.grid(axis="x", which="major", color=_GRID, linewidth=0.6, zorder=1)

    @staticmethod
    def _is_tick(day: date, span: int) -> bool:
        """Mondays for spans up to 20 weeks, else the first of each month."""
        return day.weekday() == 0 if span <= 140 else day.day == 1

    @staticmethod
    def _tick_label(day: date, span: int) -> str:
        return f"{day:%d %b}" if span <= 140 else (f"{day:%b}\n{day:%Y}" if day.month == 1 else f"{day:%b}")


def time_axis(view: PlanView, due_dates: list[date]) -> TimeAxis:
    """The axis from the plan start (or the earliest due date, if earlier) to the last slot or latest due date.

    Each date column shows the hours from the earliest slot start to the latest slot end of any day.
    """
    last_slot = max((issue.slots[-1].date for issue in view.planned), default=view.start_date)
    first = min([view.start_date, *due_dates])
    last = max([last_slot, first + timedelta(days=MIN_DAYS - 1), *due_dates])
    spans = [
        (slot.start, datetime.combine(slot.date, slot.start) + timedelta(hours=slot.hours) - midnight(slot.date))
        for issue in view.planned
        for slot in issue.slots
    ]
    opens = min((timedelta(hours=start.hour, minutes=start.minute) for start, _ in spans), default=timedelta(0))
    closes = max((end for _, end in spans), default=timedelta(hours=24))
    if closes <= opens:
        opens, closes = timedelta(0), timedelta(hours=24)
    return TimeAxis(first, last, view.start_date, opens, min(closes, timedelta(hours=24)))
