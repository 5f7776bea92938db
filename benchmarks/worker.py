"""Run one benchmark job in a fresh process, so its peak memory is its own: JSON job on stdin, JSON on stdout.

`python -m benchmarks.worker` reads `{"kind": ..., ...}` and prints one JSON object as its last line.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from benchmarks.instances import InstanceSpec


def run_job(job: dict[str, Any]) -> Any:
    """Dispatch a job description to the code that runs it."""
    kind = job["kind"]
    if kind == "stg":
        from benchmarks.stg import run_stg_batch

        return run_stg_batch(job["cases"], job["time_limit_s"], job["workers"])
    spec = InstanceSpec.from_dict(job["instance"])
    if kind == "capplan":
        from benchmarks.capplan_run import run_capplan

        return run_capplan(spec, bool(job.get("recommendations", False)), bool(job.get("first_plan", False)))
    if kind == "fill":
        from benchmarks.fill_run import run_fill

        return run_fill(spec)
    if kind == "greedy":
        from benchmarks.baselines import run_greedy

        return run_greedy(spec)
    if kind == "pyjobshop":
        from benchmarks.baselines import run_pyjobshop

        return run_pyjobshop(spec, job["workers"])
    if kind == "churn":
        from benchmarks.churn import run_churn

        return run_churn(spec, job["changes"])
    if kind == "forecast":
        from benchmarks.forecast_run import run_forecast

        return run_forecast(spec, job["samples"])
    if kind == "whatif":
        from benchmarks.whatif import run_whatif

        return run_whatif(spec)
    raise ValueError(f"unknown job kind {kind!r}")


def main() -> None:
    """Read the job, run it, print its JSON answer."""
    job = json.loads(sys.stdin.read())
    sys.stdout.write(json.dumps(run_job(job)) + "\n")


if __name__ == "__main__":
    main()
