"""Jobs with no Redis: `capplan serve` alone runs them in its own solve workers (the embedded back end)."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_schemas.jobs import Job, JobKind
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from checker.schedule_checker import check_schedule
from service.app import create_app
from service.jobs.execution import Executor
from service.jobs.memory import MemoryJobs
from service.jobs.record import NewJob, new_job_id
from service.pool import SolvePool, ThreadBackend
from service.solve_job import plan_checked
from tests.jobs_support import MARKERS_VARIABLE, events_of, process_exists, steered_plan, wait_for
from tests.test_service_support import GATE_OPEN, gated_plan, service_settings, small_request


@pytest.fixture(scope="module")
def markers() -> Iterator[Path]:
    """The folder `steered_plan` marks in, set in the environment before solver processes are spawned."""
    with tempfile.TemporaryDirectory(prefix="capplan-jobs-") as folder:
        before = os.environ.get(MARKERS_VARIABLE)
        os.environ[MARKERS_VARIABLE] = folder
        try:
            yield Path(folder)
        finally:
            if before is None:
                del os.environ[MARKERS_VARIABLE]
            else:
                os.environ[MARKERS_VARIABLE] = before


@pytest.fixture(scope="module")
def client(markers: Path) -> Iterator[TestClient]:
    """The real app with one solver process, a queue of one waiting job, and the steered solve."""
    settings = service_settings(pool="process", workers=1, job_queue_max=1, log_level="WARNING")
    with TestClient(create_app(settings, solve=steered_plan)) as test_client:
        yield test_client


def _titled(title: str) -> dict[str, Any]:
    request = small_request()
    request["issues"][0]["title"] = title
    return request


def _finished(client: TestClient, job_id: str) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        return job if job["status"] in ("succeeded", "failed", "cancelled") else None

    found: dict[str, Any] = wait_for(final, f"job {job_id} to finish")
    return found


def test_a_plan_job_runs_in_the_service_itself_and_streams_its_progress(client: TestClient) -> None:
    answer = client.post("/v1/jobs", json={"kind": "plan", "request": small_request()})
    assert answer.status_code == 202 and answer.headers["location"] == f"/v1/jobs/{answer.json()['id']}"
    events = events_of(client, answer.headers["location"] + "/events")
    assert [name for name, _ in events][-1] == "final"
    final = Job.model_validate(events[-1][1])
    assert final.status == "succeeded" and isinstance(final.result, PlanResult) and final.result.checked
    assert check_schedule(PlanRequest.model_validate(small_request()), final.result) == []
    assert final.progress is not None and final.progress.best_plan is not None and final.progress.solves_done == 1
    assert final.expires_at is not None and final.finished_at is not None and final.expires_at > final.finished_at
    calendar = client.get(answer.headers["location"] + "/plan.ics")
    assert calendar.status_code == 200 and "BEGIN:VEVENT" in calendar.text
    assert final.calendar_url == answer.headers["location"] + "/plan.ics"  # no keys: no token needed


def test_cancel_kills_the_solver_process_and_a_full_queue_answers_503(client: TestClient, markers: Path) -> None:
    running = client.post("/v1/jobs", json={"kind": "plan", "request": _titled("SLEEP")}).json()
    marker = wait_for(lambda: next(markers.glob("SLEEP-*"), None), "the solve to start")
    solver_pid = int(wait_for(marker.read_text, "the marker's pid"))
    waiting = client.post("/v1/jobs", json={"kind": "validate", "request": small_request()})
    assert waiting.status_code == 202 and waiting.json()["status"] == "queued"
    refused = client.post("/v1/jobs", json={"kind": "validate", "request": small_request()})
    assert refused.status_code == 503 and refused.json()["type"] == "/problems/queue-full"
    assert int(refused.headers["retry-after"]) >= 1
    not_yet = client.get(f"/v1/jobs/{running['id']}/plan.ics")
    assert not_yet.status_code == 409 and not_yet.json()["type"] == "/problems/job-not-finished"
    cancelled = client.delete(f"/v1/jobs/{running['id']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    wait_for(lambda: not process_exists(solver_pid), "the solver process to be killed")
    marker.unlink()
    assert _finished(client, waiting.json()["id"])["status"] == "succeeded"  # the queue moved on


def test_a_solve_that_crashes_its_process_every_time_fails_with_a_reason(client: TestClient) -> None:
    job = client.post("/v1/jobs", json={"kind": "plan", "request": _titled("CRASH")}).json()
    done = _finished(client, job["id"])
    assert done["status"] == "failed" and done["error"]["type"] == "/problems/solver-crashed"
    assert "twice" in done["error"]["detail"] and "result" not in done


def test_bad_submissions_are_422_naming_the_field() -> None:
    with TestClient(create_app(service_settings())) as local:
        unknown = local.post("/v1/jobs", json={"kind": "optimise", "request": {}})
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["kind"]
        invalid = small_request()
        invalid["owners"][0]["hours_per_day"] = -1
        refused = local.post("/v1/jobs", json={"kind": "plan", "request": invalid})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["loc"][:3] == ["request", "owners", 0]
        bad_key = local.post("/v1/jobs", json={"kind": "validate", "request": {}},
                             headers={"Idempotency-Key": "two words"})
        assert bad_key.status_code == 422 and bad_key.json()["errors"][0]["loc"] == ["headers", "Idempotency-Key"]
        assert local.get("/v1/jobs/no-such-job").status_code == 404


def test_keys_see_only_their_jobs_idempotency_holds_and_results_expire() -> None:
    settings = service_settings(api_keys=["key-a", "key-b"], job_ttl_s=1, key_rate_per_minute=1_000_000)
    a, b = {"Authorization": "Bearer key-a"}, {"Authorization": "Bearer key-b"}
    with TestClient(create_app(settings)) as local:
        first = local.post("/v1/jobs", json={"kind": "validate", "request": small_request()},
                           headers=a | {"Idempotency-Key": "k"}).json()
        again = local.post("/v1/jobs", json={"kind": "validate", "request": small_request()},
                           headers=a | {"Idempotency-Key": "k"})
        assert again.json()["id"] == first["id"] and again.headers["idempotent-replayed"] == "true"
        assert local.get(f"/v1/jobs/{first['id']}", headers=b).status_code == 404
        assert local.delete(f"/v1/jobs/{first['id']}", headers=b).status_code == 404
        done = wait_for(lambda: (job := local.get(f"/v1/jobs/{first['id']}", headers=a).json())["status"]
                        == "succeeded" and job, "the job to finish")
        assert done["result"]["valid"] is True
        # Past CAPPLAN_JOB_TTL_S the job and its key are gone: the same key makes a new job.
        wait_for(lambda: local.get(f"/v1/jobs/{first['id']}", headers=a).status_code == 404, "the job to expire")
        fresh = local.post("/v1/jobs", json={"kind": "validate", "request": small_request()},
                           headers=a | {"Idempotency-Key": "k"})
        assert fresh.status_code == 202 and fresh.json()["id"] != first["id"]


def test_a_cancelled_queued_job_never_runs() -> None:
    GATE_OPEN.clear()  # the first job holds the only runner until the gate opens: the others wait in the queue
    try:
        with TestClient(create_app(service_settings(workers=1), solve=gated_plan)) as local:
            jobs = [local.post("/v1/jobs", json={"kind": "plan", "request": small_request()}).json()
                    for _ in range(3)]
            last = jobs[-1]
            answer = local.delete(f"/v1/jobs/{last['id']}")
            assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
            GATE_OPEN.set()
            for job in jobs[:-1]:
                assert _finished(local, job["id"])["status"] == "succeeded"
            after = local.get(f"/v1/jobs/{last['id']}").json()
            assert after["status"] == "cancelled" and after.get("started_at") is None
    finally:
        GATE_OPEN.set()


def test_capplan_worker_without_a_queue_url_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    monkeypatch.delenv("CAPPLAN_QUEUE_URL", raising=False)
    outcome = CliRunner().invoke(app, ["worker"])
    assert outcome.exit_code == 2 and "CAPPLAN_QUEUE_URL" in outcome.output


def test_jobs_are_held_to_the_services_limits_on_work_and_per_key_rate() -> None:
    settings = service_settings(workers=1, queue_depth=0, api_keys=["key-a"], key_rate_per_minute=3)
    auth = {"Authorization": "Bearer key-a"}
    scenarios = [{"name": f"s{n}", "patch": [{"op": "replace", "path": "/issues/0/estimate_hours", "value": n + 1}]}
                 for n in range(3)]
    with TestClient(create_app(settings)) as local:
        costly = local.post("/v1/jobs", json={"kind": "what-if", "request": {"base": small_request(),
                                                                            "scenarios": scenarios}}, headers=auth)
        assert costly.status_code == 422, costly.text
        problem = costly.json()["errors"][0]
        assert problem["code"] == "request_too_costly" and problem["loc"] == ["request", "scenarios"]
        job = local.post("/v1/jobs", json={"kind": "validate", "request": small_request()}, headers=auth)
        assert job.status_code == 202
        # Three calls a minute: the two submissions and one read; the next read is over the key's rate.
        assert local.get(f"/v1/jobs/{job.json()['id']}", headers=auth).status_code == 200
        over = local.get(f"/v1/jobs/{job.json()['id']}", headers=auth)
        assert over.status_code == 429 and int(over.headers["retry-after"]) >= 1


def test_an_event_stream_ends_with_the_final_state_even_when_it_came_while_the_last_was_sent() -> None:
    settings = service_settings()
    jobs = MemoryJobs(Executor(SolvePool(ThreadBackend(1), 1, 0), plan_checked, settings), runners=1)
    new = NewJob(new_job_id(), "", JobKind.VALIDATE, json.dumps({"data": {}}), "print")

    async def follow() -> list[str]:
        await jobs.submit(new, queue_max=10)  # no runner started: the job stays queued until cancelled
        stream = jobs.changes("", new.id)
        seen = [(await anext(stream)).status.value]
        await jobs.cancel("", new.id)  # the job ends while the stream's consumer holds the queued state
        seen += [record.status.value async for record in stream]
        return seen

    assert asyncio.run(follow()) == ["queued", "cancelled"]
