"""One error path for every entry point: `capplan`, examples/week_plan.py and HTTP read and refuse alike."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.app import create_app
from service.cli import app
from service.settings import Settings
from tests.live_servers import free_port

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "examples" / "reference_backlog.json"
EXAMPLE = ROOT / "examples" / "week_plan.py"
runner = CliRunner()

SMALL = {"start_date": "2025-11-24", "owners": [{"id": "a"}], "issues": [{"id": "#1", "estimate_hours": 2}],
         "options": {"time_limit_s": 1}}
#: No plan exists: 16 h of work due, hard, at the end of the first day of an 8 h owner.
INFEASIBLE = {"start_date": "2025-11-24", "owners": [{"id": "a"}],
              "issues": [{"id": "#1", "estimate_hours": 16, "deadline": "2025-11-24", "hard_deadline": True}],
              "options": {"time_limit_s": 1}}


def write(path: Path, data: Any, encoding: str = "utf-8") -> str:
    path.write_bytes(json.dumps(data, ensure_ascii=False).encode(encoding))
    return str(path)


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("week_plan_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- examples/week_plan.py uses the command line's error handling ----------------------------------------------


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("unknown owner", 1, "Issue #1 is pinned to owner 'zed', who is not in the team."),
        ("typo'd field", 1, "issues[0].estimte_hours (issue #1): is not a known field"),
        ("missing file", 2, "does not exist"),
        ("dead server", 3, "cannot reach the service"),
    ],
)
def test_the_example_script_reports_like_capplan_plan(
    case: str, code: int, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issue: dict[str, Any] = {"id": "#1", "estimate_hours": 1}
    args: list[str] = []
    if case == "unknown owner":
        issue["pinned_owner"] = "zed"
    if case == "typo'd field":
        issue = {"id": "#1", "estimte_hours": 1}
    backlog = write(tmp_path / "b.json", {**SMALL, "issues": [issue]})
    if case == "missing file":
        backlog = str(tmp_path / "nowhere.json")
    if case == "dead server":
        args = ["--server", f"http://127.0.0.1:{free_port()}"]
    assert example().main([backlog, *args]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    cli = runner.invoke(app, ["plan", backlog, *args])
    assert cli.exit_code == code and message in cli.stderr


def test_the_example_script_as_a_user_runs_it_prints_no_traceback(tmp_path: Path) -> None:
    backlog = write(tmp_path / "b.json", {**SMALL, "issues": [{"id": "#1", "estimate_hours": 1, "pinned_owner": "x"}]})
    run = subprocess.run([sys.executable, str(EXAMPLE), backlog], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120, check=False)
    assert run.returncode == 1
    assert "capplan: the plan request has 1 problem" in run.stderr and "Traceback" not in run.stderr


# --- INFEASIBLE is exit 1, and validate says so before planning ----------------------------------------------


def test_plan_exits_1_on_infeasible_and_still_writes_the_report(tmp_path: Path) -> None:
    backlog = write(tmp_path / "infeasible.json", INFEASIBLE)
    result = runner.invoke(app, ["plan", backlog, "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["status"] == "INFEASIBLE"
    assert "no plan satisfies the backlog's hard rules (INFEASIBLE)" in result.stderr
    assert example().main([backlog]) == 1


def test_validate_reports_what_the_solver_will_refuse(tmp_path: Path) -> None:
    data: dict[str, Any] = {
        "start_date": "2025-11-24",
        "calendar": {"holidays": ["2025-12-25"]},
        "owners": [{"id": "a"}, {"id": "b", "working_weekdays": ["tue", "wed"]}],
        "milestones": [{"id": "M", "due": "2025-11-01"}],
        "issues": [
            {"id": "#1", "estimate_hours": 2, "deadline": "2025-11-20", "hard_deadline": True},
            {"id": "#2", "estimate_hours": 2, "pinned_start": "2025-11-29"},
            {"id": "#3", "estimate_hours": 2, "pinned_start": "2025-11-24", "pinned_owner": "b"},
            {"id": "#4", "estimate_hours": 2, "pinned_start": "2025-12-25"},
            {"id": "#5", "estimate_hours": 2, "milestone": "M", "hard_deadline": True},
            {"id": "#6", "estimate_hours": 2, "pinned_start": "2025-11-25", "pinned_owner": "b"},
            {"id": "#7", "remaining_hours": 0, "deadline": "2025-11-01", "hard_deadline": True},
        ],
    }
    backlog = write(tmp_path / "refused.json", data)
    result = runner.invoke(app, ["validate", backlog])
    assert result.exit_code == 1
    assert "valid, but no plan can meet 5 of its rules" in result.stderr
    for expected in ("Issue #1 has a hard deadline (deadline, 2025-11-20) before the plan starts on 2025-11-24",
                     "Issue #2 is pinned to start on 2025-11-29 (a Saturday), a day no owner works.",
                     "Issue #3 is pinned to start on 2025-11-24 (a Monday), a day its pinned owner b does not work.",
                     "Issue #4 is pinned to start on 2025-12-25 (a team holiday), a day no owner works.",
                     "Issue #5 has a hard deadline (milestone M's due date, 2025-11-01)"):
        assert expected in result.stderr
    with TestClient(create_app(Settings(pool="thread", api_keys=[]))) as client:
        answer = client.post("/v1/plans/validate", json=data).json()
    assert answer["valid"] is True
    assert [(c["code"], c["ids"]) for c in answer["conflicts"]] == [
        ("hard_deadline_before_start", ["#1"]), ("pinned_start_not_working", ["#2"]),
        ("pinned_start_not_working", ["#3"]), ("pinned_start_not_working", ["#4"]),
        ("hard_deadline_before_start", ["#5"])]
    fixed = {**data, "issues": [data["issues"][5]]}
    assert runner.invoke(app, ["validate", write(tmp_path / "ok.json", fixed)]).exit_code == 0


# --- encodings: the CLI and HTTP read the same files -----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_every_documented_encoding_reads_alike_in_cli_and_http(encoding: str, tmp_path: Path) -> None:
    data = {**SMALL, "owners": [{"id": "zoë", "name": "Zoë Café"}]}
    backlog = write(tmp_path / "b.json", data, encoding)
    validated = runner.invoke(app, ["validate", backlog, "--json"])
    assert validated.exit_code == 0, validated.stderr
    planned = runner.invoke(app, ["plan", backlog, "--format", "json"])
    assert planned.exit_code == 0 and json.loads(planned.stdout)["issues"][0]["owner"] == "zoë"
    body = Path(backlog).read_bytes()
    with TestClient(create_app(Settings(pool="thread", api_keys=[]))) as client:
        answer = client.post("/v1/plans/validate", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 200 and answer.json()["valid"] is True


def test_text_in_another_encoding_is_refused_alike(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(json.dumps({**SMALL, "owners": [{"id": "zoë"}]}, ensure_ascii=False).encode("latin-1"))
    cli = runner.invoke(app, ["validate", str(path)])
    assert cli.exit_code == 1 and "latin.json is not UTF-8 text" in cli.stderr
    with TestClient(create_app(Settings(pool="thread", api_keys=[]))) as client:
        answer = client.post("/v1/plans/validate", content=path.read_bytes(),
                             headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["errors"][0]["code"] == "json_invalid_encoding"


# --- the import commands -------------------------------------------------------------------------------------


def test_import_commands_write_requests_that_validate(tmp_path: Path) -> None:
    cases = [
        ["jira", str(ROOT / "examples" / "jira" / "export.csv"), "--milestones",
         str(ROOT / "examples" / "jira" / "milestones.csv")],
        ["linear", str(ROOT / "examples" / "linear" / "export.csv")],
        ["github-project", str(ROOT / "examples" / "github" / "project-items.json")],
    ]
    for case in cases:
        out = tmp_path / f"{case[0]}.json"
        result = runner.invoke(app, ["import", *case, "--start-date", "2026-12-07", "--out", str(out)])
        assert result.exit_code == 0, result.stderr
        assert "note: " in result.stderr
        assert runner.invoke(app, ["validate", str(out)]).exit_code == 0


def test_import_with_a_map_file_and_a_team(tmp_path: Path) -> None:
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"point_hours": 2, "priorities": {"No priority": "P3"}}), encoding="utf-8")
    out = tmp_path / "linear.json"
    result = runner.invoke(app, ["import", "linear", str(ROOT / "examples" / "linear" / "export.csv"), "--map",
                                 str(mapping), "--owner", "ana@example.com:6", "--owner", "ben@example.com",
                                 "--start-date", "2026-12-07", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    request = json.loads(out.read_text(encoding="utf-8"))
    issues = {issue["id"]: issue for issue in request["issues"]}
    assert issues["ENG-13"]["estimate_hours"] == 10 and issues["ENG-17"]["priority"] == "P3"
    assert [(o["id"], o["hours_per_day"]) for o in request["owners"]] == [("ana@example.com", 6),
                                                                           ("ben@example.com", 8)]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"colums": {}}), encoding="utf-8")
    refused = runner.invoke(app, ["import", "linear", str(ROOT / "examples" / "linear" / "export.csv"), "--map",
                                  str(bad)])
    assert refused.exit_code == 1 and "bad.json: colums" in refused.stderr
