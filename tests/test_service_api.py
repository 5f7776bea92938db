"""HTTP tests of the real app with its default process pool: plans, what-if, validation, health, OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import jsonpatch
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api_schemas import PlanRequest, PlanResult, Problem
from api_schemas.examples import PLAN_REQUEST_EXAMPLE
from api_schemas.imports import ImportRequest
from api_schemas.jobs import JobSubmission
from api_schemas.reports import ReportRequest
from api_schemas.service import WHAT_IF_EXAMPLE, WhatIfRequest
from api_schemas.slots import SlotRequest
from checker.schedule_checker import check_schedule
from service import whatif
from service.app import create_app
from solver import planner
from solver.intake import validation
from solver.intake.limits import DEFAULT_LIMITS, Limits
from solver.planner import plan
from tests.test_service_support import service_settings, small_request


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(service_settings(pool="process", workers=2, queue_depth=8))
    with TestClient(app) as test_client:
        yield test_client


def _plan(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/plans", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_plan_returns_a_schedule_the_checker_accepts(client: TestClient) -> None:
    body = small_request()
    result = PlanResult.model_validate(_plan(client, body))
    assert result.status.value in ("OPTIMAL", "FEASIBLE")
    assert check_schedule(PlanRequest.model_validate(body), result) == []
    assert {issue.id for issue in result.issues} == {issue["id"] for issue in body["issues"]}
    assert next(i for i in result.issues if i.id == "#5").status.value == "unplanned"


def test_same_request_twice_gives_the_same_schedule(client: TestClient) -> None:
    first = _plan(client, small_request())
    second = _plan(client, small_request())
    assert first["issues"] == second["issues"]
    assert first["objective"] == second["objective"]


def test_time_limit_above_the_cap_is_clamped_not_refused(client: TestClient) -> None:
    body = small_request()
    body["options"]["time_limit_s"] = 3000  # allowed by the contract, above the service's 3 s cap
    assert _plan(client, body)["status"] in ("OPTIMAL", "FEASIBLE")


def _working_days_moved(before: date, after: date, holidays: set[date]) -> int:
    """Mon-Fri days minus holidays in (before, after], negative when earlier (written apart from the service)."""
    low, high = sorted((before, after))
    days = [low + timedelta(days=n) for n in range(1, (high - low).days + 1)]
    count = sum(day.weekday() < 5 and day not in holidays for day in days)
    return count if after >= before else -count


def test_what_if_differences_match_two_separate_plans(client: TestClient) -> None:
    base = small_request()
    patch: list[dict[str, Any]] = [
        {"op": "replace", "path": "/issues/2/estimate_hours", "value": 40},
        {"op": "remove", "path": "/owners/1"},
    ]
    response = client.post(
        "/v1/plans/what-if",
        json={"base": base, "scenarios": [{"name": "bigger-schema-no-bob", "patch": patch}]},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    [outcome] = answer["scenarios"]
    assert outcome["name"] == "bigger-schema-no-bob"

    baseline = _plan(client, base)
    scenario = _plan(client, jsonpatch.apply_patch(base, patch))
    assert answer["baseline"]["planned_issues"] == sum(i["status"] == "planned" for i in baseline["issues"])
    assert outcome["summary"]["late_issues"] == sum(i["late"] for i in scenario["issues"])

    before = {i["id"]: i for i in baseline["issues"]}
    after = {i["id"]: i for i in scenario["issues"]}
    changed = {
        issue_id: (before[issue_id]["owner"], after[issue_id]["owner"], after[issue_id]["finish"])
        for issue_id in before
        if any(before[issue_id][key] != after[issue_id][key] for key in ("owner", "start", "finish"))
    }
    diff = outcome["diff"]
    assert changed, "the scenario must change the plan for this test to mean anything"
    reported = {c["id"]: (c["owner_before"], c["owner_after"], c["finish_after"]) for c in diff["issues_changed"]}
    assert reported == changed
    assert diff["became_late"] == [i for i in before if after[i]["late"] and not before[i]["late"]]
    assert diff["became_on_time"] == [i for i in before if before[i]["late"] and not after[i]["late"]]

    holidays = {date.fromisoformat(day) for day in base["calendar"]["holidays"]}
    finishes_before = {m["id"]: m["projected_finish"] for m in baseline["milestones"]}
    expected_moves = {}
    for milestone in scenario["milestones"]:
        was, now = finishes_before[milestone["id"]], milestone["projected_finish"]
        if was != now:
            was_day, now_day = date.fromisoformat(was), date.fromisoformat(now)
            expected_moves[milestone["id"]] = (_working_days_moved(was_day, now_day, holidays),
                                               (now_day - was_day).days)
    assert expected_moves, "the bigger estimate must move a milestone"
    assert {m["id"]: (m["working_days"], m["calendar_days"]) for m in diff["milestones_moved"]} == expected_moves
    statuses_before = {m["id"]: m["status"] for m in baseline["milestones"]}
    assert [(s["id"], s["before"], s["after"]) for s in diff["status_changes"] if s["kind"] == "milestone"] == [
        (m["id"], statuses_before[m["id"]], m["status"])
        for m in scenario["milestones"]
        if m["status"] != statuses_before[m["id"]]
    ]


def test_what_if_example_runs_and_can_return_full_plans(client: TestClient) -> None:
    body = {**WHAT_IF_EXAMPLE, "include_plans": True}
    body["base"] = {**body["base"], "options": {"time_limit_s": 2, "seed": 0}}
    response = client.post("/v1/plans/what-if", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [s["name"] for s in answer["scenarios"]] == [s["name"] for s in WHAT_IF_EXAMPLE["scenarios"]]
    dropped = next(s for s in answer["scenarios"] if s["name"] == "drop-841")
    assert dropped["diff"]["issues_removed"] == ["#841"]
    assert answer["baseline_plan"]["status"] in ("OPTIMAL", "FEASIBLE")
    request = PlanRequest.model_validate(body["base"])
    assert check_schedule(request, PlanResult.model_validate(answer["baseline_plan"])) == []


def test_validate_lists_every_problem_and_summarises_capacity(client: TestClient) -> None:
    body = small_request()
    body["issues"][1]["pinned_owner"] = "carol"
    body["issues"][3]["depends_on"] = ["#404"]
    response = client.post("/v1/plans/validate", json=body)
    assert response.status_code == 200
    report = response.json()
    assert report["valid"] is False
    codes = {(tuple(p["loc"][:2]), p["code"]) for p in report["problems"]}
    assert len(report["problems"]) == 2, report["problems"]
    assert all(loc[0] == "issues" for loc, _ in codes)
    assert {"carol", "#2"} <= set(report["problems"][0]["ids"]) | set(report["problems"][1]["ids"])
    summary = report["summary"]
    assert (summary["issues"], summary["estimated_issues"], summary["unestimated_issues"]) == (5, 4, 1)
    assert summary["total_work_hours"] == 6 + 8 + 12 + 10
    assert summary["owners"] == 2 and summary["team_hours_per_day"] == 14
    m1, m2 = summary["milestones"]
    # Mon 3 to Wed 5 March: 3 working days of 8 + 6 hours; to Wed 12: Fri 7 is a holiday, so 7 days.
    assert (m1["id"], m1["work_hours"], m1["capacity_hours"]) == ("M1", 14, 3 * 14)
    assert (m2["id"], m2["work_hours"], m2["work_hours_due"], m2["capacity_hours"]) == ("M2", 22, 36, 7 * 14)
    assert m2["load_ratio"] == pytest.approx(36 / 98, abs=1e-3)


def test_validate_accepts_a_good_request(client: TestClient) -> None:
    report = client.post("/v1/plans/validate", json=small_request()).json()
    assert report["valid"] is True and report["problems"] == []


def test_validate_of_a_request_that_does_not_parse_has_problems_and_no_summary(client: TestClient) -> None:
    body = small_request()
    body["issues"][0]["estimate_hours"] = "six"
    report = client.post("/v1/plans/validate", json=body).json()
    assert report["valid"] is False and report["summary"] is None
    assert report["problems"][0]["loc"] == ["issues", 0, "estimate_hours"]
    assert report["problems"][0]["ids"] == ["#1"]


def test_health_ready_and_version(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready" and ready.json()["workers_up"] == ready.json()["workers"] >= 1
    version = client.get("/version").json()
    assert version["name"] == "capplan" and version["api_version"] == "v1"


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    echoed = client.get("/healthz", headers={"X-Request-ID": "req-42.abc"})
    assert echoed.headers["x-request-id"] == "req-42.abc"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id\twith\ttabs"})
    assert made.headers["x-request-id"] != "bad id\twith\ttabs" and len(made.headers["x-request-id"]) == 32
    problem = client.post("/v1/plans", content=b"{", headers={"X-Request-ID": "trace-7"})
    assert problem.headers["x-request-id"] == "trace-7" and problem.json()["request_id"] == "trace-7"


def test_openapi_documents_every_body_with_an_example_that_validates(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    models: dict[str, type[BaseModel]] = {
        "PlanRequest": PlanRequest, "WhatIfRequest": WhatIfRequest, "ImportRequest": ImportRequest,
        "ReportRequest": ReportRequest, "SlotRequest": SlotRequest, "JobSubmission": JobSubmission,
    }
    bodies = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method != "post":
                continue
            content = operation["requestBody"]["content"]["application/json"]
            name = content["schema"]["$ref"].rsplit("/", 1)[1]
            assert name in schemas, path
            for example in content["examples"].values():
                models[name].model_validate(example["value"])
            bodies += 1
    assert bodies == 8
    assert "ProblemDetails" in schemas and "Problem" in schemas
    _assert_refs_resolve(document, schemas)
    assert client.get("/docs").status_code == 200
    plan_body = document["paths"]["/v1/plans"]["post"]["requestBody"]["content"]["application/json"]
    assert plan_body["examples"]["example"]["value"] == PLAN_REQUEST_EXAMPLE


def _assert_refs_resolve(node: object, schemas: dict[str, Any]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
        for value in node.values():
            _assert_refs_resolve(value, schemas)
    elif isinstance(node, list):
        for value in node:
            _assert_refs_resolve(value, schemas)


def test_each_request_is_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[PlanRequest] = []
    real = validation.validate_request

    def recording(request: PlanRequest, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
        checked.append(request)
        return real(request, limits)

    for module in (validation, planner, whatif):
        monkeypatch.setattr(module, "validate_request", recording)
    scenarios = [{"name": "bigger", "patch": [{"op": "replace", "path": "/issues/2/estimate_hours", "value": 14}]}]
    with TestClient(create_app(service_settings())) as client:  # threads: the solve sees the very request checked
        assert client.post("/v1/plans", json=small_request()).status_code == 200
        [request] = checked[:1]
        assert sum(seen is request for seen in checked) == 1
        checked.clear()
        what_if = {"base": small_request(), "scenarios": scenarios}
        assert client.post("/v1/plans/what-if", json=what_if).status_code == 200
        base, scenario = checked[:2]
        assert sum(seen is base for seen in checked) == 1 and sum(seen is scenario for seen in checked) == 1


def test_what_if_from_a_baseline_plan_plans_only_the_scenarios_and_starts_them_from_it() -> None:
    warm_starts: list[PlanResult | None] = []

    def recording_plan(request: PlanRequest, limits: Limits, *, warm_start: PlanResult | None = None) -> PlanResult:
        warm_starts.append(warm_start)
        return plan(request, limits, warm_start=warm_start)

    base = small_request()
    patch: list[dict[str, Any]] = [{"op": "replace", "path": "/issues/2/estimate_hours", "value": 40}]
    body: dict[str, Any] = {"base": base, "scenarios": [{"name": "bigger", "patch": patch}], "include_plans": True}
    with TestClient(create_app(service_settings(), solve=recording_plan)) as client:
        first = client.post("/v1/plans/what-if", json=body)
        assert first.status_code == 200, first.text
        # The base first; then the scenario, re-planned against the base plan (its warm start and its baseline).
        assert warm_starts[0] is None and warm_starts[1] is not None
        baseline_plan = first.json()["baseline_plan"]
        assert warm_starts[1].model_dump(mode="json") == baseline_plan
        again = client.post("/v1/plans/what-if", json={**body, "baseline_plan": baseline_plan})
        assert again.status_code == 200, again.text
    assert len(warm_starts) == 3, "only the scenario is planned again"
    given = warm_starts[2]
    assert given is not None and given.model_dump(mode="json") == baseline_plan
    answer = again.json()
    assert answer["baseline"] == first.json()["baseline"]
    [outcome] = answer["scenarios"]
    scenario_plan = PlanResult.model_validate(outcome["plan"])
    scenario_request = {**jsonpatch.apply_patch(base, patch), "baseline": baseline_plan["issues"]}
    assert check_schedule(PlanRequest.model_validate(scenario_request), scenario_plan) == []
    assert scenario_plan.changes is not None
    before = {issue["id"]: issue for issue in baseline_plan["issues"]}
    changed = sorted(
        issue.id for issue in scenario_plan.issues
        if (issue.owner, issue.start and issue.start.isoformat(), issue.finish and issue.finish.isoformat())
        != (before[issue.id]["owner"], before[issue.id]["start"], before[issue.id]["finish"])
    )
    assert changed, "the bigger estimate must change the plan for this test to mean anything"
    assert sorted(c["id"] for c in outcome["diff"]["issues_changed"]) == changed


def test_a_baseline_plan_that_does_not_fit_the_base_is_refused_naming_the_issue(client: TestClient) -> None:
    base = small_request()
    baseline_plan = _plan(client, base)
    grown = small_request()
    grown["issues"][2]["estimate_hours"] = 40
    scenarios = [{"name": "later", "patch": [{"op": "replace", "path": "/issues/0/estimate_hours", "value": 9}]}]
    body = {"base": grown, "scenarios": scenarios, "baseline_plan": baseline_plan}
    response = client.post("/v1/plans/what-if", json=body)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors and all(error["loc"] == ["baseline_plan"] for error in errors)
    assert any(grown["issues"][2]["id"] in error["ids"] for error in errors), errors
    assert all("baseline_plan is not a valid plan of base" in error["message"] for error in errors)
