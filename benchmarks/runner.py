"""Run the suite: every job in its own process (so its peak memory is its own), one after another.

Jobs run sequentially so timings are not disturbed. STG cases are solved with `workers` CP-SAT workers each,
`stg_parallel` graphs at a time (1 in both suites: a case gets the whole machine, as a planner's solve does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api_schemas.request import SolveMode
from benchmarks.instances import IDENTICAL, MIXED, InstanceSpec
from benchmarks.machine import describe_machine
from benchmarks.speed import speed_probe
from benchmarks.stg import read_cases

ROOT = Path(__file__).resolve().parent.parent
Log = Callable[[str], None]


@dataclass(frozen=True)
class SuiteConfig:
    """What to run: sizes with their time limits, baselines, what-if and the STG selection."""

    sizes: tuple[str, ...]
    time_limits_s: dict[str, tuple[float, ...]]
    fast_time_limit_s: float
    baseline_time_limit_s: float
    workers: int
    whatif_sizes: tuple[str, ...]
    whatif_time_limit_s: float
    stg_graph_step: int
    stg_graph_count: int | None
    stg_time_limit_s: float
    stg_parallel: int
    recommendation_sizes: tuple[str, ...] = ()
    #: Sizes whose plan gets the forecast benchmark, and its samples.
    forecast_sizes: tuple[str, ...] = ("M", "XL")
    forecast_samples: int = 10_000
    fast_sizes: tuple[str, ...] = ("S", "M", "L", "XL")
    #: Churn after single changes (`benchmarks.churn`): sizes, changes per size, time limit of each re-plan.
    churn_changes: dict[str, int] = field(default_factory=dict)
    churn_time_limit_s: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    job_timeout_s: float = 900.0
    notes: list[str] = field(default_factory=list)


QUICK = SuiteConfig(
    sizes=("S",), time_limits_s={"S": (5.0,)}, fast_time_limit_s=5.0, baseline_time_limit_s=5.0, workers=2,
    whatif_sizes=("S",), whatif_time_limit_s=3.0, stg_graph_step=1, stg_graph_count=2, stg_time_limit_s=5.0,
    stg_parallel=1, recommendation_sizes=("S",), forecast_sizes=("S",), churn_changes={"S": 5},
    churn_time_limit_s={"S": 2.0},
)
FULL = SuiteConfig(
    sizes=("S", "M", "L", "XL"),
    time_limits_s={"S": (10.0, 30.0), "M": (10.0, 30.0), "L": (10.0, 30.0), "XL": (10.0, 30.0, 60.0)},
    fast_time_limit_s=10.0, baseline_time_limit_s=10.0, workers=2, whatif_sizes=("M", "L"),
    whatif_time_limit_s=10.0, stg_graph_step=9, stg_graph_count=None, stg_time_limit_s=10.0, stg_parallel=1,
    recommendation_sizes=("S", "M", "L"), fast_sizes=("S", "M", "L"),
    # 20 changes on M and L at the default 10 s a re-plan (about 10 minutes for both: at 3 s an L plan is its start
    # alone, and a base that weak lets any re-plan gain lateness by moving everything); XL: two changes, for the
    # time to the first checked plan with a baseline.
    churn_changes={"M": 20, "L": 20, "XL": 2}, churn_time_limit_s={"M": 10.0, "L": 10.0, "XL": 10.0},
)


def run_job(job: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Run one job in a fresh `python -m benchmarks.worker` process; errors become an `error` entry."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.worker"], input=json.dumps(job), capture_output=True, text=True,
            cwd=ROOT, env=env, timeout=timeout_s, check=False,
        )
    except subprocess.TimeoutExpired:
        return {"kind": job["kind"], "job": job, "error": f"no answer within {timeout_s:.0f} s"}
    elapsed = round(time.monotonic() - started, 3)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-5:]
        return {"kind": job["kind"], "job": job, "error": f"exit {done.returncode}: " + " | ".join(tail)}
    answer = json.loads(lines[-1])
    if isinstance(answer, dict):
        return {"kind": job["kind"], "process_s": elapsed, **answer}
    return {"kind": job["kind"], "process_s": elapsed, "rows": answer}


def _instance(config: SuiteConfig, size: str, limit: float, variant: str = MIXED,
              mode: SolveMode = SolveMode.DETERMINISTIC) -> dict[str, Any]:
    return InstanceSpec(size, config.seed, variant, limit, mode.value).as_dict()


def size_jobs(config: SuiteConfig, size: str) -> list[dict[str, Any]]:
    """Per size: greedy, capplan at each limit, fast mode, identical owners with PyJobShop, recommendations, what-if."""
    first = config.time_limits_s[size][0]
    jobs: list[dict[str, Any]] = [{"kind": "greedy", "instance": _instance(config, size, first)}]
    jobs += [{"kind": "capplan", "instance": _instance(config, size, limit)} for limit in config.time_limits_s[size]]
    if size in config.fast_sizes:
        fast = config.fast_time_limit_s
        jobs.append({"kind": "capplan", "instance": _instance(config, size, fast, mode=SolveMode.FAST)})
    base = config.baseline_time_limit_s
    jobs.append({"kind": "greedy", "instance": _instance(config, size, base, IDENTICAL)})
    jobs.append({"kind": "capplan", "instance": _instance(config, size, base, IDENTICAL, SolveMode.FAST)})
    jobs.append({"kind": "pyjobshop", "instance": _instance(config, size, base, IDENTICAL), "workers": config.workers})
    if size in config.recommendation_sizes:
        jobs.append({"kind": "capplan", "instance": _instance(config, size, first), "recommendations": True})
    if size in config.whatif_sizes:
        jobs.append({"kind": "whatif", "instance": _instance(config, size, config.whatif_time_limit_s)})
    if size in config.churn_changes:
        instance = _instance(config, size, config.churn_time_limit_s[size])
        jobs.append({"kind": "churn", "instance": instance, "changes": config.churn_changes[size]})
    if size in config.forecast_sizes:
        jobs.append(forecast_job(config, size))
    return jobs


def forecast_job(config: SuiteConfig, size: str) -> dict[str, Any]:
    """The forecast of the size's plan at its first time limit."""
    limit = config.time_limits_s.get(size, (config.fast_time_limit_s,))[0]
    return {"kind": "forecast", "instance": _instance(config, size, limit), "samples": config.forecast_samples}


def run_forecasts(config: SuiteConfig, log: Log) -> dict[str, Any]:
    """Only the forecast jobs (`python -m benchmarks --forecast`), with the machine's description."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    speed_before = speed_probe()
    records = []
    for size in config.forecast_sizes:
        record = run_job(forecast_job(config, size), config.job_timeout_s)
        records.append(record)
        log(_one_line(record))
    return {
        "started": started_at,
        "duration_s": round(time.monotonic() - started, 1),
        "machine": {**describe_machine(ROOT), "speed_before": speed_before, "speed_after": speed_probe()},
        "records": records,
    }


def stg_jobs(config: SuiteConfig) -> list[dict[str, Any]]:
    """One job per selected graph (its 2, 4, 8 and 16 processor cases)."""
    by_graph: dict[str, list[dict[str, Any]]] = {}
    for case in read_cases():
        by_graph.setdefault(case.graph_file, []).append(asdict(case))
    graphs = sorted(by_graph)[:: config.stg_graph_step][: config.stg_graph_count]
    return [
        {"kind": "stg", "cases": by_graph[graph], "time_limit_s": config.stg_time_limit_s, "workers": config.workers}
        for graph in graphs
    ]


def run_suite(config: SuiteConfig, log: Log, include_stg: bool = True) -> dict[str, Any]:
    """Run every job of the configuration and return the raw records with the machine's description."""
    started = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    speed_before = speed_probe()
    log(f"machine speed: {_speed_words(speed_before)}")
    records: list[dict[str, Any]] = []
    for size in config.sizes:
        for job in size_jobs(config, size):
            record = run_job(job, config.job_timeout_s)
            records.append(record)
            log(_one_line(record))
    stg_rows: list[dict[str, Any]] = []
    if include_stg:
        jobs = stg_jobs(config)
        log(f"STG: {len(jobs)} graphs on {config.stg_parallel} processes, {config.stg_time_limit_s:g} s per case")
        with ThreadPoolExecutor(max_workers=config.stg_parallel) as pool:
            for record in pool.map(lambda job: run_job(job, config.job_timeout_s), jobs):
                if "error" in record:
                    records.append(record)
                    log(_one_line(record))
                stg_rows.extend(record.get("rows", []))
    speed_after = speed_probe()
    log(f"machine speed: {_speed_words(speed_after)}")
    return {
        "started": started_at,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 1),
        "machine": {**describe_machine(ROOT), "speed_before": speed_before, "speed_after": speed_after},
        "config": asdict(config),
        "records": records,
        "stg_rows": stg_rows,
    }


def _speed_words(speed: dict[str, Any]) -> str:
    """The probe's two figures in words."""
    return (
        f"Python loop {speed['python_loop_s']:.3f} s, CP-SAT {speed['cpsat_wall_per_deterministic_s']:.1f} wall s "
        "per deterministic s (lower is faster)"
    )


def _one_line(record: dict[str, Any]) -> str:
    """A progress line for the console."""
    instance = record.get("instance") or record.get("job", {}).get("instance", {})
    label = f"{record['kind']:9} {instance.get('size', '')}/{instance.get('variant', '')}"
    label += f" {instance.get('mode', '')} {instance.get('time_limit_s', '')} s"
    label += " with recommendations" if record.get("recommendations") else ""
    if "error" in record:
        return f"{label}: ERROR {record['error']}"
    if record["kind"] == "forecast":
        return f"{label}: {record['samples']} samples in {record['wall_s']:.2f} s (median of the runs)"
    return f"{label}: {record.get('status', '')} in {record.get('process_s', 0):.1f} s"
