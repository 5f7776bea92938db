"""The import contracts of pyproject.toml hold on the tree, and they can fail: a forbidden import is reported."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("api_schemas", "solver", "checker", "service", "benchmarks")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_tree(target: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(REPO / package, target / package, ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(REPO / "pyproject.toml", target / "pyproject.toml")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=environment, capture_output=True, text=True, timeout=120
    )


def test_the_tree_keeps_its_contracts() -> None:
    run = _lint(REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "forbidden_import", "contract"),
    [
        ("checker/violation.py", "import solver.prepared.problem", "Product layers"),
        ("api_schemas/common.py", "import service.settings", "Product layers"),
        ("solver/calendars/clock.py", "import fastapi", "The planning core and the checker"),
        ("solver/prepared/schedule.py", "import solver.search.lexicographic", "Inside the solver"),
        ("service/logs.py", "import benchmarks.machine", "Product layers"),
    ],
)
def test_a_forbidden_import_is_reported(tmp_path: Path, module: str, forbidden_import: str, contract: str) -> None:
    _copy_tree(tmp_path)
    with (tmp_path / module).open("a", encoding="utf-8") as handle:
        handle.write(f"\n{forbidden_import}  # noqa\n")
    run = _lint(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    names = [c["name"] for c in contracts]
    (name,) = [n for n in names if n.startswith(contract)]
    assert f"{name} BROKEN" in " ".join(run.stdout.split()), run.stdout
    assert module.removesuffix(".py").replace("/", ".") in run.stdout
