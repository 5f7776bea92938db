"""`capplan ... --server URL` against the real service on a loopback port: same plan, same problem messages."""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.app import create_app
from service.cli import app
from service.settings import Settings
from solver.intake.validation import validate_request
from tests.live_servers import free_port

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "examples" / "reference_backlog.json"
#: How long the server may take to start (not a speed claim).
PATIENCE_S = 60
runner = CliRunner()


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    port = free_port()
    settings = Settings(host="127.0.0.1", port=port, workers=1, pool="thread", api_keys=[])
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(PATIENCE_S * 20):
        if server.started:
            break
        started.wait(0.05)
    assert server.started, "the service did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(PATIENCE_S)


@pytest.fixture
def backlog(tmp_path: Path) -> str:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    data["options"]["time_limit_s"] = 2
    path = tmp_path / "backlog.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_plan_through_the_service_gives_the_week_plan(server_url: str, backlog: str) -> None:
    remote = runner.invoke(app, ["plan", backlog, "--server", server_url, "--format", "json"])
    assert remote.exit_code == 0, remote.stderr
    result = PlanResult.model_validate_json(remote.stdout)
    assert len(result.issues) == len(PlanRequest.model_validate_json(Path(backlog).read_text()).issues)
    week_plan = runner.invoke(app, ["plan", backlog, "--server", server_url])
    assert week_plan.exit_code == 0
    assert week_plan.stdout.startswith("# Week plan ")


def test_invalid_input_through_the_service_has_the_same_messages(server_url: str, tmp_path: Path) -> None:
    data = {"start_date": "2025-11-24", "owners": [{"id": "a"}],
            "issues": [{"id": "#1", "estimate_hours": 1, "pinned_owner": "zed", "depends_on": ["#4"]}]}
    path = tmp_path / "invalid.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    local = runner.invoke(app, ["plan", str(path)])
    remote = runner.invoke(app, ["plan", str(path), "--server", server_url])
    validated = runner.invoke(app, ["validate", str(path), "--server", server_url])
    assert (local.exit_code, remote.exit_code, validated.exit_code) == (1, 1, 1)
    for problem in validate_request(PlanRequest.model_validate(data)):
        assert f"  - {problem.message}" in local.stderr
        assert f"  - {problem.message}" in remote.stderr
        assert f"  - {problem.message}" in validated.stderr


def test_unreachable_service_exits_3(backlog: str) -> None:
    result = runner.invoke(app, ["plan", backlog, "--server", f"http://127.0.0.1:{free_port()}"])
    assert result.exit_code == 3
    assert "cannot reach the service" in result.stderr


def test_the_example_script_plans_on_the_service_with_the_same_client(
    server_url: str, backlog: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = importlib.util.spec_from_file_location("week_plan_example", ROOT / "examples" / "week_plan.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    assert example.main([backlog, "--server", server_url]) == 0
    assert capsys.readouterr().out.startswith("# Week plan ")
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"start_date": "2025-11-24", "owners": [{"id": "a"}],
                                   "issues": [{"id": "#1", "estimate_hours": 1, "pinned_owner": "zed"}]}))
    assert example.main([str(invalid), "--server", server_url]) == 1
    assert "  - Issue #1 is pinned to owner 'zed', who is not in the team." in capsys.readouterr().err
