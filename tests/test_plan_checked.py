"""Every plan is checked before it leaves the library, the service and the CLI; a broken plan never does."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

import solver.planner
import solver.result
from api_schemas import PlanRequest, PlanResult, SolveStatus
from checker import RULES
from service.app import create_app
from service.cli import app as cli_app
from solver.intake.limits import Limits
from solver.planner import plan
from solver.verification import PlanCheckError, verified
from tests.strategies import plan_requests
from tests.test_service_support import service_settings, small_request

REFERENCE = Path(__file__).resolve().parents[1] / "examples" / "reference_backlog.json"


def _broken(result: PlanResult) -> PlanResult:
    """`result` with its first slot moved one day later: the reported finish no longer matches the slots."""
    issues = list(result.issues)
    for position, issue in enumerate(issues):
        if issue.slots:
            slot = issue.slots[0].model_copy(update={"date": issue.slots[0].date + timedelta(days=1)})
            issues[position] = issue.model_copy(update={"slots": [slot, *issue.slots[1:]]})
            return result.model_copy(update={"issues": issues})
    raise AssertionError("no planned issue to break")


@pytest.fixture
def broken_planner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the planner's result builder return a broken plan, as a bug in the model would."""
    build = solver.result.build_result
    monkeypatch.setattr(solver.planner, "build_result", lambda *args, **kwargs: _broken(build(*args, **kwargs)))


def _request(**options: Any) -> PlanRequest:
    data = small_request()
    data["options"] = {"time_limit_s": 2, **options}
    return PlanRequest.model_validate(data)


# --- library --------------------------------------------------------------------------------------------------


def test_a_returned_plan_says_it_was_checked() -> None:
    result = plan(_request())
    assert result.checked
    assert result.check is not None and result.check.rules == len(RULES) and result.check.violations == 0
    assert result.check.seconds >= 0


def test_the_reference_plan_with_recommendations_is_checked() -> None:
    request = PlanRequest.model_validate_json(REFERENCE.read_text())
    result = plan(request.model_copy(update={"options": request.options.model_copy(update={"time_limit_s": 3})}))
    assert result.checked and result.recommendations is not None


def test_an_infeasible_answer_is_checked_too() -> None:
    data = small_request()
    data["issues"][0] |= {"pinned_owner": "alice", "pinned_start": "2025-03-08"}  # a Saturday
    result = plan(PlanRequest.model_validate(data))
    assert result.status == SolveStatus.INFEASIBLE
    assert result.checked


@pytest.mark.usefixtures("broken_planner")
def test_a_broken_plan_never_reaches_the_library_caller() -> None:
    with pytest.raises(PlanCheckError) as raised:
        plan(_request(), with_recommendations=False)
    assert raised.value.violations
    assert "rule" in str(raised.value)


def test_verified_refuses_a_broken_plan_and_keeps_a_good_one() -> None:
    request = _request()
    good = plan(request, with_recommendations=False).model_copy(update={"checked": False, "check": None})
    assert verified(request, good).checked
    with pytest.raises(PlanCheckError):
        verified(request, _broken(good))


def test_the_error_crosses_a_process_boundary_intact() -> None:
    import pickle

    error = PlanCheckError(["[capacity] alice works 9 h on 2025-03-03", "[overlap] #1 and #2"])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.violations == error.violations and str(copy) == str(error)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=plan_requests())
def test_every_plan_of_generated_requests_is_checked(request: PlanRequest) -> None:
    short = request.model_copy(update={"options": request.options.model_copy(update={"time_limit_s": 1})})
    assert plan(short, with_recommendations=False).checked


# --- service --------------------------------------------------------------------------------------------------


def _unchecked_broken_plan(request: PlanRequest, limits: Limits, *, warm_start: PlanResult | None = None) -> PlanResult:
    """A solve that skips the library's check and returns a broken plan: the service must check it itself."""
    result = solver.planner._planned(request, limits, with_recommendations=False, validated=True)
    return _broken(result)


def _raising_check_plan(request: PlanRequest, limits: Limits, *, warm_start: PlanResult | None = None) -> PlanResult:
    """A solve whose own check caught a broken plan, as `plan` does in a worker."""
    raise PlanCheckError(["[coverage] #1 is reported to finish at 10:00 but its slots end at 12:00"])


def test_the_service_answers_with_a_checked_plan() -> None:
    with TestClient(create_app(service_settings())) as client:
        response = client.post("/v1/plans", json=small_request())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["checked"] is True and body["check"]["rules"] == len(RULES)


@pytest.mark.parametrize("solve", [_unchecked_broken_plan, _raising_check_plan])
def test_a_broken_plan_is_a_500_incident_never_a_plan(solve: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="service.incidents"), TestClient(
        create_app(service_settings(), solve=solve)
    ) as client:
        response = client.post("/v1/plans", json=small_request())
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/plan-check-failed"
    assert "issues" not in body and "slots" not in response.text
    records = [r for r in caplog.records if r.name == "service.incidents"]
    assert len(records) == 1
    incident = records[0].__dict__["incident"]
    assert incident in body["detail"]
    assert records[0].__dict__["request_id"] == body["request_id"]
    assert records[0].__dict__["violations"]


# --- command line ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("broken_planner")
def test_the_cli_writes_no_broken_plan(tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.json"
    backlog.write_text(json.dumps(small_request() | {"options": {"time_limit_s": 2}}), encoding="utf-8")
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(cli_app, ["plan", str(backlog), "--format", "json", "--out", str(out)])
    assert result.exit_code == 4, result.output
    assert not out.exists()
    assert "breaks" in result.output and "bug" in result.output


def test_the_cli_writes_a_checked_plan(tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.json"
    backlog.write_text(json.dumps(small_request() | {"options": {"time_limit_s": 2}}), encoding="utf-8")
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(cli_app, ["plan", str(backlog), "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["checked"] is True
