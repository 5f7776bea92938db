"""The forecast benchmark: plan a generated instance, then time its Monte Carlo forecast and measure its memory.

The plan is made once (its time is not the forecast's); the forecast runs `REPEATS` times, and once more under
tracemalloc for the peak of what it allocates (numpy's arrays included), which chunking keeps bounded. Besides
the wall time, the process's CPU time and the machine's load average are recorded: on a shared machine the
CPU time is what the forecast itself costs (it is single-threaded), the wall time what a caller waited.
"""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
from typing import Any

from api_schemas.request import ForecastOptions
from api_schemas.result import IssueStatus
from benchmarks.instances import InstanceSpec, describe
from benchmarks.memory import peak_rss_mib
from solver.forecast import with_forecast
from solver.planner import plan

#: Timed runs of the forecast (the median is reported, with the best).
REPEATS = 3
#: What the issue asks of 10,000 samples, in seconds, per size.
TARGETS_S = {"M": 0.5, "XL": 5.0}


def run_forecast(spec: InstanceSpec, samples: int) -> dict[str, Any]:
    """Plan `spec`, then forecast the plan `REPEATS` times with `samples` samples; times, memory and a summary."""
    request = spec.request()
    started = time.perf_counter()
    result = plan(request, with_recommendations=False)
    plan_s = time.perf_counter() - started
    options = ForecastOptions(samples=samples)
    times, cpu = [], []
    load_before = os.getloadavg()[0]
    for _ in range(REPEATS):
        started, cpu_started = time.perf_counter(), time.process_time()
        forecast = with_forecast(request, result, options)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    tracemalloc.start()
    with_forecast(request, result, options)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    chances = [m.p_on_time for m in forecast.milestones if m.p_on_time is not None]
    return {
        "instance": spec.as_dict(),
        "status": result.status.value,
        "counts": describe(request),
        "planned_issues": sum(1 for issue in result.issues if issue.status == IssueStatus.PLANNED),
        "samples": samples,
        "plan_s": round(plan_s, 3),
        "wall_s": round(statistics.median(times), 3),
        "best_s": round(min(times), 3),
        "cpu_s": round(statistics.median(cpu), 3),
        "load_average": round((load_before + os.getloadavg()[0]) / 2, 1),
        "target_s": TARGETS_S.get(spec.size),
        "traced_peak_mib": round(traced_peak / 2**20, 1),
        "peak_rss_mib": peak_rss_mib(),
        "milestones_forecast": len(chances),
        "median_p_on_time": round(statistics.median(chances), 4) if chances else None,
    }
