"""The forecast through the API, the command line, the reports and request validation."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.app import create_app
from service.cli import app
from service.importers.history import read_history_csv
from service.report import ReportFormat, render
from solver.intake.errors import InvalidRequestError
from solver.intake.limits import Limits
from solver.intake.validation import validate_request
from tests.test_service_support import service_settings

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "examples" / "reference_backlog.json"
runner = CliRunner()


def _reference(**options: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    data["options"].update(time_limit_s=2, **options)
    return data


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(service_settings())) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def forecast_result(client: TestClient) -> PlanResult:
    response = client.post("/v1/plans/forecast", json=_reference())
    assert response.status_code == 200, response.text
    return PlanResult.model_validate_json(response.content)


def test_the_forecast_endpoint_forecasts_with_the_defaults(forecast_result: PlanResult) -> None:
    assert forecast_result.checked and forecast_result.forecast is not None
    assert forecast_result.forecast.samples == 10000 and forecast_result.forecast.confidence == 0.85
    milestones = {m.id: m for m in forecast_result.milestones}
    for key in ("M3", "reconstruction"):
        assert milestones[key].p_on_time is not None and milestones[key].p85 is not None
    assert milestones["week16-web-ui"].p_on_time is None  # nothing estimated: nothing to forecast


def test_the_plan_endpoint_forecasts_only_when_asked(client: TestClient, forecast_result: PlanResult) -> None:
    plain = client.post("/v1/plans", json=_reference()).json()
    assert plain["forecast"] is None and all(m["p_on_time"] is None for m in plain["milestones"])
    asked = client.post("/v1/plans", json=_reference(forecast={"samples": 10000}))
    assert asked.status_code == 200
    body = PlanResult.model_validate_json(asked.content)
    assert body.forecast is not None
    # Same request, same seed: the same forecast as the forecast endpoint's.
    assert [m.model_dump() for m in body.milestones] == [m.model_dump() for m in forecast_result.milestones]


def test_a_bad_range_is_a_422_naming_the_field(client: TestClient) -> None:
    data = _reference()
    data["issues"][0].update(estimate_low_hours=5, estimate_high_hours=9)  # #840 is estimated at 2 h
    response = client.post("/v1/plans/forecast", json=data)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [e["loc"] for e in errors] == [["issues", 0, "estimate_low_hours"]]
    assert "#840" in errors[0]["message"] and "within its range" in errors[0]["message"]
    data["options"]["forecast"] = {"confidence": 1.5}
    response = client.post("/v1/plans", json=data)
    assert response.status_code == 422
    assert any(e["loc"][:3] == ["options", "forecast", "confidence"] for e in response.json()["errors"])


def _issue(**fields: Any) -> dict[str, Any]:
    return {"id": "#1", **fields}


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"estimate_low_hours": 2, "estimate_high_hours": 8}, "range_without_estimate", "estimate_hours"),
        ({"estimate_hours": 4, "estimate_high_hours": 8}, "incomplete_estimate_range", "estimate_low_hours"),
        ({"estimate_hours": 4, "estimate_low_hours": 2, "estimate_high_hours": 3}, "estimate_outside_range",
         "estimate_high_hours"),
        ({"estimate_hours": 4, "estimate_low_hours": 2, "estimate_high_hours": 401}, "estimate_range_too_wide",
         "estimate_high_hours"),
    ],
)
def test_ranges_are_checked(fields: dict[str, Any], code: str, field: str) -> None:
    request = PlanRequest.model_validate(
        {"start_date": "2025-11-24", "owners": [{"id": "a"}], "issues": [_issue(**fields)]}
    )
    problems = validate_request(request)
    assert [(p.code, p.loc) for p in problems] == [(code, ["issues", 0, field])]


def test_a_history_record_beyond_any_spread_is_refused() -> None:
    request = PlanRequest.model_validate({
        "start_date": "2025-11-24", "owners": [{"id": "a"}],
        "history": [{"estimate_hours": 4, "actual_hours": 6}, {"estimate_hours": 0.001, "actual_hours": 3}],
    })
    problems = validate_request(request)
    assert [(p.code, p.loc) for p in problems] == [("history_ratio_out_of_range", ["history", 1])]
    assert "3,000 times the estimate" in problems[0].message


def test_a_forecast_too_large_to_simulate_is_refused() -> None:
    request = PlanRequest.model_validate({
        "start_date": "2025-11-24", "owners": [{"id": "a"}],
        "issues": [_issue(estimate_hours=1), {"id": "#2", "estimate_hours": 1}],
        "options": {"forecast": {"samples": 1000}},
    })
    assert validate_request(request, Limits(max_forecast_cells=2000)) == []
    problems = validate_request(request, Limits(max_forecast_cells=1999))
    assert [p.code for p in problems] == ["forecast_too_large"] and "at most 999 samples" in problems[0].message


def test_the_history_csv_is_read_and_its_mistakes_listed() -> None:
    records = read_history_csv("id,Estimate Hours,actual\n#1,4,6\n#2,2.5,2\n\n")
    assert [(r.estimate_hours, r.actual_hours) for r in records] == [(4, 6), (2.5, 2)]
    with pytest.raises(InvalidRequestError) as raised:
        read_history_csv("estimate_hours,actual_hours\nfour,6\n3,-1\n")
    assert [p.message for p in raised.value.problems] == [
        "Row 2, column estimate_hours: 'four' is not a positive number of hours.",
        "Row 3, column actual_hours: '-1' is not a positive number of hours.",
    ]
    with pytest.raises(InvalidRequestError):
        read_history_csv("estimate,spent\n1,2\n")


def test_the_week_plan_shows_the_chances_and_the_p85_extension(forecast_result: PlanResult) -> None:
    request = PlanRequest.model_validate(_reference(forecast={}))
    text = render(ReportFormat.MD, request, forecast_result).decode()
    section = text[text.index("## Forecast"): text.index("## Day by day")]
    reconstruction = next(m for m in forecast_result.milestones if m.id == "reconstruction")
    row = next(line for line in section.splitlines() if line.startswith("| Miyabi Reconstruction"))
    assert f"**{round((reconstruction.p_on_time or 0) * 100)} %**" in row
    assert f"**+{reconstruction.forecast_extension_working_days} working days**" in row
    assert "+3 working days (Tue 2025-12-02)" in row  # the exact-estimate extension beside it
    assert next(line for line in section.splitlines() if line.startswith("| M3: BytePlus Revenue"))
    assert "for 85 % confidence" in text[text.index("## Recommendations"):]
    html = render(ReportFormat.HTML, request, forecast_result).decode()
    assert html.count("<svg") == 2 and 'aria-label="Forecast: finish-date distribution per milestone"' in html
    with_chart = Image.open(io.BytesIO(render(ReportFormat.PNG, request, forecast_result)))
    plain = forecast_result.model_copy(update={"forecast": None})
    without = Image.open(io.BytesIO(render(ReportFormat.PNG, request, plain)))
    assert with_chart.height > without.height  # the forecast's charts below the Gantt chart


def test_capplan_forecast_and_plan_forecast(tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.json"
    backlog.write_text(json.dumps(_reference()), encoding="utf-8")
    history = tmp_path / "history.csv"
    history.write_text("estimate_hours,actual_hours\n" + "".join(f"{n},{n * 1.5}\n" for n in range(1, 13)))
    shown = runner.invoke(app, ["forecast", str(backlog), "--samples", "2000", "--history", str(history)])
    assert shown.exit_code == 0, shown.output
    assert "# Forecast of the plan from Sun 2025-11-23" in shown.stdout
    assert "actual/estimate ratios of 12 finished issues" in shown.stdout
    png = tmp_path / "forecast.png"
    assert runner.invoke(app, ["forecast", str(backlog), "-f", "png", "--out", str(png)]).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    planned = runner.invoke(app, ["plan", str(backlog), "--forecast"])
    assert planned.exit_code == 0 and "## Forecast" in planned.stdout and "Chance on time" in planned.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("estimate_hours,actual_hours\nx,1\n")
    refused = runner.invoke(app, ["forecast", str(backlog), "--history", str(bad)])
    assert refused.exit_code == 1 and "'x' is not a positive number" in refused.stderr


def test_a_request_without_forecast_options_is_unchanged_by_the_cli(tmp_path: Path) -> None:
    data = copy.deepcopy(_reference())
    backlog = tmp_path / "backlog.json"
    backlog.write_text(json.dumps(data), encoding="utf-8")
    shown = runner.invoke(app, ["plan", str(backlog)])
    assert shown.exit_code == 0 and "## Forecast" not in shown.stdout


def test_the_example_script_forecasts_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("week_plan_example", ROOT / "examples" / "week_plan.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    backlog = tmp_path / "backlog.json"
    backlog.write_text(json.dumps(_reference()), encoding="utf-8")
    assert module.main([str(backlog), "--forecast"]) == 0
    assert "## Forecast" in capsys.readouterr().out


def test_reports_of_a_sent_back_plan_read_any_valid_forecast(forecast_result: PlanResult) -> None:
    """A plan sent to /v1/reports may carry a forecast capplan did not write: the reports take it as it is."""
    assert forecast_result.forecast is not None
    odd_spread = forecast_result.forecast.spread.model_copy(update={"low": None, "high": None})
    empty = [d.model_copy(update={"finish_dates": []}) for d in forecast_result.forecast.milestones]
    odd = forecast_result.model_copy(update={
        "forecast": forecast_result.forecast.model_copy(update={"spread": odd_spread, "milestones": empty})
    })
    request = PlanRequest.model_validate(_reference())
    for report_format in (ReportFormat.MD, ReportFormat.HTML, ReportFormat.PNG):
        assert render(report_format, request, odd)
    history = odd_spread.model_copy(update={"source": "history", "history_records": 3})
    text = render(ReportFormat.MD, request, odd.model_copy(update={
        "forecast": odd.forecast.model_copy(update={"spread": history}) if odd.forecast else None
    })).decode()
    assert "actual/estimate ratios of 3 finished issues, which replace the default spread" in text
