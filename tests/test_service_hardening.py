"""Inputs a probe of the service found mishandled: dates at the end of the calendar, JSON types coerced,
the quarter-hour rule missing from the schema, and what-if patches that multiply a document."""

from __future__ import annotations

import json
import logging
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from api_schemas.service import WhatIfRequest
from checker.schedule_checker import check_schedule
from service.app import create_app
from service.importers import SpreadsheetOptions, import_csv
from service.problems import ProblemError
from service.whatif import scenario_requests
from solver.intake.limits import DEFAULT_LIMITS, EARLIEST_START_DATE, LATEST_START_DATE, MAX_SOLVER_HORIZON_DAYS
from solver.intake.validation import check_request
from solver.prepared.problem import prepare
from tests.test_service_errors import assert_problem
from tests.test_service_support import service_settings, small_request

ROOT = Path(__file__).resolve().parent.parent
#: Generous bounds for work that took seconds before the fixes (not speed claims).
PATIENCE_S = 5.0


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(service_settings())) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def no_unhandled_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """None of these inputs may reach the last-resort handler (a 500)."""
    with caplog.at_level(logging.ERROR, logger="service.errors"):
        yield
    assert not [r for r in caplog.get_records("call") if r.name == "service.errors"]


def what_if_body(base: dict[str, Any], patch: list[dict[str, Any]]) -> dict[str, Any]:
    return {"base": base, "scenarios": [{"name": "probe", "patch": patch}]}


# --- dates at the end of the calendar ----------------------------------------------------------------------


@pytest.mark.parametrize("start", ["9998-01-01", "9999-12-31", "9900-01-01"])
def test_a_start_date_near_the_end_of_the_calendar_is_a_422_naming_start_date(client: TestClient, start: str) -> None:
    request = {**small_request(), "start_date": start}

    body = assert_problem(client.post("/v1/plans", json=request), 422, "invalid-request")
    [error] = body["errors"]
    assert error["loc"] == ["start_date"] and error["code"] == "start_date_too_late"
    assert f"start_date {start} is too late" in error["message"]
    assert LATEST_START_DATE.isoformat() in error["message"]

    what_if = client.post("/v1/plans/what-if", json=what_if_body(request, [{"op": "remove", "path": "/issues/4"}]))
    assert [e["loc"] for e in assert_problem(what_if, 422, "invalid-request")["errors"]] == [["base", "start_date"]]

    report = client.post("/v1/plans/validate", json=request)
    assert report.status_code == 200 and report.json()["valid"] is False
    assert [p["code"] for p in report.json()["problems"]] == ["start_date_too_late"]


@pytest.mark.parametrize("start", ["0001-01-01", "0025-11-24", "1899-12-31"])
def test_a_start_date_at_the_beginning_of_the_calendar_is_a_422_naming_start_date(
    client: TestClient, start: str
) -> None:
    # 0001-01-01 planned, then every report failed with a 500: they look back a day and export in UTC.
    request = {**small_request(), "start_date": start}
    body = assert_problem(client.post("/v1/plans", json=request), 422, "invalid-request")
    error = body["errors"][0]  # the other dates of the request are years after such a start: named after it
    assert error["loc"] == ["start_date"] and error["code"] == "start_date_too_early"
    assert EARLIEST_START_DATE.isoformat() in error["message"]


def test_the_earliest_start_date_plans_and_every_report_renders(client: TestClient) -> None:
    request = {**small_request(), "start_date": EARLIEST_START_DATE.isoformat(), "milestones": [], "calendar": {}}
    for issue in request["issues"]:
        issue.pop("milestone", None)
    response = client.post("/v1/plans", json=request)
    assert response.status_code == 200, response.text
    for report_format in ("md", "csv", "ics", "html", "png"):
        report = client.post(f"/v1/reports/{report_format}", json={"request": request, "plan": response.json()})
        assert report.status_code == 200, (report_format, report.text[:300])


def test_dates_at_the_end_of_the_calendar_are_beyond_the_horizon_not_a_crash(client: TestClient) -> None:
    request = small_request()
    request["milestones"][1]["due"] = "9999-12-31"
    request["issues"][2]["deadline"] = "9999-12-31"
    request["issues"][3]["not_before"] = "9999-12-31"
    request["issues"][0]["pinned_start"] = "9999-12-31"
    request["calendar"]["holidays"].append("9999-12-31")

    body = assert_problem(client.post("/v1/plans", json=request), 422, "invalid-request")
    assert {e["code"] for e in body["errors"]} == {"date_beyond_horizon"}
    assert len(body["errors"]) == 5
    assert client.post("/v1/plans/validate", json=request).status_code == 200


def test_a_scenario_moving_the_start_to_the_end_of_the_calendar_is_named(client: TestClient) -> None:
    patch = [{"op": "replace", "path": "/start_date", "value": "9999-06-01"}]
    body = assert_problem(client.post("/v1/plans/what-if", json=what_if_body(small_request(), patch)), 422,
                          "invalid-request")
    [error] = body["errors"]
    assert error["loc"] == ["scenarios", 0, "patch", 0] and error["code"] == "start_date_too_late"


def test_the_latest_start_date_still_plans_to_a_checked_schedule(client: TestClient) -> None:
    request = small_request()
    request.update(start_date=LATEST_START_DATE.isoformat(), milestones=[])
    request["calendar"] = {"country": "US"}  # public holidays computed in the year 9900 too
    for issue in request["issues"]:
        issue.pop("milestone")
    request["issues"][1]["deadline"] = "9901-06-01"

    response = client.post("/v1/plans", json=request)

    assert response.status_code == 200, response.text
    assert check_schedule(PlanRequest.model_validate(request), PlanResult.model_validate(response.json())) == []


def test_an_issue_no_owner_can_finish_within_the_horizon_is_a_422_naming_its_hours(client: TestClient) -> None:
    # 10,000 h at 2 h a day is 19 years: the plan came back UNKNOWN, every issue unscheduled "within the time limit"
    # (more time would not help), and the 3 h issue beside it unplanned too.
    request: dict[str, Any] = {
        "start_date": "2025-11-24",
        "owners": [{"id": "slow", "hours_per_day": 2}, {"id": "fast", "skills": ["x"]}],
        "issues": [{"id": "#1", "estimate_hours": 10000, "pinned_owner": "slow"}, {"id": "#2", "estimate_hours": 3},
                   {"id": "#3", "estimate_hours": 10000, "skills": ["x"]}],
    }
    body = assert_problem(client.post("/v1/plans", json=request), 422, "invalid-request")
    [error] = body["errors"]  # #3 fits: 'fast' works 8 h a day, 20,000 h in ten years
    assert error["loc"] == ["issues", 0, "estimate_hours"] and error["code"] == "work_beyond_horizon"
    assert error["ids"] == ["#1"] and "split it" in error["message"]
    request["owners"][0]["working_weekdays"] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    request["owners"][0]["hours_per_day"] = 3  # 3 h x 7 days x 522 weeks: 10,962 h, enough
    assert client.post("/v1/plans/validate", json=request).json()["valid"] is True


def test_the_solver_horizon_of_a_huge_backlog_stops_counting_before_the_calendar_ends() -> None:
    """800 issues of 10,000 h for one owner at 4 h a day: the serial bound ran past 9999-12-31.

    (At a quarter hour a day each issue alone would outlast the horizon: a `work_beyond_horizon` problem now.)
    """
    request, problems = check_request({
        "start_date": "2025-01-06",
        "owners": [{"id": "slow", "hours_per_day": 4}],
        "issues": [{"id": f"#{n}", "estimate_hours": 10000} for n in range(800)],
    })
    assert request is not None and problems == []
    started = time.perf_counter()
    problem = prepare(request)
    assert time.perf_counter() - started < PATIENCE_S  # it took 4 s, walking 3,650 days per issue
    assert problem.horizon_days == MAX_SOLVER_HORIZON_DAYS and problem.horizon_capped


# --- JSON types are taken as they are ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (["issues", 0, "estimate_hours"], True, "must be a number"),
        (["issues", 0, "estimate_hours"], "3", "must be a number"),
        (["owners", 0, "hours_per_day"], "8", "must be a number"),
        (["options", "time_limit_s"], "2", "must be a number"),
        (["options", "seed"], False, "must be a whole number"),
        (["options", "seed"], "7", "must be a whole number"),
        (["options", "workers"], True, "must be a whole number"),
        (["issues", 1, "depends_on", 0, "lag_days"], "1", "must be a whole number"),
        (["issues", 0, "hard_deadline"], 1, "must be true or false"),
        (["issues", 0, "hard_deadline"], "true", "must be true or false"),
        (["owners", 0, "works_holidays"], 0, "must be true or false"),
        (["owners", 0, "id"], 7, "must be a string"),
        (["issues", 0, "title"], 7, "must be a string"),
        (["start_date"], 1740960000, "YYYY-MM-DD"),
        (["start_date"], "2025-03-03T00:00:00", "YYYY-MM-DD"),
        (["issues", 0, "deadline"], 0, "YYYY-MM-DD"),
        (["calendar", "holidays", 0], 20250307, "YYYY-MM-DD"),
        (["calendar", "workday_start"], 32400, "HH:MM"),
        (["calendar", "workday_start"], "09:00:00Z", "HH:MM"),  # the team calendar's clock has no offset
        (["issues", 0, "estimate_hours"], 5e-324, "quarter hours"),  # pydantic's float tolerance let it through
    ],
)
def test_values_of_the_wrong_json_type_are_refused_naming_the_field(
    client: TestClient, path: list[str | int], value: object, words: str
) -> None:
    request = small_request()
    if path == ["issues", 0, "deadline"]:
        request["issues"][0]["deadline"] = "2025-03-05"
    holder: Any = request
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = value

    body = assert_problem(client.post("/v1/plans", json=request), 422, "invalid-request")

    [error] = body["errors"]
    assert error["loc"] == path
    assert words in error["message"]
    assert error["message"].startswith("".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip("."))


def test_json_numbers_of_either_kind_are_accepted_where_the_schema_allows_them(client: TestClient) -> None:
    request = small_request()
    request["owners"][0]["hours_per_day"] = 7.75  # a float
    request["issues"][0]["estimate_hours"] = 6  # an integer where a number is due
    request["options"].update(time_limit_s=2, seed=3.0)  # 3.0 is an integer in JSON (and JSON Schema)
    report = client.post("/v1/plans/validate", json=request).json()
    assert report["valid"] is True, report


def test_a_baseline_plan_with_coerced_types_is_refused(client: TestClient) -> None:
    base = small_request()
    plan = client.post("/v1/plans", json=base).json()
    plan["issues"][0]["hours"] = str(plan["issues"][0]["hours"])
    plan["issues"][0]["late"] = 0
    body = {**what_if_body(base, [{"op": "remove", "path": "/issues/4"}]), "baseline_plan": plan}

    problem = assert_problem(client.post("/v1/plans/what-if", json=body), 422, "invalid-request")

    assert {tuple(e["loc"]) for e in problem["errors"]} == {
        ("baseline_plan", "issues", 0, "hours"), ("baseline_plan", "issues", 0, "late")
    }


def test_the_examples_and_the_spreadsheet_importer_still_read() -> None:
    request, problems = check_request(json.loads((ROOT / "examples" / "reference_backlog.json").read_text()))
    assert request is not None and problems == []
    options = SpreadsheetOptions(start_date=request.start_date)
    imported = import_csv(ROOT / "examples" / "backlog.csv", options).request  # its cells are text: "4" hours
    assert [issue.estimate_hours for issue in imported.issues][:2] == [2.0, 4.0]


# --- the quarter-hour rule in the schema ---------------------------------------------------------------------


def test_every_quarter_hour_amount_says_multiple_of_a_quarter_in_the_schema(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]

    def number_schema(model: str, field: str) -> dict[str, Any]:
        schema: dict[str, Any] = schemas[model]["properties"][field]
        return next((s for s in schema.get("anyOf", []) if s.get("type") == "number"), schema)

    for model, field in (("Owner", "hours_per_day"), ("Issue", "estimate_hours"), ("Issue", "remaining_hours")):
        assert number_schema(model, field)["multipleOf"] == 0.25, (model, field)


@pytest.mark.parametrize("hours", [1.3, 0.1, 7.6])
def test_an_amount_off_the_quarter_hour_grid_keeps_its_message(client: TestClient, hours: float) -> None:
    request = small_request()
    request["issues"][2]["estimate_hours"] = hours
    body = assert_problem(client.post("/v1/plans", json=request), 422, "invalid-request")
    [error] = body["errors"]
    assert error["loc"] == ["issues", 2, "estimate_hours"] and error["ids"] == ["#3"]
    assert error["message"].endswith("must be a whole number of quarter hours (e.g. 1.25, 7.5)")


# --- what-if amplification --------------------------------------------------------------------------------------

#: 22 operations, 1.3 KB: a scratch list copied into itself 21 times doubles it each time (2^21 copies of it).
DOUBLING_PATCH = [{"op": "add", "path": "/scratch", "value": [0]}] + [
    {"op": "copy", "from": "/scratch", "path": "/scratch/-"} for _ in range(21)
]


def test_a_patch_that_doubles_the_document_is_refused_quickly_naming_the_operation(client: TestClient) -> None:
    body = what_if_body(small_request(), DOUBLING_PATCH)
    assert len(json.dumps(body["scenarios"])) < 1500

    started = time.perf_counter()
    response = client.post("/v1/plans/what-if", json=body)
    elapsed = time.perf_counter() - started

    problem = assert_problem(response, 422, "invalid-request")
    [error] = problem["errors"]
    assert error["code"] == "scenario_too_large" and error["loc"][:3] == ["scenarios", 0, "patch"]
    assert 10 <= error["loc"][3] < len(DOUBLING_PATCH)
    assert "Scenario 'probe', operation" in error["message"] and "copy /scratch -> /scratch/-" in error["message"]
    assert elapsed < PATIENCE_S  # 6.8 s before the bound


def test_applying_the_doubling_patch_stays_small_in_memory() -> None:
    what_if = WhatIfRequest.model_validate(what_if_body(small_request(), DOUBLING_PATCH))
    tracemalloc.start()
    try:
        with pytest.raises(ProblemError, match="copies too much"):
            scenario_requests(what_if.base, what_if.scenarios, DEFAULT_LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024  # 737 MB before the bound


def test_ordinary_copies_are_still_allowed(client: TestClient) -> None:
    patch: list[dict[str, Any]] = [{"op": "copy", "from": "/issues/2", "path": "/issues/-"}]
    patch += [{"op": "replace", "path": "/issues/5/id", "value": "#6"}]
    what_if = WhatIfRequest.model_validate(what_if_body(small_request(), patch))
    [request] = scenario_requests(what_if.base, what_if.scenarios, DEFAULT_LIMITS)
    assert [issue.id for issue in request.issues][-1] == "#6"
