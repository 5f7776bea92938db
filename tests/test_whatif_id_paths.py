"""What-if paths that name issues, owners and milestones by id: capplan's documented extension of RFC 6902."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api_schemas.request import PlanRequest
from api_schemas.service import Scenario
from service.problems import ProblemError
from service.whatif import scenario_requests
from solver.intake.limits import DEFAULT_LIMITS

REFERENCE = Path(__file__).resolve().parent.parent / "examples" / "reference_backlog.json"


@pytest.fixture(scope="module")
def base() -> PlanRequest:
    return PlanRequest.model_validate(json.loads(REFERENCE.read_text(encoding="utf-8")))


def scenario(*operations: dict[str, Any]) -> Scenario:
    return Scenario.model_validate({"name": "s", "patch": list(operations)})


def index_of(request: PlanRequest, identifier: str) -> int:
    return next(i for i, issue in enumerate(request.issues) if issue.id == identifier)


def test_ids_and_indices_address_the_same_element(base: PlanRequest) -> None:
    position = index_of(base, "#975")
    by_id = scenario({"op": "replace", "path": "/issues/#975/estimate_hours", "value": 3},
                     {"op": "replace", "path": f"/owners/{base.owners[0].id}/hours_per_day", "value": 6},
                     {"op": "add", "path": f"/owners/{base.owners[0].id}/skills/-", "value": "db"},
                     {"op": "add", "path": "/issues/#975/skills/-", "value": "db"})
    by_index = scenario({"op": "replace", "path": f"/issues/{position}/estimate_hours", "value": 3},
                        {"op": "replace", "path": "/owners/0/hours_per_day", "value": 6},
                        {"op": "add", "path": "/owners/0/skills/-", "value": "db"},
                        {"op": "add", "path": f"/issues/{position}/skills/-", "value": "db"})
    first, second = scenario_requests(base, [by_id, by_index], DEFAULT_LIMITS)
    assert first == second
    assert first.issues[position].estimate_hours == 3 and first.owners[0].hours_per_day == 6


def test_ids_resolve_after_earlier_operations_and_in_from_pointers(base: PlanRequest) -> None:
    moved = scenario({"op": "move", "from": "/issues/#975", "path": "/issues/-"},
                     {"op": "replace", "path": "/issues/#975/estimate_hours", "value": 5})
    [request] = scenario_requests(base, [moved], DEFAULT_LIMITS)
    assert [issue.id for issue in request.issues].count("#975") == 1
    assert (request.issues[-1].id, request.issues[-1].estimate_hours) == ("#975", 5)


def test_an_unknown_id_names_the_scenario_operation_and_id(base: PlanRequest) -> None:
    with pytest.raises(ProblemError) as caught:
        scenario_requests(base, [scenario({"op": "replace", "path": "/issues/#999/estimate_hours", "value": 1})],
                          DEFAULT_LIMITS)
    [problem] = caught.value.errors
    assert problem.code == "patch_failed" and problem.loc == ["scenarios", 0, "patch", 0]
    assert "there is no issue '#999' at /issues/#999/estimate_hours" in problem.message


def test_a_problem_made_through_an_id_path_blames_that_operation(base: PlanRequest) -> None:
    with pytest.raises(ProblemError) as caught:
        scenario_requests(base, [scenario({"op": "add", "path": "/owners/-", "value": {"id": "extra"}},
                                          {"op": "replace", "path": "/issues/#975/pinned_owner", "value": "zed"})],
                          DEFAULT_LIMITS)
    [problem] = caught.value.errors
    assert problem.loc == ["scenarios", 0, "patch", 1]
    assert problem.message.startswith("Scenario 's', operation 1 (replace /issues/#975/pinned_owner)")


def test_the_http_what_if_takes_id_paths(base: PlanRequest) -> None:
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import Settings

    small = base.model_copy(update={"options": base.options.model_copy(update={"time_limit_s": 1})})
    body: dict[str, Any] = {"base": small.model_dump(mode="json"),
            "scenarios": [{"name": "smaller-975", "patch": [
                {"op": "replace", "path": "/issues/#975/estimate_hours", "value": 2}]}]}
    with TestClient(create_app(Settings(pool="thread", api_keys=[]))) as client:
        answer = client.post("/v1/plans/what-if", json=body)
        assert answer.status_code == 200, answer.text
        assert answer.json()["scenarios"][0]["name"] == "smaller-975"
        body["scenarios"][0]["patch"][0]["path"] = "/issues/#9999/estimate_hours"
        refused = client.post("/v1/plans/what-if", json=body)
    assert refused.status_code == 422
    assert "there is no issue '#9999'" in refused.json()["errors"][0]["message"]
