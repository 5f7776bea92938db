"""Every kind of bad input gets a 4xx RFC 9457 problem with a clear message; never a 500 or a stack trace."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.test_service_support import failing_plan, service_settings, small_request

MAX_BODY = 64 * 1024


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(service_settings(max_body_bytes=MAX_BODY, max_scenarios=3))) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def no_unhandled_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Client input must never reach the last-resort handler."""
    with caplog.at_level(logging.ERROR, logger="service.errors"):
        yield
    unhandled = [r for r in caplog.get_records("call") if r.name == "service.errors"]
    assert not unhandled, "a client input reached the last-resort handler"


def assert_problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    """Check the RFC 9457 shape and return the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{kind}" and body["status"] == status
    assert body["title"] and body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    for error in body.get("errors", []):
        assert set(error) == {"loc", "code", "message", "ids"}
    return body


def post_raw(client: TestClient, content: bytes, path: str = "/v1/plans", **headers: str) -> Any:
    return client.post(path, content=content, headers={"content-type": "application/json", **headers})


# --- malformed JSON ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (b'{"start_date": "2025-03-03",', "json_invalid", "not valid JSON"),
        (b"", "json_empty", "empty"),
        (b"   ", "json_empty", "empty"),
        (b'{"a": NaN}', "json_invalid_number", "NaN"),
        (b'{"a": -Infinity}', "json_invalid_number", "Infinity"),
        (b'{"seed": 1e400}', "json_number_too_large", "/seed"),
        (b'{"seed": ' + b"9" * 5000 + b"}", "json_number_too_large", "too many digits"),
        (b"[" * 5000 + b"]" * 5000, "json_too_deep", "nested too deeply"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "json_too_deep", "nested too deeply"),
        (b'{"owners": [{"id": "\\ud800"}]}', "json_invalid_unicode", "/owners/0/id"),
        (b'{"id": "\xff\xfe\xfa"}', "json_invalid_encoding", "UTF-8"),
    ],
)
def test_malformed_json_is_a_400_that_says_what_is_wrong(
    client: TestClient, content: bytes, code: str, words: str
) -> None:
    body = assert_problem(post_raw(client, content), 400, "malformed-json")
    assert body["errors"][0]["code"] == code
    assert words in body["detail"]


@pytest.mark.parametrize("path", ["/v1/plans", "/v1/plans/what-if", "/v1/plans/validate"])
def test_every_endpoint_refuses_malformed_json(client: TestClient, path: str) -> None:
    assert_problem(post_raw(client, b"[1, 2", path), 400, "malformed-json")


def test_a_body_that_is_not_json_is_a_415(client: TestClient) -> None:
    response = client.post("/v1/plans", content=b"start_date=2025-03-03", headers={"content-type": "text/plain"})
    body = assert_problem(response, 415, "unsupported-media-type")
    assert "application/json" in body["detail"]


# --- wrong types, bad values, bad references ----------------------------------------------------------------


def test_wrong_types_are_a_422_naming_the_field_and_the_issue(client: TestClient) -> None:
    request = small_request()
    request["issues"][2]["estimate_hours"] = "twelve"
    request["owners"][1]["hours_per_day"] = [8]
    request["options"]["seed"] = 10**30
    body = assert_problem(client.post("/v1/plans", json=request), 422, "invalid-request")
    by_loc = {tuple(error["loc"]): error for error in body["errors"]}
    assert set(by_loc) == {("issues", 2, "estimate_hours"), ("owners", 1, "hours_per_day"), ("options", "seed")}
    assert by_loc[("issues", 2, "estimate_hours")]["ids"] == ["#3"]
    assert "#3" in by_loc[("issues", 2, "estimate_hours")]["message"]
    assert by_loc[("owners", 1, "hours_per_day")]["ids"] == ["bob"]


def test_a_body_that_is_not_an_object_is_a_422(client: TestClient) -> None:
    assert_problem(post_raw(client, b"[1, 2, 3]"), 422, "invalid-request")


def test_unknown_fields_and_missing_ones_are_named(client: TestClient) -> None:
    request = small_request()
    request["issues"][0]["estimate"] = 3
    del request["start_date"]
    body = assert_problem(client.post("/v1/plans", json=request), 422, "invalid-request")
    codes = {(tuple(e["loc"]), e["code"]) for e in body["errors"]}
    assert (("issues", 0, "estimate"), "unknown_field") in codes
    assert (("start_date",), "missing_field") in codes


def test_cross_field_problems_are_all_listed_with_their_ids(client: TestClient) -> None:
    request = small_request()
    request["issues"][1]["pinned_owner"] = "carol"
    request["issues"][0]["depends_on"] = ["#2"]  # with #2 -> #1, a cycle
    body = assert_problem(client.post("/v1/plans", json=request), 422, "invalid-request")
    ids = {identifier for error in body["errors"] for identifier in error["ids"]}
    assert {"carol", "#1", "#2"} <= ids
    assert len(body["errors"]) >= 2 and "more" in body["detail"]


def test_unicode_ids_work_and_bad_ones_are_named(client: TestClient) -> None:
    request = small_request()
    request["owners"][0]["id"] = "アリス"
    request["issues"][0]["id"] = "課題-1 🚀"
    request["issues"][1]["depends_on"] = [{"issue": "課題-1 🚀", "lag_days": 1}]
    response = client.post("/v1/plans", json=request)
    assert response.status_code == 200, response.text
    issues = {issue["id"]: issue for issue in response.json()["issues"]}
    assert issues["課題-1 🚀"]["owner"] == "アリス"

    request["issues"][2]["id"] = " 課題-3"  # leading blank
    request["issues"][3]["pinned_owner"] = "ボブ"
    body = assert_problem(client.post("/v1/plans", json=request), 422, "invalid-request")
    assert any(error["loc"] == ["issues", 2, "id"] for error in body["errors"])
    body = json.loads(post_raw(client, json.dumps(request, ensure_ascii=False).encode()).text)
    assert body["status"] == 422


# --- size, routing, auth ------------------------------------------------------------------------------------


def test_a_declared_oversized_body_is_a_413(client: TestClient) -> None:
    content = b'{"x": "' + b"a" * MAX_BODY + b'"}'
    body = assert_problem(post_raw(client, content), 413, "payload-too-large")
    assert str(MAX_BODY) in body["detail"]


def test_an_oversized_streamed_body_without_length_is_a_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"x": "'
        for _ in range(MAX_BODY // 4096 + 2):
            yield b"a" * 4096
        yield b'"}'

    response = client.post("/v1/plans", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_problem(response, 413, "payload-too-large")


def test_unknown_paths_and_wrong_methods_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/v1/nothing-here"), 404, "not-found")
    response = client.get("/v1/plans")
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "POST"


def test_api_keys_guard_v1_version_and_docs_but_not_health() -> None:
    app = create_app(service_settings(api_keys=["k-one", "k-two"]))
    with TestClient(app) as client:
        missing = assert_problem(client.post("/v1/plans/validate", json=small_request()), 401, "unauthorized")
        assert "Bearer" in missing["detail"]
        wrong = client.post("/v1/plans/validate", json=small_request(), headers={"Authorization": "Bearer k-three"})
        assert_problem(wrong, 401, "unauthorized")
        assert wrong.headers["www-authenticate"].startswith("Bearer")
        basic = client.post("/v1/plans/validate", json=small_request(), headers={"Authorization": "Basic k-one"})
        assert_problem(basic, 401, "unauthorized")
        good = client.post("/v1/plans/validate", json=small_request(), headers={"Authorization": "Bearer k-two"})
        assert good.status_code == 200 and good.json()["valid"] is True
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        for path in ("/version", "/docs", "/openapi.json"):  # they follow the key setting
            assert_problem(client.get(path), 401, "unauthorized")
            assert client.get(path, headers={"Authorization": "Bearer k-one"}).status_code == 200
    with TestClient(create_app(service_settings(api_keys=["k-one"], public_docs=True))) as public:
        for path in ("/version", "/docs", "/openapi.json"):
            assert public.get(path).status_code == 200
        assert_problem(public.post("/v1/plans/validate", json=small_request()), 401, "unauthorized")


def test_cors_is_off_by_default_and_answers_configured_origins(client: TestClient) -> None:
    preflight = {"Origin": "https://dash.example", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in client.options("/v1/plans", headers=preflight).headers
    with TestClient(create_app(service_settings(cors_origins=["https://dash.example"]))) as cors_client:
        allowed = cors_client.options("/v1/plans", headers=preflight)
        assert allowed.headers["access-control-allow-origin"] == "https://dash.example"
        answer = cors_client.get("/healthz", headers={"Origin": "https://dash.example"})
        assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()


def test_readiness_reads_the_pool_and_solves_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with TestClient(create_app(service_settings(workers=2, queue_depth=3), solve=failing_plan)) as client:
        response = client.get("/readyz")
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["workers"], body["workers_up"]) == ("ready", 2, 2)
        assert (body["solves_running"], body["solves_waiting"], body["work_admitted_s"]) == (0, 0, 0)
        assert body["work_capacity_s"] == (2 + 3) * 2  # (workers + queue) x the default time limit
        # The solver is broken, yet readiness says nothing of it: it did not solve (a plan shows the fault).
        assert_problem(client.post("/v1/plans", json=small_request()), 500, "internal-error")
        assert client.get("/readyz").status_code == 200
    caplog.clear()  # the plan provoked the last-resort handler on purpose


def test_without_api_keys_no_header_is_needed(client: TestClient) -> None:
    assert client.post("/v1/plans/validate", json=small_request()).status_code == 200


# --- what-if input --------------------------------------------------------------------------------------------


def what_if(client: TestClient, scenarios: list[dict[str, Any]], base: dict[str, Any] | None = None) -> Any:
    return client.post("/v1/plans/what-if", json={"base": base or small_request(), "scenarios": scenarios})


def test_a_patch_that_does_not_apply_names_the_scenario_and_operation(client: TestClient) -> None:
    scenarios: list[dict[str, Any]] = [
        {"name": "fine", "patch": [{"op": "replace", "path": "/issues/0/estimate_hours", "value": 4}]},
        {"name": "broken", "patch": [
            {"op": "replace", "path": "/issues/0/estimate_hours", "value": 4},
            {"op": "remove", "path": "/owners/7"},
        ]},
        {"name": "failed-test", "patch": [{"op": "test", "path": "/owners/0/id", "value": "zed"}]},
    ]
    body = assert_problem(what_if(client, scenarios), 422, "invalid-request")
    assert [error["loc"] for error in body["errors"]] == [["scenarios", 1, "patch", 1], ["scenarios", 2, "patch", 0]]
    assert "Scenario 'broken', operation 1 (remove /owners/7)" in body["errors"][0]["message"]
    assert all(error["code"] == "patch_failed" for error in body["errors"])


def test_a_patch_that_makes_the_request_invalid_names_the_scenario_operation_and_ids(client: TestClient) -> None:
    scenarios: list[dict[str, Any]] = [
        {"name": "negative", "patch": [
            {"op": "add", "path": "/owners/-", "value": {"id": "carol"}},
            {"op": "replace", "path": "/issues/2/estimate_hours", "value": -5},
        ]},
        {"name": "no-infra", "patch": [{"op": "remove", "path": "/owners/0"}]},
    ]
    body = assert_problem(what_if(client, scenarios), 422, "invalid-request")
    first, *others = body["errors"]
    assert first["loc"] == ["scenarios", 0, "patch", 1] and first["ids"] == ["#3"]
    assert "Scenario 'negative', operation 1 (replace /issues/2/estimate_hours)" in first["message"]
    assert others and all(error["loc"][:2] == ["scenarios", 1] for error in others)
    assert any("#1" in error["ids"] for error in others)  # #1 needs 'infra', which only alice had


def test_bad_operations_and_scenario_lists_are_refused(client: TestClient) -> None:
    bad_op = [{"name": "x", "patch": [{"op": "replace", "path": "issues/0"}]}]
    body = assert_problem(what_if(client, bad_op), 422, "invalid-request")
    assert {tuple(e["loc"][:4]) for e in body["errors"]} == {("scenarios", 0, "patch", 0)}
    twice = [{"name": "a", "patch": [{"op": "remove", "path": "/issues/4"}]}] * 2
    assert "unique" in assert_problem(what_if(client, twice), 422, "invalid-request")["detail"]
    many = [{"name": f"s{n}", "patch": [{"op": "remove", "path": "/issues/4"}]} for n in range(4)]
    body = assert_problem(what_if(client, many), 422, "invalid-request")
    assert body["errors"][0]["code"] == "too_many_scenarios"


def test_an_invalid_base_is_reported_under_base_with_ids(client: TestClient) -> None:
    base = small_request()
    base["issues"][3]["estimate_hours"] = 0
    base["issues"][1]["pinned_owner"] = "zed"
    body = assert_problem(what_if(client, [{"name": "s", "patch": [{"op": "remove", "path": "/issues/4"}]}], base),
                          422, "invalid-request")
    assert body["errors"][0]["loc"] == ["base", "issues", 3, "estimate_hours"]
    assert body["errors"][0]["ids"] == ["#4"]


# --- the last resort ----------------------------------------------------------------------------------------


def test_a_server_failure_is_a_generic_500_without_internals(caplog: pytest.LogCaptureFixture) -> None:
    with TestClient(create_app(service_settings(), solve=failing_plan)) as client:
        response = client.post("/v1/plans", json=small_request())
    body = assert_problem(response, 500, "internal-error")
    assert "secret" not in response.text and "solver.py" not in response.text
    assert body["request_id"] in body["detail"]
    logged = [r for r in caplog.records if r.name == "service.errors"]
    assert len(logged) == 1 and logged[0].exc_info is not None
    caplog.clear()  # this test provokes the last-resort handler on purpose


# --- the OpenAPI document ---------------------------------------------------------------------------------------


def _problem_types(operation: dict[str, Any], status: int) -> list[str]:
    schema = operation["responses"][str(status)]["content"]["application/problem+json"]["schema"]
    return list(schema["allOf"][1]["properties"]["type"]["enum"])


def test_openapi_declares_the_bearer_scheme_and_each_operations_problem_types() -> None:
    with TestClient(create_app(service_settings(api_keys=["k-one"]))) as keyed:
        document = keyed.get("/openapi.json", headers={"Authorization": "Bearer k-one"}).json()
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    paths = document["paths"]
    for path in ("/v1/plans", "/v1/plans/what-if", "/v1/plans/validate"):
        operation = paths[path]["post"]
        assert operation["security"] == [{"bearerAuth": []}]
        assert _problem_types(operation, 429) == ["/problems/too-many-requests"]
        assert "Retry-After" in operation["responses"]["429"]["headers"]
        assert _problem_types(operation, 415) == ["/problems/unsupported-media-type"]
        assert _problem_types(operation, 408) == ["/problems/request-timeout"]
        assert _problem_types(operation, 500) == ["/problems/internal-error", "/problems/plan-check-failed"]
    assert _problem_types(paths["/v1/plans"]["post"], 503) == ["/problems/service-busy", "/problems/solver-crashed"]
    assert _problem_types(paths["/readyz"]["get"], 503) == ["/problems/service-busy", "/problems/solver-unavailable"]
    assert paths["/version"]["get"]["security"] == [{"bearerAuth": []}]
    assert "security" not in paths["/healthz"]["get"] and "security" not in paths["/readyz"]["get"]

    with TestClient(create_app(service_settings())) as open_client:  # no keys: the scheme is declared, not required
        document = open_client.get("/openapi.json").json()
    assert "bearerAuth" in document["components"]["securitySchemes"]
    assert not [op for ops in document["paths"].values() for op in ops.values() if "security" in op]
