"""`/docs` (Swagger UI) and `/redoc` (ReDoc) render in a real browser with every outside request blocked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.live_servers import chromium_browser, running_server, wait_until_healthy

#: An operation both pages must list once they have rendered the OpenAPI document.
OPERATION_PATH = "/v1/plans"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Any]]:
    with running_server() as (base_url, process), chromium_browser() as browser:
        wait_until_healthy(base_url, process)
        yield base_url, browser


def offline_page(browser: Any, base_url: str) -> tuple[Any, list[str], list[str]]:
    """A page whose requests outside the service are aborted and recorded, as on a machine without internet.

    `failed` also collects page errors, so a page whose scripts break (or its policy blocks them) fails the test;
    a request the page's Content-Security-Policy stopped never left the browser, and is left out of it.
    """
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    failed: list[str] = []
    page.on("pageerror", lambda error: failed.append(f"page error: {error}"))

    def route(handle: Any) -> None:
        if handle.request.url.startswith(base_url + "/"):
            handle.continue_()
        else:
            outside.append(handle.request.url)
            handle.abort()

    page.route("**/*", route)

    def on_failure(request: Any) -> None:
        blocked_by_policy = (request.failure or "").lower() in ("csp", "net::err_blocked_by_csp")
        if blocked_by_policy and not request.url.startswith(base_url + "/"):
            return
        failed.append(f"{request.url}: {request.failure}")

    page.on("requestfailed", on_failure)
    return page, outside, failed


def test_swagger_ui_lists_the_operations_offline(served: tuple[str, Any]) -> None:
    base_url, browser = served
    page, outside, failed = offline_page(browser, base_url)
    page.goto(f"{base_url}/docs")
    page.locator(".opblock-summary-path", has_text=OPERATION_PATH).first.wait_for(state="visible", timeout=30_000)
    assert page.locator(".opblock").count() >= 5
    assert page.locator(".info .title").inner_text().startswith("capplan")
    assert outside == [] and failed == []
    page.context.close()


def test_redoc_renders_the_reference_offline(served: tuple[str, Any]) -> None:
    base_url, browser = served
    page, outside, failed = offline_page(browser, base_url)
    page.goto(f"{base_url}/redoc")
    page.locator("h1", has_text="capplan").first.wait_for(state="visible", timeout=30_000)
    page.get_by_text(OPERATION_PATH, exact=False).first.wait_for(state="attached", timeout=30_000)
    assert page.locator("[data-section-id^='operation/'], [id^='operation/']").count() >= 5
    assert outside == [] and failed == []
    page.context.close()
