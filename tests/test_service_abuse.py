"""One client must not hurt the others: fair shares of the solver pool, per-key limits, slow clients cut,
cross-site requests refused, strict JSON, and problem+json for everything the server says; all through a
real server process (`python -m service`)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from benchmarks.generator import SIZES, generate
from tests.live_servers import PATIENCE_S, running_server, wait_until_healthy
from tests.test_service_support import small_request

#: Generous bounds (not speed claims): a slow client is cut at its deadline, never before it and surely by this.
CUT_BY_S = 30.0
#: The longest /healthz may take while slow clients hold connections (it answers in milliseconds when idle).
HEALTH_BOUND_S = 2.0
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """One server for the quick cases: thread pool, 2 s deadlines for headers and body."""
    with running_server(pool="thread", headers_timeout_s="2", body_timeout_s="2", log_level="WARNING") as running:
        wait_until_healthy(*running)
        yield running[0]


def _problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{kind}" and body["status"] == status and body["detail"]
    return body


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def _read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or `CUT_BY_S` passes: then the test fails)."""
    connection.settimeout(CUT_BY_S)
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


# --- cross-site requests and strict JSON ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"content-type": "text/plain"}, {"content-type": "application/x-www-form-urlencoded"},
     {"content-type": "multipart/form-data; boundary=x"}],
    ids=["no-content-type", "text-plain", "form", "multipart"],
)
def test_a_cross_site_style_request_is_refused_with_415(server: str, headers: dict[str, str]) -> None:
    body = json.dumps(small_request()).encode()
    for path in ("/v1/plans", "/v1/plans/what-if", "/v1/plans/validate", "/v1/nothing-here"):
        refused = _problem(httpx.post(server + path, content=body, headers=headers, timeout=PATIENCE_S), 415,
                           "unsupported-media-type")
        assert "application/json" in refused["detail"]
    assert httpx.get(f"{server}/healthz", timeout=PATIENCE_S).json()["solves_running"] == 0  # nothing was solved
    assert httpx.post(f"{server}/v1/plans/validate", content=body, headers=JSON, timeout=PATIENCE_S).status_code == 200


def test_duplicate_keys_are_a_422_naming_the_key_and_where_it_is(server: str) -> None:
    text = json.dumps(small_request())
    text = text.replace('"estimate_hours": 6,', '"estimate_hours": 6, "estimate_hours": 60,', 1)
    for path in ("/v1/plans", "/v1/plans/validate"):
        body = _problem(httpx.post(server + path, content=text, headers=JSON, timeout=PATIENCE_S), 422,
                        "invalid-request")
        [error] = body["errors"]
        assert error["code"] == "duplicate_key" and error["loc"] == ["issues", 0, "estimate_hours"]
        assert "'estimate_hours'" in error["message"] and "/issues/0" in error["message"]
    scenarios = [{"name": "a", "patch": []}, {"name": "b", "patch": []}]
    what_if = json.dumps({"base": small_request(), "scenarios": scenarios})
    what_if = what_if.replace('"name": "b"', '"name": "b", "name": "c"')
    body = _problem(httpx.post(f"{server}/v1/plans/what-if", content=what_if, headers=JSON, timeout=PATIENCE_S),
                    422, "invalid-request")
    assert body["errors"][0]["loc"] == ["scenarios", 1, "name"]


@pytest.mark.parametrize("bad", ["\u202e", "\u0000", "\u200f", "\u2066", "\u0007", "\ufeff"])
def test_ids_with_control_or_bidirectional_characters_are_a_422_naming_the_code_point(server: str, bad: str) -> None:
    request = small_request()
    request["issues"][0]["id"] = f"#1{bad}gpj.exe"
    body = _problem(httpx.post(f"{server}/v1/plans", json=request, timeout=PATIENCE_S), 422, "invalid-request")
    [error] = [e for e in body["errors"] if e["loc"] == ["issues", 0, "id"]]
    assert f"U+{ord(bad):04X}" in error["message"] and "printable" in error["message"]
    request = small_request()
    request["owners"][1]["id"] = f"bob{bad}"
    body = _problem(httpx.post(f"{server}/v1/plans", json=request, timeout=PATIENCE_S), 422, "invalid-request")
    assert ["owners", 1, "id"] in [e["loc"] for e in body["errors"]]


def test_printable_unicode_ids_still_plan(server: str) -> None:
    request = small_request()
    request["owners"][0]["id"] = "アリス 👩‍💻"  # a zero-width joiner inside an emoji is printable text
    response = httpx.post(f"{server}/v1/plans", json=request, timeout=PATIENCE_S)
    assert response.status_code == 200, response.text
    assert "アリス 👩‍💻" in {issue["owner"] for issue in response.json()["issues"]}


def test_patch_errors_are_worded_in_the_requests_terms(server: str) -> None:
    patches = {
        "out-of-range": ([{"op": "remove", "path": "/owners/7"}], "/owners has 2 items, so 7 is out of range"),
        "test": ([{"op": "test", "path": "/issues/0/id", "value": "#9"}],
                 'test failed: /issues/0/id is "#1", not "#9"'),
        "no-field": ([{"op": "replace", "path": "/issues/0/estimate", "value": 1}],
                     "/issues/0 has no field 'estimate'"),
        "into-itself": ([{"op": "move", "from": "/issues", "path": "/issues/0"}], "cannot be moved inside itself"),
    }
    scenarios = [{"name": name, "patch": patch} for name, (patch, _) in patches.items()]
    response = httpx.post(f"{server}/v1/plans/what-if", json={"base": small_request(), "scenarios": scenarios},
                          timeout=PATIENCE_S)
    body = _problem(response, 422, "invalid-request")
    messages = [error["message"] for error in body["errors"]]
    assert len(messages) == len(patches)
    for message, (_, words) in zip(messages, patches.values(), strict=True):
        assert words in message, message
        assert "<class" not in message and "member" not in message and "JsonPointer" not in message


# --- what the HTTP layer itself says ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_head",
    [b"POST /v1/plans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}",
     b"POST /v1/plans HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
     b"GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"],
    ids=["content-length-not-a-number", "two-content-lengths", "malformed-header"],
)
def test_a_request_that_is_not_valid_http_gets_a_400_problem(server: str, request_head: bytes) -> None:
    with socket.create_connection(_address(server), timeout=CUT_BY_S) as connection:
        connection.sendall(request_head)
        answer = _read_until_closed(connection)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: application/problem+json" in head.lower()
    problem = json.loads(body)
    assert problem["type"] == "/problems/bad-request" and problem["status"] == 400


def test_slow_clients_are_cut_at_the_deadline_while_health_stays_fast(server: str) -> None:
    """500 such connections stayed open for 90 s before; now each is answered 408 and closed after 2 s."""
    slow_body = (b"POST /v1/plans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100000\r\n\r\n" + b'{"issues": [ ')
    slow_headers = b"POST /v1/plans HTTP/1.1\r\nHost: x\r\nContent-Type: appl"
    connections: list[tuple[str, socket.socket]] = []
    started = time.monotonic()
    for n in range(60):
        connection = socket.create_connection(_address(server), timeout=CUT_BY_S)
        kind = ("body", "headers", "silent")[n % 3]
        connection.sendall({"body": slow_body, "headers": slow_headers, "silent": b""}[kind])
        connections.append((kind, connection))
    waits = []
    with httpx.Client(base_url=server, timeout=PATIENCE_S) as health:
        while time.monotonic() - started < 1.5:  # before the deadline: every slow connection is still open
            asked = time.monotonic()
            assert health.get("/healthz").status_code == 200
            waits.append(time.monotonic() - asked)
    answers = {}
    for kind, connection in connections:
        with connection:
            answers[kind] = _read_until_closed(connection)
            cut_after = time.monotonic() - started
        assert cut_after >= 1.9, f"a {kind} client was cut after {cut_after:.2f} s, before the 2 s deadline"
        head, _, body = answers[kind].partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 "), answers[kind][:200]
        assert json.loads(body)["type"] == "/problems/request-timeout"
    assert b"2 s of its headers" in answers["body"] and b"headers did not arrive within 2 s" in answers["headers"]
    assert max(waits) < HEALTH_BOUND_S, f"/healthz waited {max(waits):.2f} s while slow clients were connected"
    assert httpx.post(f"{server}/v1/plans/validate", json=small_request(), timeout=PATIENCE_S).status_code == 200


def test_a_client_that_sends_its_body_in_time_is_not_cut(server: str) -> None:
    body = json.dumps(small_request()).encode()
    head = (f"POST /v1/plans/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(_address(server), timeout=CUT_BY_S) as connection:
        connection.sendall(head + body[:100])
        time.sleep(0.5)  # slow, but well within the 2 s deadline
        connection.sendall(body[100:])
        answer = _read_until_closed(connection)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]


# --- per-key limits -------------------------------------------------------------------------------------------


def test_each_key_has_its_own_concurrency_and_rate_limit_answered_429_with_retry_after() -> None:
    with running_server(pool="thread", api_keys="k-one,k-two", key_concurrency="1", key_rate_per_minute="3",
                        body_timeout_s="60", log_level="WARNING") as (url, process):
        wait_until_healthy(url, process)
        one, two = ({"authorization": f"Bearer {key}"} for key in ("k-one", "k-two"))
        holder = socket.create_connection(_address(url), timeout=CUT_BY_S)  # k-one's request stays in progress
        holder.sendall(b"POST /v1/plans/validate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k-one\r\n"
                       b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
        with httpx.Client(base_url=url, timeout=PATIENCE_S) as client:
            busy = _wait_for_429(client, one)
            assert "in progress" in busy.json()["detail"] and int(busy.headers["retry-after"]) >= 1
            assert client.post("/v1/plans/validate", json=small_request(), headers=two).status_code == 200
            holder.close()  # the client leaves: its request ends and frees k-one's slot
            deadline = time.monotonic() + PATIENCE_S
            while (answer := client.post("/v1/plans/validate", json=small_request(), headers=one)).status_code == 429:
                assert "in progress" in answer.json()["detail"] and time.monotonic() < deadline
            assert answer.status_code == 200  # k-one's second request of the minute
            assert client.post("/v1/plans/validate", json=small_request(), headers=one).status_code == 200
            limited = _problem(client.post("/v1/plans/validate", json=small_request(), headers=one), 429,
                               "too-many-requests")
            assert "3 requests" in limited["detail"]
            retry_after = int(client.post("/v1/plans/validate", json=small_request(), headers=one)
                              .headers["retry-after"])
            assert 1 <= retry_after <= 60
            assert client.post("/v1/plans/validate", json=small_request(), headers=two).status_code == 200
            assert client.get("/healthz").status_code == 200  # health needs no key and counts against none


def _wait_for_429(client: httpx.Client, headers: dict[str, str]) -> httpx.Response:
    """The 429 a key gets once its held request has reached the handler (it may take a moment to arrive)."""
    deadline = time.monotonic() + PATIENCE_S
    while True:
        response = client.post("/v1/plans/validate", json=small_request(), headers=headers)
        if response.status_code == 429:
            _problem(response, 429, "too-many-requests")
            return response
        assert time.monotonic() < deadline, "the held request never counted against its key"
        time.sleep(0.05)


# --- fair shares of the solver pool ----------------------------------------------------------------------------


def test_a_large_what_if_leaves_room_for_a_concurrent_plan() -> None:
    """5 solves on a pool of 2 workers + 2 queued: admitted when idle, it used to shut everyone else out (503)."""
    base = json.loads(generate(SIZES["M"], seed=1, time_limit_s=0.75).model_dump_json())  # uses its whole limit
    scenarios = [{"name": f"bigger-{n}", "patch": [{"op": "replace", "path": f"/issues/{n}/estimate_hours",
                                                   "value": 16}]} for n in range(4)]
    with running_server(workers="2", queue_depth="2", default_time_limit_s="2", max_time_limit_s="3",
                        log_level="WARNING") as (url, process):
        wait_until_healthy(url, process)
        with httpx.Client(base_url=url, timeout=PATIENCE_S) as client:
            finished: dict[str, float] = {}
            answers: dict[str, httpx.Response] = {}

            def what_if() -> None:
                answers["what-if"] = client.post("/v1/plans/what-if", json={"base": base, "scenarios": scenarios})
                finished["what-if"] = time.monotonic()

            heavy = threading.Thread(target=what_if)
            heavy.start()
            deadline = time.monotonic() + PATIENCE_S
            while (load := client.get("/healthz").json())["solves_running"] == 0:
                assert time.monotonic() < deadline and heavy.is_alive(), answers
            # One worker: its share. The base is planned first (the scenarios re-plan against its plan), then the four
            # scenarios one after another on that worker.
            assert load["status"] == "ok" and load["solves_running"] == 1 and load["solves_waiting"] in (0, 4)
            assert client.get("/readyz").status_code == 200
            plan = client.post("/v1/plans", json=small_request())
            finished["plan"] = time.monotonic()
            heavy.join(PATIENCE_S)

            assert plan.status_code == 200, plan.text
            assert answers["what-if"].status_code == 200, answers["what-if"].text
            assert finished["plan"] < finished["what-if"]  # it ran beside the what-if, not after it
            assert len(answers["what-if"].json()["scenarios"]) == 4

            too_many = [{**scenarios[n % 4], "name": f"s{n}"} for n in range(9)]
            refused = _problem(client.post("/v1/plans/what-if", json={"base": base, "scenarios": too_many}), 422,
                               "invalid-request")
            [error] = refused["errors"]
            assert error["code"] == "request_too_costly" and error["loc"] == ["scenarios"]
            assert "10 solves" in error["message"] and "at most 4 s" in error["message"]
