"""Jobs on a real Redis with two real `capplan worker` processes: submit, poll, stream, cancel, idempotency,
per-key isolation, and the faults (a worker killed mid-job, the API restarted, a request that kills its worker).
"""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest
import redis
from fastapi.testclient import TestClient

from api_schemas.jobs import Job
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from checker.schedule_checker import check_schedule
from service.app import create_app
from service.jobs.redis_backend import job_key
from tests.jobs_support import (
    Workers,
    events_of,
    http_client,
    process_exists,
    wait_for,
    worker_environment,
)
from tests.live_servers import running_redis, running_server, wait_until_healthy
from tests.test_service_support import service_settings, small_request

KEYS = {"alice": "alice-key-0123456789", "bob": "bob-key-0123456789"}


def _auth(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[who]}"}


class Cluster:
    """Redis, two workers and an API (in-process, on the real app) sharing them."""

    def __init__(self, url: str, markers: Path, workers: Workers, client: TestClient) -> None:
        self.url, self.markers, self.workers, self.client = url, markers, workers, client
        self.redis: redis.Redis = redis.Redis.from_url(url, decode_responses=True)

    def submit(self, kind: str, request: Any, who: str = "alice", key: str | None = None) -> dict[str, Any]:
        headers = _auth(who) | ({"Idempotency-Key": key} if key else {})
        answer = self.client.post("/v1/jobs", json={"kind": kind, "request": request}, headers=headers)
        assert answer.status_code == 202, answer.text
        assert answer.headers["location"] == f"/v1/jobs/{answer.json()['id']}"
        job: dict[str, Any] = answer.json()
        return job

    def job(self, job_id: str, who: str = "alice") -> dict[str, Any]:
        answer = self.client.get(f"/v1/jobs/{job_id}", headers=_auth(who))
        assert answer.status_code == 200, answer.text
        job: dict[str, Any] = answer.json()
        return job

    def finished(self, job_id: str) -> dict[str, Any]:
        """Poll until the job is final."""
        job: dict[str, Any] = wait_for(
            lambda: (job := self.job(job_id))["status"] in ("succeeded", "failed", "cancelled") and job,
            f"job {job_id} to finish",
        )
        return job

    def stored(self, job_id: str) -> int:
        """How many outcomes the job's hash says were stored."""
        stored: Any = self.redis.hget(job_key(job_id), "stored")
        return int(stored or 0)


#: The tests poll jobs every 50 ms: far over the default per-key rate, which is not what they test.
POLLING_RATE = 1_000_000


def _settings(url: str) -> Any:
    return service_settings(queue_url=url, api_keys=list(KEYS.values()), log_level="WARNING",
                            key_rate_per_minute=POLLING_RATE)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with running_redis() as url, tempfile.TemporaryDirectory(prefix="capplan-jobs-") as folder:
        markers = Path(folder)
        with Workers(2, worker_environment(url, markers)) as workers, TestClient(create_app(_settings(url))) as client:
            yield Cluster(url, markers, workers, client)


def _titled(title: str) -> dict[str, Any]:
    request = small_request()
    request["issues"][0]["title"] = title
    return request


def test_a_plan_job_streams_progress_and_ends_with_the_checked_plan(cluster: Cluster) -> None:
    job = cluster.submit("plan", small_request())
    assert job["status"] == "queued" and job["kind"] == "plan"
    events = events_of(cluster.client, f"/v1/jobs/{job['id']}/events", _auth("alice"))
    names = [name for name, _ in events]
    assert names[-1] == "final" and set(names[:-1]) <= {"progress"}
    final = Job.model_validate(events[-1][1])
    assert final.status == "succeeded" and final.attempts == 1
    assert isinstance(final.result, PlanResult) and final.result.checked
    assert check_schedule(PlanRequest.model_validate(small_request()), final.result) == []
    # Progress came from the solver: a level, its numbers and a best plan the checker passed.
    assert final.progress is not None and final.progress.level is not None and final.progress.solves_done == 1
    assert final.progress.best_plan is not None and final.progress.best_plan.checked
    # Polling gives the same job; the calendar of its plan is there to subscribe to.
    assert cluster.job(job["id"])["result"] == events[-1][1]["result"]
    calendar = cluster.client.get(f"/v1/jobs/{job['id']}/plan.ics", headers=_auth("alice"))
    assert calendar.status_code == 200 and calendar.headers["content-type"].startswith("text/calendar")
    events_by_uid = [str(event["UID"]) for event in icalendar.Calendar.from_ical(calendar.text).walk("VEVENT")]
    work_events = [uid for uid in events_by_uid if uid.startswith("issue-")]
    assert len(work_events) == sum(len(issue.slots) for issue in final.result.issues)  # beside due-date events
    # A calendar app sends no Authorization header: the job's calendar_url carries a token for this feed only.
    link = final.calendar_url
    assert link is not None and link.startswith(f"/v1/jobs/{job['id']}/plan.ics?token=")
    subscribed = cluster.client.get(link)
    assert subscribed.status_code == 200 and subscribed.text == calendar.text
    token = link.rsplit("=", 1)[1]
    assert cluster.client.get(f"/v1/jobs/{job['id']}").status_code == 401  # the token opens nothing else
    assert cluster.client.get(f"/v1/jobs/{job['id']}?token={token}").status_code == 401
    forged = cluster.client.get(f"/v1/jobs/{job['id']}/plan.ics?token={token[:-1]}{'0' if token[-1] != '0' else '1'}")
    assert forged.status_code == 401 and "token is not valid" in forged.json()["detail"]
    other = cluster.submit("plan", small_request(), who="alice")
    assert cluster.client.get(f"/v1/jobs/{other['id']}/plan.ics?token={token}").status_code == 401
    assert cluster.stored(job["id"]) == 1
    ttl: Any = cluster.redis.ttl(job_key(job["id"]))
    assert 0 < ttl <= 86400  # kept for CAPPLAN_JOB_TTL_S


def test_what_if_and_validate_jobs_answer_as_their_endpoints(cluster: Cluster) -> None:
    scenario = {"name": "bigger", "patch": [{"op": "replace", "path": "/issues/2/estimate_hours", "value": 20}]}
    what_if = cluster.submit("what-if", {"base": small_request(), "scenarios": [scenario]})
    invalid = small_request()
    invalid["issues"][1]["depends_on"] = ["#404"]
    validate = cluster.submit("validate", invalid)
    done = cluster.finished(what_if["id"])
    assert done["status"] == "succeeded", done
    assert [outcome["name"] for outcome in done["result"]["scenarios"]] == ["bigger"]
    assert done["progress"]["solves_done"] == done["progress"]["solves_total"] == 2
    report = cluster.finished(validate["id"])["result"]
    assert report["valid"] is False and "#404" in report["problems"][0]["message"]
    # A request its endpoint would refuse is refused at submission, its problems under 'request'.
    refused = cluster.client.post("/v1/jobs", json={"kind": "plan", "request": invalid}, headers=_auth("alice"))
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"][0] == "request"


def test_cancel_kills_the_running_solver_and_the_job_says_cancelled(cluster: Cluster) -> None:
    job = cluster.submit("plan", _titled("SLEEP"))
    marker = wait_for(lambda: next(cluster.markers.glob("SLEEP-*"), None), "the solve to start")
    solver_pid = int(wait_for(marker.read_text, "the marker's pid"))
    answer = cluster.client.delete(f"/v1/jobs/{job['id']}", headers=_auth("alice"))
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    # The solve sleeps for an hour unless killed: its process going away is the worker stopping it.
    wait_for(lambda: not process_exists(solver_pid), "the solver process to be killed")
    marker.unlink()
    again = cluster.client.delete(f"/v1/jobs/{job['id']}", headers=_auth("alice"))
    assert again.status_code == 200 and again.json()["status"] == "cancelled"
    assert cluster.job(job["id"])["status"] == "cancelled" and cluster.stored(job["id"]) == 0
    # A finished job cannot be cancelled any more.
    done = cluster.finished(cluster.submit("validate", small_request())["id"])
    refused = cluster.client.delete(f"/v1/jobs/{done['id']}", headers=_auth("alice"))
    assert refused.status_code == 409 and refused.json()["type"] == "/problems/job-finished"


def test_the_same_idempotency_key_and_body_give_the_same_job(cluster: Cluster) -> None:
    first = cluster.submit("validate", small_request(), key="order-42")
    again = cluster.client.post("/v1/jobs", json={"kind": "validate", "request": small_request()},
                                headers=_auth("alice") | {"Idempotency-Key": "order-42"})
    assert again.status_code == 202 and again.json()["id"] == first["id"]
    assert again.headers["idempotent-replayed"] == "true"
    other_body = cluster.client.post("/v1/jobs", json={"kind": "plan", "request": small_request()},
                                     headers=_auth("alice") | {"Idempotency-Key": "order-42"})
    assert other_body.status_code == 422 and other_body.json()["type"] == "/problems/idempotency-key-reused"
    # The same key from another API key is another job.
    bobs = cluster.submit("validate", small_request(), who="bob", key="order-42")
    assert bobs["id"] != first["id"]


def test_a_key_sees_only_its_own_jobs(cluster: Cluster) -> None:
    job = cluster.submit("validate", small_request(), who="alice")
    for method, path in [("GET", ""), ("DELETE", ""), ("GET", "/events"), ("GET", "/plan.ics")]:
        answer = cluster.client.request(method, f"/v1/jobs/{job['id']}{path}", headers=_auth("bob"))
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.json()["type"] == "/problems/not-found"
    assert cluster.client.get(f"/v1/jobs/{job['id']}").status_code == 401
    assert cluster.finished(job["id"])["status"] == "succeeded"


def test_a_worker_killed_mid_job_leaves_it_to_the_other_which_finishes_it_once(cluster: Cluster) -> None:
    job = cluster.submit("plan", _titled("MARK"))
    marker = wait_for(lambda: next(cluster.markers.glob("MARK-*"), None), "the solve to start")
    first_worker = int(marker.name.removeprefix("MARK-"))
    marker.unlink()
    os.kill(first_worker, signal.SIGKILL)
    done = cluster.finished(job["id"])
    assert done["status"] == "succeeded", done
    assert done["attempts"] == 2 and cluster.stored(job["id"]) == 1
    taken_over = next(cluster.markers.glob("MARK-*"))
    assert int(taken_over.name.removeprefix("MARK-")) != first_worker
    taken_over.unlink()
    result = PlanResult.model_validate(done["result"])
    request = _titled("MARK")
    assert result.checked and check_schedule(PlanRequest.model_validate(request), result) == []


def test_jobs_survive_a_restart_of_the_api_server(cluster: Cluster) -> None:
    settings = {"queue_url": cluster.url, "api_keys": KEYS["alice"], "pool": "thread",
                "key_rate_per_minute": str(POLLING_RATE)}
    with running_server(**settings) as (base_url, server):
        wait_until_healthy(base_url, server)
        with http_client(base_url) as client:
            answer = client.post("/v1/jobs", json={"kind": "plan", "request": small_request()}, headers=_auth("alice"))
            assert answer.status_code == 202
            job_id = answer.json()["id"]
        server.send_signal(signal.SIGKILL)
        server.wait()
    with running_server(**settings) as (base_url, server):
        wait_until_healthy(base_url, server)
        with http_client(base_url) as client:
            job = wait_for(lambda: (got := client.get(f"/v1/jobs/{job_id}", headers=_auth("alice")).json())
                           ["status"] == "succeeded" and got, "the job to finish")
    assert job["result"]["checked"] is True and cluster.stored(job_id) == 1


def test_a_request_that_kills_its_worker_every_time_fails_after_bounded_attempts(cluster: Cluster) -> None:
    started_before = cluster.workers.started
    job = cluster.submit("plan", _titled("CRASH-WORKER"))
    done = cluster.finished(job["id"])
    assert done["status"] == "failed"
    # The test workers allow CAPPLAN_JOB_MAX_ATTEMPTS=2: two workers lost, then the job fails without a third.
    assert done["error"]["type"] == "/problems/worker-crashed" and "2 times" in done["error"]["detail"]
    assert done["attempts"] == 2 and cluster.stored(job["id"]) == 1
    wait_for(lambda: cluster.workers.started - started_before >= 2, "the lost workers to be replaced")
    assert cluster.workers.started - started_before == 2
