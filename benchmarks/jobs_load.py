"""`python -m benchmarks.jobs_load`: 200 plan jobs through Redis with one and with two `capplan worker` processes.

A real Redis and a real `capplan serve` on loopback (started as the tests start them, `tests/live_servers.py`),
then for each worker count: start the workers, warm them up, submit every job over HTTP, poll until all are
final. Each job plans a generated S backlog (30 issues, 5 owners; a different seed each) with one search
worker, so solving, not queue overhead, is measured. Checks: every job succeeded, once (one attempt, one stored
result), with a plan the independent checker passes. Reports jobs per second and the ratio of the two runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import redis

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from benchmarks.generator import SIZES, generate
from benchmarks.machine import describe_machine
from checker.schedule_checker import check_schedule
from service.jobs.redis_backend import job_key
from tests.live_servers import ROOT, running_redis, running_server, wait_until_healthy

RESULTS = ROOT / "benchmarks" / "results" / "jobs-load.json"
#: Each job's time limit: short, so 200 jobs on one worker take minutes, not an hour.
TIME_LIMIT_S = 1.0
FINAL = ("succeeded", "failed", "cancelled")


def _log(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def requests_of(count: int) -> list[PlanRequest]:
    """`count` S backlogs, seeds 0..count-1, one search worker each."""
    requests = []
    for seed in range(count):
        request = generate(SIZES["S"], seed=seed, time_limit_s=TIME_LIMIT_S)
        request.options.workers = 1
        requests.append(request)
    return requests


@contextmanager
def workers(count: int, queue_url: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` workers of one job at a time each, stopped (SIGTERM) afterwards."""
    environment = {**os.environ, "CAPPLAN_QUEUE_URL": queue_url, "CAPPLAN_WORKERS": "1",
                   "CAPPLAN_LOG_LEVEL": "WARNING", "CAPPLAN_MAX_TIME_LIMIT_S": "10"}
    processes = [
        subprocess.Popen([sys.executable, "-c", "from service.cli import main; main()", "worker"], cwd=ROOT,
                         env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def _submit_all(client: httpx.Client, requests: list[PlanRequest]) -> list[str]:
    ids = []
    for request in requests:
        answer = client.post("/v1/jobs", json={"kind": "plan", "request": request.model_dump(mode="json")})
        answer.raise_for_status()
        ids.append(answer.json()["id"])
    return ids


def _wait_all(client: httpx.Client, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Poll every job until all are final."""
    jobs: dict[str, dict[str, Any]] = {}
    pending = list(ids)
    pause = threading.Event()
    while pending:
        still = []
        for job_id in pending:
            job = client.get(f"/v1/jobs/{job_id}").json()
            if job["status"] in FINAL:
                jobs[job_id] = job
            else:
                still.append(job_id)
        pending = still
        if pending:
            pause.wait(0.2)
    return jobs


def run(count: int, worker_counts: list[int]) -> dict[str, Any]:
    """Every worker count in turn on the same jobs; the figures and checks of each."""
    requests = requests_of(count)
    runs: list[dict[str, Any]] = []
    with running_redis() as queue_url:
        store = redis.Redis.from_url(queue_url, decode_responses=True)
        # WARNING: the server's stdout is a pipe no one reads while it runs; access logs would fill it.
        settings = {"queue_url": queue_url, "job_queue_max": str(10 * count), "pool": "thread",
                    "max_time_limit_s": "10", "log_level": "WARNING"}
        with running_server(**settings) as (base_url, server):
            wait_until_healthy(base_url, server)
            with httpx.Client(base_url=base_url, timeout=60) as client:
                for worker_count in worker_counts:
                    with workers(worker_count, queue_url):
                        # Warm-up: each worker imports the solver and starts its solver process.
                        _wait_all(client, _submit_all(client, requests[: 2 * worker_count]))
                        _log(f"{worker_count} worker(s) warm; submitting {count} jobs")
                        load_before = os.getloadavg()[0]
                        started = time.monotonic()
                        ids = _submit_all(client, requests)
                        jobs = _wait_all(client, ids)
                        seconds = time.monotonic() - started
                    runs.append(_checked_run(worker_count, count, seconds, ids, jobs, requests, store))
                    # The machine's 1-minute load before and after: other work on it changes what a worker gets.
                    runs[-1]["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
                    _log(json.dumps(runs[-1]))
    one = next((r for r in runs if r["workers"] == 1), None)
    for entry in runs:
        entry["throughput_vs_one_worker"] = round(entry["jobs_per_s"] / one["jobs_per_s"], 2) if one else None
    return {"machine": describe_machine(ROOT), "jobs": count, "time_limit_s": TIME_LIMIT_S, "runs": runs}


def _checked_run(
    worker_count: int, count: int, seconds: float, ids: list[str], jobs: dict[str, dict[str, Any]],
    requests: list[PlanRequest], store: redis.Redis,
) -> dict[str, Any]:
    succeeded = [job_id for job_id in ids if jobs[job_id]["status"] == "succeeded"]
    stored: list[Any] = [store.hget(job_key(job_id), "stored") for job_id in ids]
    once = sum(1 for value in stored if value == "1")
    attempts = sum(1 for job_id in ids if jobs[job_id]["attempts"] == 1)
    clean = sum(
        1 for job_id, request in zip(ids, requests, strict=True)
        if jobs[job_id]["status"] == "succeeded"
        and not check_schedule(request, PlanResult.model_validate(jobs[job_id]["result"]))
    )
    return {
        "workers": worker_count,
        "seconds": round(seconds, 2),
        "jobs_per_s": round(count / seconds, 3),
        "succeeded": len(succeeded),
        "lost": count - len(jobs),
        "distinct_ids": len(set(ids)),
        "stored_once": once,
        "one_attempt": attempts,
        "checker_clean": clean,
    }


def main(argv: list[str] | None = None) -> int:
    """Run, print the summary, write benchmarks/results/jobs-load.json."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jobs_load", description=__doc__)
    parser.add_argument("--jobs", type=int, default=200, help="jobs per run (200)")
    parser.add_argument("--workers", default="1,2", help="worker counts to run, comma separated (1,2)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    options = parser.parse_args(argv)
    report = run(options.jobs, [int(part) for part in options.workers.split(",")])
    options.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for entry in report["runs"]:
        print(
            f"{entry['workers']} worker(s): {entry['succeeded']}/{report['jobs']} succeeded in {entry['seconds']} s, "
            f"{entry['jobs_per_s']} jobs/s, x{entry['throughput_vs_one_worker']} of one worker; lost "
            f"{entry['lost']}, stored once {entry['stored_once']}, one attempt {entry['one_attempt']}, "
            f"checker-clean {entry['checker_clean']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
