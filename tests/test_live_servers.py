"""The real components the tests start: Redis answers on loopback, Chromium renders a page the service serves."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

from tests.live_servers import chromium_browser, running_redis, running_server, wait_until_healthy


def test_redis_starts_on_a_free_loopback_port_and_stops() -> None:
    with running_redis() as url:
        address = urlparse(url)
        assert address.hostname == "127.0.0.1"
        with socket.create_connection((address.hostname, address.port or 0), timeout=5) as client:
            client.sendall(b"SET capplan:probe 42\r\nGET capplan:probe\r\n")
            answer = b""
            while answer.count(b"\r\n") < 3:
                answer += client.recv(64)
        assert answer == b"+OK\r\n$2\r\n42\r\n"
    with socket.socket() as late:
        assert late.connect_ex((address.hostname, address.port or 0)) != 0, "redis-server still listens after the test"


def test_chromium_renders_the_services_openapi_document() -> None:
    with running_server() as (base_url, process), chromium_browser() as browser:
        wait_until_healthy(base_url, process)
        page = browser.new_page()
        response = page.goto(f"{base_url}/openapi.json")
        assert response is not None and response.status == 200
        assert '"openapi"' in page.content()
