"""Size caps a request must respect, so one request cannot exhaust the machine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

#: The latest plan start accepted. A plan's dates reach up to about twenty years past its start (the solver's
#: horizon of up to ten years, then its look-ahead for lags), and dates end at 9999-12-31; a century is room enough.
LATEST_START_DATE = date(9899, 12, 31)
#: Horizon the solver never exceeds, whatever the serial bound says (about 10 years); an issue no owner could finish
#: within it is refused at validation (`work_beyond_horizon`).
MAX_SOLVER_HORIZON_DAYS = 3650
#: The earliest plan start accepted. Reports look back from the start (the day before it, calendar exports in UTC),
#: which runs off the calendar's first day (0001-01-01); and a start before 1900 is a typo ('0025-11-24'), not a plan.
EARLIEST_START_DATE = date(1900, 1, 1)


@dataclass(frozen=True)
class Limits:
    """Caps on request size and on the dates it may mention (relative to its start date).

    The size and horizon defaults are also the service's (`service.settings.Settings` takes them from here);
    the service sets its own, lower, time-limit cap.
    """

    max_issues: int = 5000
    max_owners: int = 1000
    max_milestones: int = 1000
    max_horizon_days: int = 730
    max_time_limit_s: float = 600.0
    #: Forecast samples times the issues they simulate (docs/forecast.md): 20 million take about 3 s on 2 cores.
    max_forecast_cells: int = 100_000_000


DEFAULT_LIMITS = Limits()


def days_after(day: date, days: int) -> date:
    """`day` plus `days`, or the last representable date when that would overflow (for comparisons only)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max
