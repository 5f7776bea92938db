"""The OpenAPI document and its browser pages, guarded like the API unless CAPPLAN_PUBLIC_DOCS keeps them open.

`/docs` (Swagger UI) and `/redoc` (ReDoc) need no CDN: their scripts and styles are the `fastapi_offline`
package's copies of the Swagger UI and ReDoc bundles, which `mount_docs_assets` serves under `DOCS_ASSETS_URL`
(public vendor files, not guarded). A Content-Security-Policy keeps the pages to this service: ReDoc's bundle
shows a logo from its vendor's CDN, which the policy stops before any request is made.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from service.auth import require_api_key_unless_public

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_api_key_unless_public)])

#: Where the OpenAPI document is served.
OPENAPI_PATH = "/openapi.json"
#: Where the bundled Swagger UI and ReDoc files are served.
DOCS_ASSETS_URL = "/docs-assets"
#: The package directory holding `swagger-ui-bundle.js`, `swagger-ui.css`, `redoc.standalone.js`, `favicon.png`.
ASSETS_DIRECTORY = Path(fastapi_offline.__file__).resolve().parent / "static"
#: Swagger UI's OAuth2 redirect page.
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
#: Swagger UI settings: no call to the public validator service, the operations listed on arrival.
_SWAGGER_PARAMETERS = {"validatorUrl": None, "docExpansion": "list", "defaultModelsExpandDepth": 0}
#: The pages may load only from this service (their inline start-up script and styles included).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'self'; base-uri 'self'"
)


def mount_docs_assets(app: FastAPI) -> None:
    """Serve the bundled Swagger UI and ReDoc files the pages load."""
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=ASSETS_DIRECTORY), name="docs-assets")


def _self_only(page: HTMLResponse) -> HTMLResponse:
    """The page with a policy that lets it load nothing from another origin."""
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page


@router.get(OPENAPI_PATH)
async def openapi_document(request: Request) -> JSONResponse:
    """The OpenAPI document (generated once, with the request models and the security scheme)."""
    return JSONResponse(request.app.openapi())


@router.get("/docs")
async def docs_page(request: Request) -> HTMLResponse:
    """Swagger UI on the OpenAPI document, from the bundled assets."""
    root = request.scope.get("root_path", "")
    return _self_only(
        get_swagger_ui_html(
            openapi_url=f"{root}{OPENAPI_PATH}",
            title=f"{request.app.title} - API docs",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_PATH}",
            swagger_js_url=f"{root}{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS_URL}/favicon.png",
            swagger_ui_parameters=_SWAGGER_PARAMETERS,
        )
    )


@router.get(OAUTH2_REDIRECT_PATH)
async def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page."""
    return _self_only(get_swagger_ui_oauth2_redirect_html())


@router.get("/redoc")
async def redoc_page(request: Request) -> HTMLResponse:
    """ReDoc on the OpenAPI document, from the bundled assets (no web fonts)."""
    root = request.scope.get("root_path", "")
    return _self_only(
        get_redoc_html(
            openapi_url=f"{root}{OPENAPI_PATH}",
            title=f"{request.app.title} - API reference",
            redoc_js_url=f"{root}{DOCS_ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{DOCS_ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
    )
