"""The OpenAPI document and its browser page, guarded like the API unless CAPPLAN_PUBLIC_DOCS keeps them open."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from service.auth import require_api_key_unless_public

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_api_key_unless_public)])

#: Where the OpenAPI document is served.
OPENAPI_PATH = "/openapi.json"


@router.get(OPENAPI_PATH)
async def openapi_document(request: Request) -> JSONResponse:
    """The OpenAPI document (generated once, with the request models and the security scheme)."""
    return JSONResponse(request.app.openapi())


@router.get("/docs")
async def docs_page(request: Request) -> HTMLResponse:
    """Swagger UI on the OpenAPI document."""
    return get_swagger_ui_html(openapi_url=OPENAPI_PATH, title=f"{request.app.title} - API docs")
