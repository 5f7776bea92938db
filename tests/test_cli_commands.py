"""The `capplan` commands: outputs, exit codes (0 ok, 1 invalid input, 2 usage) and the API's messages on stderr."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.cli import app
from service.commands.progress import SolveProgress
from solver.intake.validation import validate_request

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "examples" / "reference_backlog.json"
runner = CliRunner()


def write_json(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.fixture
def backlog(tmp_path: Path) -> str:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    data["options"]["time_limit_s"] = 1
    return write_json(tmp_path / "backlog.json", data)


@pytest.fixture
def invalid_backlog(tmp_path: Path) -> str:
    data = {
        "start_date": "2025-11-24",
        "owners": [{"id": "alice"}],
        "issues": [{"id": "#1", "estimate_hours": 2, "pinned_owner": "bob", "depends_on": ["#9"]}],
    }
    return write_json(tmp_path / "invalid.json", data)


def test_help_explains_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("plan", "what-if", "validate", "import", "serve"):
        assert command in result.stdout
    plan_help = runner.invoke(app, ["plan", "--help"])
    assert plan_help.exit_code == 0
    for word in ("--format", "--out", "--server", "Exit codes"):
        assert word in plan_help.stdout


def test_plan_writes_the_week_plan(backlog: str) -> None:
    result = runner.invoke(app, ["plan", backlog])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Week plan ")
    assert "## Day by day" in result.stdout and "## Success criteria" in result.stdout


def test_plan_json_is_a_plan_result(backlog: str) -> None:
    result = runner.invoke(app, ["plan", backlog, "--format", "json"])
    assert result.exit_code == 0
    planned = PlanResult.model_validate_json(result.stdout)
    assert len(planned.issues) == len(json.loads(Path(backlog).read_text())["issues"])


def test_plan_png_to_a_file(backlog: str, tmp_path: Path) -> None:
    out = tmp_path / "out" / "plan.png"
    result = runner.invoke(app, ["plan", backlog, "--format", "png", "--out", str(out)])
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert f"wrote {out}" in result.stderr


def test_invalid_input_exits_1_with_the_apis_messages(invalid_backlog: str) -> None:
    result = runner.invoke(app, ["plan", invalid_backlog])
    assert result.exit_code == 1
    assert result.stdout == ""
    expected = validate_request(PlanRequest.model_validate_json(Path(invalid_backlog).read_text()))
    assert len(expected) == 2
    assert f"has {len(expected)} problems" in result.stderr
    for problem in expected:
        assert f"  - {problem.message}" in result.stderr


def test_malformed_json_exits_1_naming_the_place(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"start_date": "2025-11-24",\n "owners": [}', encoding="utf-8")
    result = runner.invoke(app, ["plan", str(broken)])
    assert result.exit_code == 1
    assert "is not valid JSON" in result.stderr and "line 2" in result.stderr


def test_schema_errors_name_the_field_and_id(tmp_path: Path) -> None:
    data = {"start_date": "2025-11-24", "owners": [{"id": "a"}], "issues": [{"id": "#7", "estimate_hours": -1}]}
    result = runner.invoke(app, ["validate", write_json(tmp_path / "schema.json", data)])
    assert result.exit_code == 1
    assert "issues[0].estimate_hours (issue #7)" in result.stderr


@pytest.mark.parametrize(
    "arguments",
    [["plan", "does-not-exist.json"], ["plan"], ["plan", "{backlog}", "--format", "pdf"], ["frobnicate"],
     ["plan", "{backlog}", "--days", "0"]],
)
def test_usage_errors_exit_2(arguments: list[str], backlog: str) -> None:
    result = runner.invoke(app, [argument.replace("{backlog}", backlog) for argument in arguments])
    assert result.exit_code == 2


def test_validate_summarises_work_against_capacity(backlog: str) -> None:
    result = runner.invoke(app, ["validate", backlog])
    assert result.exit_code == 0
    request = PlanRequest.model_validate_json(Path(backlog).read_text())
    hours = sum(issue.work_hours or 0 for issue in request.issues)
    assert result.stdout.startswith(f"valid: {len(request.issues)} issues")
    assert f"{hours:g} h of work" in result.stdout


def test_validate_invalid_exits_1(invalid_backlog: str) -> None:
    result = runner.invoke(app, ["validate", invalid_backlog])
    assert result.exit_code == 1
    assert "pinned to owner 'bob', who is not in the team" in result.stderr


def test_what_if_compares_scenarios(backlog: str, tmp_path: Path) -> None:
    longer = write_json(tmp_path / "longer-days.json", [{"op": "replace", "path": "/owners/0/hours_per_day",
                                                          "value": 10}])
    named = write_json(tmp_path / "drop.json", {"name": "drop-976", "patch": [{"op": "remove",
                                                                               "path": "/issues/12"}]})
    result = runner.invoke(app, ["what-if", backlog, longer, named])
    assert result.exit_code == 0, result.stderr
    assert "| longer-days |" in result.stdout and "## Scenario drop-976" in result.stdout
    as_json = runner.invoke(app, ["what-if", backlog, longer, "--json"])
    assert json.loads(as_json.stdout)["scenarios"][0]["name"] == "longer-days"


def test_what_if_patch_that_does_not_apply_exits_1(backlog: str, tmp_path: Path) -> None:
    bad = write_json(tmp_path / "bad.json", [{"op": "replace", "path": "/issues/999/estimate_hours", "value": 3}])
    result = runner.invoke(app, ["what-if", backlog, bad])
    assert result.exit_code == 1
    assert "Scenario 'bad', operation 0 (replace /issues/999/estimate_hours) does not apply" in result.stderr


def test_import_github_writes_a_plan_request_and_notes(tmp_path: Path) -> None:
    out = tmp_path / "backlog.json"
    result = runner.invoke(app, ["import", "github", str(ROOT / "examples" / "github" / "issues.json"),
                                 "--milestones", str(ROOT / "examples" / "github" / "milestones.json"),
                                 "--start-date", "2025-11-23", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    request = PlanRequest.model_validate_json(out.read_text())
    assert validate_request(request) == []
    assert "note: " in result.stderr and "#1203" in result.stderr
    planned = runner.invoke(app, ["plan", str(out), "--time-limit", "2"])
    assert planned.exit_code == 0


def test_import_csv_errors_name_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,estimate_hours,owner\n#1,lots,a\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "csv", str(bad), "--start-date", "2025-11-24"])
    assert result.exit_code == 1
    assert "bad.csv row 2, column estimate_hours: 'lots'" in result.stderr


def test_import_bad_start_date_is_usage(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "csv", str(ROOT / "examples" / "backlog.csv"), "--start-date", "24/11"])
    assert result.exit_code == 2


def test_progress_shows_level_best_bound_and_time_on_a_terminal() -> None:
    stream = io.StringIO()
    with SolveProgress(stream, enabled=True) as progress:
        progress("P0 lateness (working days)", 9, 7, 1.25)
        progress("P0 lateness (working days)", 7, 7, 2.5)
    text = stream.getvalue()
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # rich's cursor and style codes
    assert "P0 lateness (working days): best 9, bound 7" in plain
    assert "[   2.5 s] P0 lateness (working days): best 7, proven" in plain
    assert text.endswith("\x1b[2K")  # the status line is erased when the solve ends
    quiet = io.StringIO()
    with SolveProgress(quiet, enabled=False) as progress:
        progress("P1 finish (quarter hours)", 5, 1, 0.1)
    assert quiet.getvalue() == ""


def test_plan_with_a_baseline_and_slot_for_a_new_issue(tmp_path: Path) -> None:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    data["options"] = {"time_limit_s": 2}
    backlog_file = write_json(tmp_path / "backlog.json", data)
    last = tmp_path / "last.json"
    assert runner.invoke(app, ["plan", backlog_file, "-f", "json", "-o", str(last)]).exit_code == 0
    for issue in data["issues"]:
        if issue["id"] == "M3-landing":
            issue["estimate_hours"] = 3
    changed = write_json(tmp_path / "changed.json", data)
    replanned = runner.invoke(app, ["plan", changed, "--baseline", str(last)])
    assert replanned.exit_code == 0, replanned.output
    assert "## Changes since the last plan" in replanned.output and "M3-stripe" in replanned.output
    new_issue = write_json(tmp_path / "new.json", {"id": "NEW", "estimate_hours": 6, "priority": "P1"})
    slots = runner.invoke(app, ["slot", changed, new_issue, "--json", "-k", "2"])
    assert slots.exit_code == 0, slots.output
    answer = json.loads(slots.output)
    assert answer["options"] and all(option["checked"] for option in answer["options"])
    unestimated = write_json(tmp_path / "bad.json", {"id": "NEW"})
    refused = runner.invoke(app, ["slot", changed, unestimated])
    assert refused.exit_code == 1 and "estimate" in refused.output
