"""`python -m benchmarks.load [--update-docs]`: how much a client sending large what-ifs slows one sending plans.

A bounded loopback load test on a real server (`python -m service`, 2 solver processes, on a free port). A light
client plans a 30-issue backlog again and again, timing each answer; a heavy client sends what-ifs of a
200-issue backlog (4 scenarios, 5 solves that each use their whole time limit) back to back. Three phases of
the same run: the light client alone; with the heavy client; and, as the control, with the heavy client on a
server where one request may take the whole pool (`CAPPLAN_MAX_REQUEST_SHARE=1`, as before the fair share).
Reported: the light plans' p50 and p95 per phase and the p95 ratios to the phase alone.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.generator import SIZES, generate
from benchmarks.machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
START_MARK, END_MARK = "<!-- load:start -->", "<!-- load:end -->"
#: The server's settings: 2 workers (the machine's cores), time limits of a few seconds.
SERVER = {"WORKERS": "2", "QUEUE_DEPTH": "8", "DEFAULT_TIME_LIMIT_S": "2", "MAX_TIME_LIMIT_S": "3",
          "POOL": "process", "LOG_LEVEL": "WARNING", "API_KEYS": ""}
#: Light plans timed per phase, and the most time a phase may take (the bound of the test).
LIGHT_PLANS = 30
PHASE_CAP_S = 180.0
LIGHT = json.loads(generate(SIZES["S"], seed=0, time_limit_s=2).model_dump_json())
_HEAVY_BASE = json.loads(generate(SIZES["M"], seed=1, time_limit_s=1.5).model_dump_json())
HEAVY = {"base": _HEAVY_BASE, "scenarios": [
    {"name": f"bigger-{n}", "patch": [{"op": "replace", "path": f"/issues/{n}/estimate_hours", "value": 16}]}
    for n in range(4)]}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def _server(**settings: str) -> Iterator[str]:
    """`python -m service` on a free loopback port with SERVER and `settings`; yields its URL once warm."""
    port = _free_port()
    env = {**os.environ, **{f"CAPPLAN_{k}": v for k, v in {**SERVER, **settings}.items()}}
    process = subprocess.Popen([sys.executable, "-m", "service", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("the server never became ready")
        for _ in range(2):  # warm both solver processes up (their first solve imports and compiles), untimed
            httpx.post(f"{url}/v1/plans", json=LIGHT, timeout=300)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _phase(url: str, heavy: bool) -> dict[str, Any]:
    """Time LIGHT_PLANS light plans, with the heavy client sending what-ifs meanwhile when `heavy`."""
    stop = threading.Event()
    heavy_answers: list[int] = []

    def heavy_client() -> None:
        with httpx.Client(base_url=url, timeout=300) as client:
            while not stop.is_set():
                heavy_answers.append(client.post("/v1/plans/what-if", json=HEAVY).status_code)

    worker = threading.Thread(target=heavy_client, daemon=True)
    if heavy:
        worker.start()
        time.sleep(1.0)  # let the first what-if take its worker
    latencies: list[float] = []
    refused: list[int] = []
    started = time.monotonic()
    with httpx.Client(base_url=url, timeout=300) as client:
        while len(latencies) < LIGHT_PLANS and time.monotonic() - started < PHASE_CAP_S:
            asked = time.perf_counter()
            status = client.post("/v1/plans", json=LIGHT).status_code
            if status == 200:
                latencies.append(time.perf_counter() - asked)
            else:
                refused.append(status)
                time.sleep(0.5)
    stop.set()
    if heavy:
        worker.join(300)
    return {"plans": len(latencies), "refused": refused, "what_ifs": heavy_answers,
            "p50_s": statistics.median(latencies), "p95_s": _p95(latencies), "max_s": max(latencies)}


def _p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def run() -> dict[str, Any]:
    """The three phases; the first two on one server, the control on its own."""
    began, load_before = time.monotonic(), os.getloadavg()[0]
    with _server() as url:
        alone = _phase(url, heavy=False)
        shared = _phase(url, heavy=True)
    with _server(MAX_REQUEST_SHARE="1") as url:
        whole_pool = _phase(url, heavy=True)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.monotonic() - began),
        "machine": describe_machine(ROOT),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "phases": {"alone": alone, "with heavy client": shared, "with heavy client, share 1 (control)": whole_pool},
        "p95_ratio": shared["p95_s"] / alone["p95_s"],
        "p95_ratio_control": whole_pool["p95_s"] / alone["p95_s"],
    }


def render(result: dict[str, Any]) -> str:
    """The Markdown block docs/benchmarks.md shows."""
    machine = result["machine"]
    lines = [
        f"Run {result['when']} ({result['seconds']} s) on {machine.get('cpu_model')}, {machine.get('cores')} cores; "
        f"commit {machine.get('commit')}; 1-minute load average {result['load_average'][0]} at the start and "
        f"{result['load_average'][1]} at the end (other work shares the cores). Server: 2 solver processes, "
        f"queue 8, default time limit 2 s. Light client: {LIGHT_PLANS} plans of a 30-issue backlog, one after "
        "another. Heavy client: what-ifs of a 200-issue backlog, "
        "4 scenarios (5 solves of 1.5 s), back to back.",
        "",
        "| phase | light plans | refused | what-ifs answered | p50 s | p95 s | max s | p95 / alone |",
        "|---|---|---|---|---|---|---|---|",
    ]
    alone = result["phases"]["alone"]["p95_s"]
    for name, phase in result["phases"].items():
        answered = sum(1 for status in phase["what_ifs"] if status == 200)
        lines.append(f"| {name} | {phase['plans']} | {len(phase['refused'])} | {answered} | {phase['p50_s']:.2f} | "
                     f"{phase['p95_s']:.2f} | {phase['max_s']:.2f} | {phase['p95_s'] / alone:.2f} |")
    lines += ["", f"**p95 ratio with / without the heavy client: {result['p95_ratio']:.2f}** (control, one request "
              f"may take the whole pool: {result['p95_ratio_control']:.2f}).", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run, print, save the JSON, and with --update-docs put the table into docs/benchmarks.md."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "load.json")
    parser.add_argument("--update-docs", action="store_true", help="put the table into docs/benchmarks.md")
    args = parser.parse_args(argv)
    result = run()
    markdown = render(result)
    sys.stdout.write(markdown)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    if args.update_docs:
        text = DOCS.read_text(encoding="utf-8")
        block = f"{START_MARK}\n{markdown}{END_MARK}"
        DOCS.write_text(re.sub(re.escape(START_MARK) + ".*?" + re.escape(END_MARK), lambda _: block, text,
                               flags=re.S), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
