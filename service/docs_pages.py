"""The API's documentation pages, `/docs` (Swagger UI) and `/redoc` (ReDoc), served with no CDN.

The pages' scripts and styles come from the `fastapi_offline` package's copy of the Swagger UI and ReDoc
bundles, served by the app itself under `DOCS_ASSETS_URL`: the docs work on a machine without internet
and load nothing from outside (no fonts, no favicon, no validator badge). A Content-Security-Policy keeps it
so: ReDoc's bundle shows a logo from its vendor's CDN, which the policy stops before any request is made.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

#: Where the bundled Swagger UI and ReDoc files are served.
DOCS_ASSETS_URL = "/docs-assets"
#: The package directory holding `swagger-ui-bundle.js`, `swagger-ui.css`, `redoc.standalone.js`, `favicon.png`.
ASSETS_DIRECTORY = Path(fastapi_offline.__file__).resolve().parent / "static"
#: Swagger UI settings: no call to the public validator service, the operations listed on arrival.
_SWAGGER_PARAMETERS = {"validatorUrl": None, "docExpansion": "list", "defaultModelsExpandDepth": 0}
#: The pages may load only from this service (their inline start-up script and styles included).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'self'; base-uri 'self'"
)


def _self_only(page: HTMLResponse) -> HTMLResponse:
    """The page with a policy that lets it load nothing from another origin."""
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page


def install_docs_pages(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Serve the bundled assets and the two pages (create the app with `docs_url=None, redoc_url=None`)."""
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect_url = f"{docs_url}/oauth2-redirect"
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=ASSETS_DIRECTORY), name="docs-assets")

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _self_only(
            get_swagger_ui_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{app.title} API",
                oauth2_redirect_url=f"{root}{oauth2_redirect_url}",
                swagger_js_url=f"{root}{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{DOCS_ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{DOCS_ASSETS_URL}/favicon.png",
                swagger_ui_parameters=_SWAGGER_PARAMETERS,
            )
        )

    @app.get(oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return _self_only(get_swagger_ui_oauth2_redirect_html())

    @app.get(redoc_url, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _self_only(
            get_redoc_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{app.title} API reference",
                redoc_js_url=f"{root}{DOCS_ASSETS_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{DOCS_ASSETS_URL}/favicon.png",
                with_google_fonts=False,
            )
        )
