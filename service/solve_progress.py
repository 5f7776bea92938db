"""A plan's progress as a job reports it: `plan()`'s typed hook turned into small payloads, at a bounded rate.

Runs inside the solve worker, so the numbers cross the pipe (or reach the loop) a few times a second, not on each
of CP-SAT's solutions, and the best plan so far is built and checked at most once a second, and less often when
that costs more than a tenth of the time (large backlogs).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from service.progress_channel import Sink
from solver.planner import PlanProgress
from solver.verification import PlanCheckError

logger = logging.getLogger(__name__)

#: Least time between two progress payloads of one solve (numbers only), in seconds.
PROGRESS_INTERVAL_S = 0.5
#: Least time between two best plans sent: building and checking one costs up to a fraction of a second (XL).
PLAN_INTERVAL_S = 1.0
#: And at least this many times what the last one cost, so that reporting plans takes at most a tenth of the search.
PLAN_COST_FACTOR = 10.0


def gap_of(value: int, bound: int) -> float:
    """The relative gap of one level, as `PlanResult.gap` counts it."""
    return round(max(value - bound, 0) / max(abs(value), 1), 6)


class ProgressReporter:
    """`plan()`'s `on_progress` hook for a job: sends {level, levels_*, value, bound, gap, best_plan} to `sink`."""

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._lock = threading.Lock()
        self._last_sent = float("-inf")
        self._next_plan = float("-inf")

    def __call__(self, progress: PlanProgress) -> None:
        """Send the step unless one went out under PROGRESS_INTERVAL_S ago; with a plan when one is due."""
        step = progress.step
        now = time.monotonic()
        with self._lock:
            with_plan = progress.best_plan is not None and now >= self._next_plan
            if not with_plan and now - self._last_sent < PROGRESS_INTERVAL_S:
                return
            payload: dict[str, Any] = {
                "level": step.level,
                "levels_total": step.levels_total,
                "levels_proven": step.levels_proven,
                "value": step.value,
                "bound": step.bound,
                "gap": gap_of(step.value, step.bound),
            }
            if with_plan and progress.best_plan is not None:
                try:
                    payload["best_plan"] = progress.best_plan().model_dump(mode="json")
                except PlanCheckError as error:  # a bug: never shown, logged with what the checker found
                    logger.error("a plan in progress failed its independent check: %s", error)
                cost = time.monotonic() - now
                self._next_plan = now + max(PLAN_INTERVAL_S, PLAN_COST_FACTOR * cost)
            self._last_sent = now
            self._sink(payload)
