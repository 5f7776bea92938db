"""Helpers of the job tests (no tests here): a solve function steered by the request, and worker processes.

`steered_plan` is what the test workers solve with (`capplan worker --solve tests.jobs_support:steered_plan`):
the real solver (`plan_checked`, with its progress), unless the first issue's title asks for a fault:
- "SLEEP": write a marker named after the worker's pid, then sleep an hour (a solve only a kill stops);
- "MARK": write the marker, wait a second, then plan (a job to kill its worker under);
- "CRASH-WORKER": kill the `capplan worker` running it, every time (a request that crashes its worker; never in
  the embedded back end, where the solver's parent is the test itself);
- "CRASH": end its own solver process, every time (a crash in native code).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.solve_job import plan_checked
from solver.intake.limits import Limits
from tests.live_servers import PATIENCE_S, ROOT

#: Where `steered_plan` writes its markers (set for the worker processes).
MARKERS_VARIABLE = "CAPPLAN_TEST_JOB_MARKERS"


def steered_plan(request: PlanRequest, limits: Limits, *, warm_start: PlanResult | None = None) -> PlanResult:
    """The real solve, or the fault the first issue's title names (see the module docstring)."""
    title = request.issues[0].title if request.issues else ""
    markers = Path(os.environ.get(MARKERS_VARIABLE, "."))
    worker = os.getppid()  # this runs in a solver process; its parent is the `capplan worker`
    if title == "CRASH-WORKER":
        os.kill(worker, signal.SIGKILL)
        os._exit(3)
    if title == "CRASH":
        os._exit(3)
    if title in ("SLEEP", "MARK"):
        (markers / f"{title}-{worker}").write_text(str(os.getpid()))
        time.sleep(3600 if title == "SLEEP" else 1)
    return plan_checked(request, limits, warm_start=warm_start)


def wait_for(condition: Callable[[], Any], what: str) -> Any:
    """Poll `condition()` until it returns something true, and return that (a state awaited, not a timing claim)."""
    pause = threading.Event()
    for _ in range(PATIENCE_S * 20):
        value = condition()
        if value:
            return value
        pause.wait(0.05)
    raise AssertionError(f"never happened: {what}")


def process_exists(pid: int) -> bool:
    """Whether a process with this id is alive (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


class Workers:
    """`capplan worker` processes kept at a count: one that dies is started again (as compose's restart policy)."""

    def __init__(self, count: int, environment: dict[str, str]) -> None:
        self.environment = environment
        self.processes: list[subprocess.Popen[bytes]] = []
        self.started = 0
        self._count = count
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._keeper = threading.Thread(target=self._keep, daemon=True)

    def __enter__(self) -> Workers:
        with self._lock:
            for _ in range(self._count):
                self.processes.append(self._start())
        self._keeper.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._keeper.join()
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _start(self) -> subprocess.Popen[bytes]:
        self.started += 1
        return subprocess.Popen(
            [sys.executable, "-c", "from service.cli import main; main()", "worker",
             "--solve", "tests.jobs_support:steered_plan"],
            cwd=ROOT, env=self.environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def _keep(self) -> None:
        while not self._stop.wait(0.2):
            with self._lock:
                for index, process in enumerate(self.processes):
                    if process.poll() is not None:
                        self.processes[index] = self._start()

    @property
    def pids(self) -> list[int]:
        """The live workers' process ids."""
        with self._lock:
            return [process.pid for process in self.processes if process.poll() is None]


def worker_environment(queue_url: str, markers: Path, **settings: str) -> dict[str, str]:
    """The environment of test workers: the queue, small time limits, a short lease, the markers' folder."""
    return {
        **os.environ,
        "CAPPLAN_QUEUE_URL": queue_url,
        "CAPPLAN_WORKERS": "1",
        "CAPPLAN_DEFAULT_TIME_LIMIT_S": "2",
        "CAPPLAN_MAX_TIME_LIMIT_S": "3",
        "CAPPLAN_JOB_LEASE_S": "3",
        "CAPPLAN_JOB_MAX_ATTEMPTS": "2",
        "CAPPLAN_LOG_LEVEL": "WARNING",
        MARKERS_VARIABLE: str(markers),
        **{f"CAPPLAN_{name.upper()}": value for name, value in settings.items()},
    }


def events_of(client: Any, path: str, headers: dict[str, str] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """Every server-sent event of a job stream until it closes, as (event name, job)."""
    events: list[tuple[str, dict[str, Any]]] = []
    name = ""
    with client.stream("GET", path, headers=headers or {}) as stream:
        assert stream.status_code == 200, stream.read()
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
    return events


@contextlib.contextmanager
def http_client(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client of a live server."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client
