"""Slots for one new issue: the solver's options and `POST /v1/plans/slots`, each option a checked re-plan."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api_schemas import PlanRequest
from api_schemas.jobs import Job
from api_schemas.request import Issue
from api_schemas.result import PlanResult
from api_schemas.slots import SlotResponse
from service.app import create_app
from solver.slots import find_slots
from tests.jobs_support import wait_for
from tests.test_service_support import service_settings

START = "2026-03-02"  # a Monday


def team_request() -> dict[str, Any]:
    """Two people, a week of work each, one of them free on Friday; a P0 due Wednesday on the first."""
    return {
        "start_date": START,
        "owners": [{"id": "ana", "skills": ["web"]}, {"id": "bo", "skills": ["web", "db"]}],
        "milestones": [{"id": "m1", "due": "2026-03-04"}],
        "issues": [
            {"id": "a1", "estimate_hours": 16, "priority": "P0", "milestone": "m1", "skills": ["web"],
             "pinned_owner": "ana"},
            {"id": "a2", "estimate_hours": 16, "priority": "P1", "pinned_owner": "ana"},
            {"id": "b1", "estimate_hours": 24, "priority": "P1", "pinned_owner": "bo"},
        ],
        "options": {"time_limit_s": 2},
    }


def test_free_capacity_comes_first_and_each_option_is_checked() -> None:
    request = PlanRequest.model_validate(team_request())
    issue = Issue.model_validate({"id": "new", "estimate_hours": 6, "priority": "P1", "deadline": "2026-03-03"})
    answer = find_slots(request, issue, max_options=4)
    assert answer.options, answer.message
    assert all(option.checked for option in answer.options)
    fits = [option.fits_free_capacity for option in answer.options]
    assert fits == sorted(fits, reverse=True), "options that move nothing come first"
    assert fits[0] and answer.options[0].moves == []
    # Due Tuesday: the free capacity is too late, so an option that moves others and is on time is offered too.
    assert answer.options[0].lateness_working_days > 0
    on_time = [option for option in answer.options if option.lateness_working_days == 0]
    assert on_time and all(option.moves for option in on_time)


def test_slots_endpoint_answers_options_and_names_the_new_issue_field_in_problems() -> None:
    body = {"request": team_request(), "issue": {"id": "new", "estimate_hours": 4, "skills": ["db"]}}
    with TestClient(create_app(service_settings())) as client:
        answered = client.post("/v1/plans/slots", json=body)
        assert answered.status_code == 200, answered.text
        slots = SlotResponse.model_validate(answered.json())
        assert slots.options and {option.owner for option in slots.options} == {"bo"}  # only bo has "db"
        assert slots.options[0].fits_free_capacity and slots.options[0].checked
        no_estimate = client.post("/v1/plans/slots", json={**body, "issue": {"id": "new"}})
        assert no_estimate.status_code == 422
        assert ["issue", "estimate_hours"] in [error["loc"] for error in no_estimate.json()["errors"]]
        nobody = client.post("/v1/plans/slots", json={**body, "issue": {"id": "new", "estimate_hours": 2,
                                                                        "skills": ["ops"]}})
        assert nobody.status_code == 422
        assert any(error["loc"][:1] == ["issue"] for error in nobody.json()["errors"])


def test_slot_and_forecast_jobs_answer_as_their_endpoints_do() -> None:
    body = {"request": team_request(), "issue": {"id": "new", "estimate_hours": 4, "skills": ["db"]}}
    # A pool whose share holds a slot search at the request's limit (a base plan and up to 6 re-plans of 1 s).
    with TestClient(create_app(service_settings(queue_depth=10))) as client:
        submitted = client.post("/v1/jobs", json={"kind": "slots", "request": body})
        assert submitted.status_code == 202, submitted.text
        job = Job.model_validate(wait_for(lambda: finished(client, submitted.headers["location"]), "the slot job"))
        assert job.status == "succeeded" and isinstance(job.result, SlotResponse), job.error
        assert job.calendar_url is None  # options, not one plan
        assert {option.owner for option in job.result.options} == {"bo"} and job.result.options[0].checked
        assert job.progress is not None and job.progress.solves_done == job.progress.solves_total > 1
        # The slot request's own checks, with paths under 'request'.
        refused = client.post("/v1/jobs", json={"kind": "slots", "request": {**body, "issue": {"id": "new"}}})
        assert refused.status_code == 422
        assert ["request", "issue", "estimate_hours"] in [error["loc"] for error in refused.json()["errors"]]

        forecast = client.post("/v1/jobs", json={"kind": "forecast", "request": team_request()})
        assert forecast.status_code == 202, forecast.text
        job = Job.model_validate(wait_for(lambda: finished(client, forecast.headers["location"]), "the forecast"))
        assert isinstance(job.result, PlanResult) and job.result.checked and job.result.forecast is not None
        assert job.calendar_url is not None and client.get(job.calendar_url).status_code == 200


def finished(client: TestClient, location: str) -> dict[str, Any] | None:
    """The job at `location` once it has finished, else None."""
    job: dict[str, Any] = client.get(location).json()
    return job if job["status"] in ("succeeded", "failed", "cancelled") else None
