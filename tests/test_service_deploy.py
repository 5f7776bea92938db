"""The Dockerfile, the settings defaults, the documented commands and the CLI agree with each other."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app as cli
from service.settings import DEFAULT_HOST, DEFAULT_PORT, Settings
from solver.intake.limits import DEFAULT_LIMITS

ROOT = Path(__file__).resolve().parent.parent


def dockerfile_instructions() -> dict[str, list[str]]:
    """Instruction -> arguments of each occurrence, with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    logical = re.sub(r"\\\n\s*", " ", text)
    found: dict[str, list[str]] = {}
    for line in logical.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            found.setdefault(instruction.upper(), []).append(arguments.strip())
    return found


def test_settings_defaults_listen_on_loopback_8000() -> None:
    defaults = Settings(_env_prefix="CAPPLAN_TEST_UNUSED_")
    assert (defaults.host, defaults.port) == (DEFAULT_HOST, DEFAULT_PORT) == ("127.0.0.1", 8000)


def test_dockerfile_exposes_the_settings_port_and_runs_the_documented_command() -> None:
    instructions = dockerfile_instructions()
    assert instructions["FROM"] == ["python:3.11-slim"]
    assert instructions["EXPOSE"] == [str(DEFAULT_PORT)]
    [user] = instructions["USER"]
    assert user not in ("root", "0")
    assert any(step.startswith("pip install .") for step in instructions["RUN"])

    [cmd] = instructions["CMD"]
    command = json.loads(cmd)
    assert command[:2] == ["capplan", "serve"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert "--port" not in command or command[command.index("--port") + 1] == str(DEFAULT_PORT)

    docs = (ROOT / "docs" / "service.md").read_text()
    assert f"`{shlex.join(command)}`" in docs
    assert f"docker run --rm -p {DEFAULT_PORT}:{DEFAULT_PORT} capplan" in docs
    assert "capplan serve " in docs and f"http://{DEFAULT_HOST}:{DEFAULT_PORT}" in docs


def test_dockerfile_healthcheck_probes_healthz_with_python() -> None:
    [healthcheck] = dockerfile_instructions()["HEALTHCHECK"]
    probe = json.loads(healthcheck.split("CMD", 1)[1])
    assert probe[:2] == ["python", "-c"]
    assert "/healthz" in probe[2] and "'8000'" in probe[2] and "CAPPLAN_PORT" in probe[2]
    compile(probe[2], "healthcheck", "exec")


def test_dockerignore_keeps_the_virtualenv_and_git_out() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert {".git", ".venv", "tests"} <= set(ignored)
    copied = " ".join(dockerfile_instructions()["COPY"])
    assert not any(name in ignored for name in re.findall(r"[\w.]+", copied) if name != ".")


def test_the_cli_has_a_serve_command_with_documented_options() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--workers", "--log-level"):
        assert option in result.output


@pytest.mark.parametrize(("raw", "keys"), [("a,b , c", ["a", "b", "c"]), ('["x", "y,z"]', ["x", "y,z"]), ("", [])])
def test_api_keys_come_from_a_comma_separated_variable(
    raw: str, keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAPPLAN_API_KEYS", raw)
    monkeypatch.setenv("CAPPLAN_WORKERS", "3")
    settings = Settings()
    assert settings.api_keys == keys and settings.workers == 3


def test_settings_map_onto_solver_limits_and_refuse_a_default_above_the_cap() -> None:
    settings = Settings(_env_prefix="CAPPLAN_TEST_UNUSED_", max_issues=7, max_owners=3, max_horizon_days=90,
                        max_time_limit_s=20, default_time_limit_s=5)
    limits = settings.limits
    assert (limits.max_issues, limits.max_owners, limits.max_horizon_days, limits.max_time_limit_s) == (7, 3, 90, 20)
    with pytest.raises(ValueError, match="default_time_limit_s"):
        Settings(_env_prefix="CAPPLAN_TEST_UNUSED_", max_time_limit_s=5, default_time_limit_s=10)


def test_size_caps_default_to_the_solvers_limits_as_documented() -> None:
    settings = Settings(_env_prefix="CAPPLAN_TEST_UNUSED_")
    caps = ("max_issues", "max_owners", "max_milestones", "max_horizon_days")
    assert [getattr(settings, cap) for cap in caps] == [getattr(DEFAULT_LIMITS, cap) for cap in caps]
    docs = (ROOT / "docs" / "service.md").read_text()
    issues, owners, milestones = DEFAULT_LIMITS.max_issues, DEFAULT_LIMITS.max_owners, DEFAULT_LIMITS.max_milestones
    assert f"| `{issues}`, `{owners}`, `{milestones}` | request size caps |" in docs
    assert f"| `CAPPLAN_MAX_HORIZON_DAYS` | `{DEFAULT_LIMITS.max_horizon_days}` |" in docs


def test_bad_serve_settings_are_reported_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAPPLAN_PORT", "eighty")
    result = CliRunner().invoke(cli, ["serve", "--log-level", "loud"])
    assert result.exit_code == 2
    assert "log_level" in result.output and "port" in result.output
    assert "Traceback" not in result.output
