"""The solve pool: 503 under saturation, health while busy, killing abandoned solves, surviving dead workers."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import threading
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from checker.schedule_checker import check_schedule
from service.admission import KeyLimits, PoolAdmission
from service.app import create_app
from service.disconnect import unless_disconnected
from service.middleware import ClientGoneError
from service.pool import ProcessBackend, SolvePool, SolverCrashedError, ThreadBackend
from service.problems import ProblemError
from service.worker_process import JobFailedError
from tests.test_service_support import (
    GATE_OPEN,
    MARKERS_VARIABLE,
    SOLVE_STARTED,
    add,
    crashing_plan,
    exit_abruptly,
    gated_plan,
    plan_after_marking,
    raise_value_error,
    service_settings,
    sleep_after_marking,
    small_request,
)

#: A generous bound for waiting on conditions (never reached unless something is broken).
PATIENCE_S = 60


@pytest.fixture
def gate() -> Iterator[None]:
    """A closed gate for `gated_plan`, opened again whatever the test does."""
    SOLVE_STARTED.clear()
    GATE_OPEN.clear()
    try:
        yield
    finally:
        GATE_OPEN.set()


def _wait_for(condition: Any, what: str) -> None:
    """Poll `condition()` until true (a state the test is waiting for, not a timing claim)."""
    done = threading.Event()
    for _ in range(PATIENCE_S * 100):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError(f"never saw: {what}")


def _post_in_background(client: TestClient, results: list[Any]) -> threading.Thread:
    thread = threading.Thread(target=lambda: results.append(client.post("/v1/plans", json=small_request())))
    thread.start()
    return thread


def test_a_full_pool_answers_503_with_retry_after_and_health_stays_up(gate: None) -> None:
    app = create_app(service_settings(workers=1, queue_depth=0), solve=gated_plan)
    with TestClient(app) as client:
        results: list[Any] = []
        holder = _post_in_background(client, results)
        assert SOLVE_STARTED.wait(PATIENCE_S)

        busy = client.post("/v1/plans", json=small_request())
        assert busy.status_code == 503 and busy.headers["content-type"] == "application/problem+json"
        assert busy.json()["type"] == "/problems/service-busy"
        assert int(busy.headers["retry-after"]) >= 1
        assert client.get("/readyz").status_code == 503  # not ready for more work either
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["solves_running"] == 1

        GATE_OPEN.set()
        holder.join(PATIENCE_S)
        assert results[0].status_code == 200
        assert client.post("/v1/plans", json=small_request()).status_code == 200  # room again


def test_the_queue_holds_requests_until_it_is_full(gate: None) -> None:
    app = create_app(service_settings(workers=1, queue_depth=1), solve=gated_plan)
    with TestClient(app) as client:
        results: list[Any] = []
        first = _post_in_background(client, results)
        assert SOLVE_STARTED.wait(PATIENCE_S)
        second = _post_in_background(client, results)
        _wait_for(lambda: client.get("/healthz").json()["solves_waiting"] == 1, "a solve waiting in the queue")

        assert client.post("/v1/plans", json=small_request()).status_code == 503
        scenario = {"name": "s", "patch": [{"op": "remove", "path": "/issues/4"}]}
        base = small_request()
        base["options"]["time_limit_s"] = 1  # 2 solves of 1 s: within one request's share, but not in a full pool
        what_if = {"base": base, "scenarios": [scenario]}
        assert client.post("/v1/plans/what-if", json=what_if).status_code == 503

        GATE_OPEN.set()
        first.join(PATIENCE_S)
        second.join(PATIENCE_S)
        assert [r.status_code for r in results] == [200, 200]
        assert results[0].json()["issues"] == results[1].json()["issues"]


def test_admission_is_by_work_all_or_nothing_and_caps_one_request() -> None:
    settings = service_settings(workers=1, queue_depth=1, default_time_limit_s=2, max_time_limit_s=3,
                                max_request_share=0.7)
    pool = SolvePool(ThreadBackend(1), workers=1, queue_depth=1)
    admission = PoolAdmission(settings, pool)
    assert admission.capacity_s == 4  # (1 worker + 1 queued) x the 2 s default
    assert admission.request_limit_s == 3  # 70% of 4 is 2.8, but one solve at the 3 s cap always fits
    with admission.admit([3]):
        with pytest.raises(ProblemError) as busy:
            admission.admit([2])  # 3 + 2 > 4
        assert busy.value.status == 503 and busy.value.headers["Retry-After"] == "2"
        with admission.admit([1]):  # 3 + 1 fits
            assert (pool.admitted_solves, pool.admitted_work_s, pool.waiting) == (2, 4, 2)
    with pytest.raises(ProblemError) as costly:
        admission.admit([2, 2], "what-if request", ["scenarios"])  # 4 s of work, over one request's 3 s
    [problem] = costly.value.errors
    assert costly.value.status == 422 and problem.code == "request_too_costly" and problem.loc == ["scenarios"]
    assert "at most 3 s" in problem.message and "CAPPLAN_MAX_REQUEST_SHARE" in problem.message
    assert (pool.admitted_solves, pool.admitted_work_s) == (0, 0)


def test_one_request_runs_on_its_share_of_the_workers() -> None:
    for workers, share, expected in [(1, 0.5, 1), (2, 0.5, 1), (4, 0.5, 2), (4, 1.0, 4), (3, 0.3, 1)]:
        pool = SolvePool(ThreadBackend(workers), workers=workers, queue_depth=0)
        settings = service_settings(workers=workers, max_request_share=share)
        assert PoolAdmission(settings, pool).request_workers == expected


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_cancelled_solve_kills_its_worker_and_a_fresh_one_takes_over(tmp_path: Path) -> None:
    marker = tmp_path / "started"

    async def scenario() -> tuple[int, int]:
        backend = ProcessBackend(workers=1)
        await backend.start()
        try:
            task = asyncio.ensure_future(backend.run(sleep_after_marking, str(marker)))
            while not (marker.exists() and marker.read_text()):  # the job is running and has written its pid
                await asyncio.sleep(0.01)
            killed_pid = int(marker.read_text())
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await backend.run(add, 2, 3) == 5  # served by the replacement
            assert killed_pid not in backend.pids
            return killed_pid, len(backend.pids)
        finally:
            await backend.stop()

    killed_pid, live = asyncio.run(asyncio.wait_for(scenario(), PATIENCE_S))
    assert not _alive(killed_pid)
    assert live == 1


def test_a_job_that_kills_its_worker_twice_gives_up_and_a_failing_job_keeps_its_worker() -> None:
    async def scenario() -> None:
        backend = ProcessBackend(workers=1)
        try:
            with pytest.raises(SolverCrashedError):  # it died, was replaced, ran again and died again
                await backend.run(exit_abruptly)
            assert await backend.run(add, 1, 1) == 2
            [pid] = backend.pids
            with pytest.raises(JobFailedError, match="ValueError: bad job"):
                await backend.run(raise_value_error)
            assert backend.pids == [pid]
        finally:
            await backend.stop()
        assert backend.pids == []

    asyncio.run(asyncio.wait_for(scenario(), PATIENCE_S))


def test_a_client_that_disconnects_cancels_its_work() -> None:
    async def scenario() -> bool:
        client_left = asyncio.Event()
        cancelled = asyncio.Event()

        async def receive() -> dict[str, Any]:
            await client_left.wait()
            return {"type": "http.disconnect"}

        async def endless_solve() -> int:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.set()
                raise
            return 0

        waiting = asyncio.ensure_future(unless_disconnected(receive, endless_solve()))
        await asyncio.sleep(0)
        client_left.set()
        with pytest.raises(ClientGoneError):
            await waiting
        return cancelled.is_set()

    assert asyncio.run(asyncio.wait_for(scenario(), PATIENCE_S))


def test_work_that_finishes_first_is_returned() -> None:
    async def scenario() -> int:
        async def receive() -> dict[str, Any]:
            await asyncio.Event().wait()
            return {"type": "http.disconnect"}

        async def quick() -> int:
            return 7

        return await unless_disconnected(receive, quick())

    assert asyncio.run(scenario()) == 7


def test_the_plan_endpoint_abandons_a_solve_whose_client_left(gate: None, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(service_settings(workers=1, queue_depth=0), solve=gated_plan)
    body = json.dumps(small_request()).encode()
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop()
        await asyncio.to_thread(SOLVE_STARTED.wait, PATIENCE_S)  # the client leaves once its solve runs
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/v1/plans", "raw_path": b"/v1/plans", "query_string": b"", "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }
    with caplog.at_level(logging.INFO, logger="service.access"):
        asyncio.run(asyncio.wait_for(app(scope, receive, send), PATIENCE_S))
    assert sent == []  # nobody is left to answer
    assert app.state.planning.pool.running == 0 and app.state.planning.pool.waiting == 0
    [record] = [r for r in caplog.records if r.name == "service.access"]
    assert record.__dict__["outcome"] == "client_disconnected"


# --- workers that die ---------------------------------------------------------------------------------------


def _dead(pid: int) -> bool:
    """Gone, or a zombie waiting to be reaped (killed but not yet collected by the pool)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _checked_plan(response: Any) -> None:
    assert response.status_code == 200, response.text
    result = PlanResult.model_validate(response.json())
    assert check_schedule(PlanRequest.model_validate(small_request()), result) == []


def test_a_worker_that_died_while_idle_is_replaced_before_it_gets_work(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(service_settings(workers=1, queue_depth=0, pool="process"))
    with TestClient(app) as client, caplog.at_level(logging.WARNING, logger="service.pool"):
        backend = app.state.planning.pool.backend
        [pid] = backend.pids
        os.kill(pid, signal.SIGKILL)
        _wait_for(lambda: _dead(pid), "the idle worker dead")

        _checked_plan(client.post("/v1/plans", json=small_request()))

        assert pid not in backend.pids and len(backend.pids) == 1
    assert any("died while idle" in record.getMessage() for record in caplog.records)


def test_a_worker_killed_mid_solve_is_replaced_and_the_solve_runs_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MARKERS_VARIABLE, str(tmp_path))  # the workers read it: set before they start
    app = create_app(service_settings(workers=1, queue_depth=0, pool="process"), solve=plan_after_marking)
    with TestClient(app) as client:
        results: list[Any] = []
        poster = _post_in_background(client, results)
        _wait_for(lambda: any(path.name.isdigit() for path in tmp_path.iterdir()), "the solve running")
        [first] = [int(path.name) for path in tmp_path.iterdir()]
        os.kill(first, signal.SIGKILL)
        _wait_for(lambda: len(list(tmp_path.iterdir())) == 2, "the solve running again on a fresh worker")
        (tmp_path / "go").write_text("")
        poster.join(PATIENCE_S)

        _checked_plan(results[0])
        assert first not in app.state.planning.pool.backend.pids


def test_a_solve_whose_worker_dies_twice_is_a_503_solver_crashed_with_retry_after() -> None:
    app = create_app(service_settings(workers=1, queue_depth=0, pool="process"), solve=crashing_plan)
    with TestClient(app) as client:
        response = client.post("/v1/plans", json=small_request())
        assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["type"] == "/problems/solver-crashed" and body["status"] == 503
        assert "retried" in body["detail"] and body["request_id"] in response.headers["x-request-id"]
        assert int(response.headers["retry-after"]) >= 1
        assert client.get("/healthz").status_code == 200
        _wait_for(lambda: len(app.state.planning.pool.backend.pids) == 1, "a fresh worker in place")


@pytest.mark.parametrize("pool", ["thread", "process"])
def test_an_app_whose_lifespan_runs_again_still_solves(pool: str) -> None:
    """Stopping the pool and starting it again (a test client entered twice) gives working workers again."""
    app = create_app(service_settings(workers=1, pool=pool))
    for _ in range(2):
        with TestClient(app) as client:
            assert client.get("/readyz").status_code == 200


def test_key_limits_count_requests_in_progress_and_refill_a_minutes_worth_of_tokens() -> None:
    now = [0.0]
    limits = KeyLimits(concurrency=2, rate_per_minute=6, retry_busy_s=5, clock=lambda: now[0])
    with limits.hold("a"), limits.hold("a"):
        with pytest.raises(ProblemError) as busy, limits.hold("a"):
            pass
        assert busy.value.status == 429 and busy.value.headers["Retry-After"] == "5"
        with limits.hold("b"):  # another key has its own count
            pass
    for _ in range(4):  # 2 of the 6 tokens went above (a refused request takes none)
        with limits.hold("a"):
            pass
    with pytest.raises(ProblemError) as limited, limits.hold("a"):
        pass
    assert limited.value.headers["Retry-After"] == "10"  # a token every 10 s at 6 a minute
    now[0] = 10.0
    with limits.hold("a"):  # one token back
        pass
    with pytest.raises(ProblemError), limits.hold("a"):
        pass
