"""Shared helpers of the HTTP service tests (no tests here): requests, settings and stand-in solve functions.

Stand-in solve functions are module-level so the process pool can send them to its workers.
"""

from __future__ import annotations

import copy
import os
import threading
import time
from pathlib import Path
from typing import Any

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.settings import Settings
from solver.intake.limits import Limits
from solver.planner import plan

#: A small team and backlog: Mon 2025-03-03 start, two owners, a dependency with a lag, two milestones.
SMALL_REQUEST: dict[str, Any] = {
    "start_date": "2025-03-03",
    "calendar": {"working_weekdays": ["mon", "tue", "wed", "thu", "fri"], "holidays": ["2025-03-07"]},
    "owners": [
        {"id": "alice", "hours_per_day": 8, "skills": ["backend", "infra"]},
        {"id": "bob", "hours_per_day": 6, "skills": ["backend"]},
    ],
    "milestones": [
        {"id": "M1", "name": "First release", "due": "2025-03-05"},
        {"id": "M2", "name": "Second release", "due": "2025-03-12"},
    ],
    "issues": [
        {"id": "#1", "title": "Provision", "estimate_hours": 6, "priority": "P0", "milestone": "M1",
         "skills": ["infra"]},
        {"id": "#2", "title": "Roll out", "estimate_hours": 8, "priority": "P0", "milestone": "M1",
         "depends_on": [{"issue": "#1", "lag_days": 1}]},
        {"id": "#3", "title": "Schema", "estimate_hours": 12, "priority": "P1", "milestone": "M2"},
        {"id": "#4", "title": "API", "estimate_hours": 10, "priority": "P1", "milestone": "M2", "depends_on": ["#3"]},
        {"id": "#5", "title": "Not estimated", "priority": "P2", "milestone": "M2"},
    ],
    "options": {"time_limit_s": 2, "seed": 0, "mode": "deterministic"},
}


def small_request() -> dict[str, Any]:
    """A fresh copy of SMALL_REQUEST to change freely."""
    return copy.deepcopy(SMALL_REQUEST)


def service_settings(**overrides: Any) -> Settings:
    """Settings for tests: small time limits, a thread pool unless asked otherwise, no environment."""
    values: dict[str, Any] = {
        "workers": 2,
        "queue_depth": 4,
        "pool": "thread",
        "default_time_limit_s": 2,
        "max_time_limit_s": 3,
        "log_level": "INFO",
    }
    values.update(overrides)
    return Settings(_env_prefix="CAPPLAN_TEST_UNUSED_", **values)


# --- stand-in solve functions ------------------------------------------------------------------------------

#: Set by `gated_plan` when a solve has started; `GATE_OPEN` lets it go on.
SOLVE_STARTED = threading.Event()
GATE_OPEN = threading.Event()


def gated_plan(request: PlanRequest, limits: Limits, *, warm_start: PlanResult | None = None) -> PlanResult:
    """Plan, but only once the test opens the gate (thread pool only): holds a worker busy on demand."""
    SOLVE_STARTED.set()
    if not GATE_OPEN.wait(timeout=120):
        raise RuntimeError("the test never opened the gate")
    return plan(request, limits, warm_start=warm_start)


def failing_plan(request: PlanRequest, limits: Limits, *, warm_start: PlanResult | None = None) -> PlanResult:
    """A solver bug: raises with text that must never reach a client."""
    raise RuntimeError("secret internal detail: /srv/capplan/solver.py line 42")


def add(left: int, right: int) -> int:
    """A trivial job for the process pool."""
    return left + right


def sleep_after_marking(marker: str) -> None:
    """Write `marker`, then sleep for an hour: a solve that would run far too long unless killed."""
    Path(marker).write_text(str(os.getpid()))
    time.sleep(3600)


def exit_abruptly() -> None:
    """Die without answering, like a solver process killed by the kernel."""
    os._exit(3)


def raise_value_error() -> None:
    """A job that fails with an ordinary exception."""
    raise ValueError("bad job")


#: Directory where `plan_after_marking` leaves a file named after its process id, and waits for a file `go`.
MARKERS_VARIABLE = "CAPPLAN_TEST_MARKERS"


def plan_after_marking(request: PlanRequest, limits: Limits, *, warm_start: PlanResult | None = None) -> PlanResult:
    """Plan once the test says go (process pool): marks where it runs, so the test can kill it mid-job."""
    markers = Path(os.environ[MARKERS_VARIABLE])
    (markers / str(os.getpid())).write_text("running")
    go = markers / "go"
    deadline = time.monotonic() + 120
    while not go.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the test never said go")
        time.sleep(0.01)
    return plan(request, limits, warm_start=warm_start)


def crashing_plan(request: PlanRequest, limits: Limits, *, warm_start: PlanResult | None = None) -> PlanResult:
    """A solve that takes its process down every time, like a crash in native code."""
    os._exit(3)
