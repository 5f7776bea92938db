"""The planning board: the page at `/` and its static files, and the packaged example backlogs under `/v1/examples`.

The page holds no data and calls nothing but the public `/v1` API, so its files are served without a key;
the example backlog is API data and follows the key setting like every `/v1` call.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Response
from fastapi.staticfiles import StaticFiles

from service.auth import api_key_within_limits
from service.openapi import problem_responses

#: The board's files (HTML, CSS, ES modules), shipped inside the package.
STATIC_DIR = Path(str(resources.files("service") / "board" / "static"))
#: Example backlogs shipped inside the package (examples/ is not installed; a test keeps the copies identical).
SAMPLES_DIR = Path(str(resources.files("service") / "sample_backlogs"))
#: What the page may load: only its own files and its own API (no CDN, no inline script).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
)
_PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

page_router = APIRouter(include_in_schema=False)
examples_router = APIRouter(prefix="/v1/examples", tags=["examples"], dependencies=[Depends(api_key_within_limits)])


@page_router.get("/")
async def board_page() -> Response:
    """The planning board (a static page; everything it shows comes from the `/v1` API)."""
    content = (STATIC_DIR / "index.html").read_bytes()
    return Response(content=content, media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)


@examples_router.get(
    "/reference-backlog",
    summary="The reference example backlog",
    responses={200: {"description": "A plan request as a person writes it (examples/reference_backlog.json; "
                     "dependencies in the short form '#970'), ready to send to /v1/plans.",
                     "content": {"application/json": {"schema": {"type": "object"}}}},
               **problem_responses(401)},
)
async def reference_backlog() -> Response:
    """The team's hand-made plan as a plan request, ready to send to `/v1/plans`."""
    content = (SAMPLES_DIR / "reference_backlog.json").read_bytes()
    return Response(content=content, media_type="application/json")


def install_board(app: FastAPI) -> None:
    """Serve the board at `/`, its files under `/board/`, and the example backlogs."""
    app.include_router(page_router)
    app.include_router(examples_router)
    app.mount("/board", StaticFiles(directory=STATIC_DIR, check_dir=False), name="board")
