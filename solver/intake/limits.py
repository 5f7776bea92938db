"""Size caps a request must respect, so one request cannot exhaust the machine."""

from __future__ import annotations

from dataclasses import dataclass


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


DEFAULT_LIMITS = Limits()
