"""Real servers for tests, each on a free loopback port and stopped afterwards: capplan itself, Redis and Chromium.

One place for starting them, so every test that needs a real component starts it the same way (CI installs
Debian's `redis-server` and `chromium`; see .ci/run).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
#: How long a server may take to start or stop before the test gives up (not a speed claim).
PATIENCE_S = 120
#: Chromium as Debian installs it; `CAPPLAN_CHROMIUM` points elsewhere.
CHROMIUM = os.environ.get("CAPPLAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: Flags for a headless Chromium on a machine with no network beyond loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_healthy(base_url: str, server: subprocess.Popen[str]) -> None:
    """Poll `/healthz` until the server answers 200; fail if it exits or never answers."""
    pause = threading.Event()
    for _ in range(PATIENCE_S * 10):
        if server.poll() is not None:
            raise AssertionError(f"the server exited early with status {server.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        pause.wait(0.1)
    raise AssertionError("the server never became healthy")


@contextlib.contextmanager
def running_server(**settings: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`python -m service` on a free loopback port with small time limits (and `settings` as CAPPLAN_ variables).

    Its output is a pipe, read only by a test that ends the server (`communicate`): one that sends many requests
    (polling a job, say) passes `log_level="WARNING"`, or the access log fills the pipe and the server stalls.
    """
    port = free_port()
    env = {
        **os.environ,
        "CAPPLAN_WORKERS": "1",
        "CAPPLAN_DEFAULT_TIME_LIMIT_S": "2",
        "CAPPLAN_MAX_TIME_LIMIT_S": "3",
        "CAPPLAN_API_KEYS": "",
        **{f"CAPPLAN_{name.upper()}": value for name, value in settings.items()},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@contextlib.contextmanager
def running_redis() -> Iterator[str]:
    """A real `redis-server` on a free loopback port, with no persistence; yields its `redis://` URL."""
    executable = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(executable).exists():
        raise AssertionError("redis-server is not installed: .ci/run installs Debian's redis-server package")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="capplan-redis-") as data_dir:
        process = subprocess.Popen(
            [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", data_dir, "--protected-mode", "yes"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            pause = threading.Event()
            for _ in range(PATIENCE_S * 10):
                if process.poll() is not None:
                    raise AssertionError(f"redis-server exited early with status {process.returncode}")
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as ping:
                    ping.sendall(b"PING\r\n")
                    if ping.recv(16).startswith(b"+PONG"):
                        break
                pause.wait(0.1)
            else:
                raise AssertionError("redis-server never answered PING")
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser download: the system executable is used)."""
    if not Path(CHROMIUM).exists():
        raise AssertionError("chromium is not installed: .ci/run installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
