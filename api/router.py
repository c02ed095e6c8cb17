"""The versioned REST API under /api/v1, its OpenAPI schema and its request guards."""

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from api import app, audit, auth, clinical, external, health, members, photos, search
from api.errors import install_error_handlers
from api.hardening import SecurityMiddleware

PREFIX = "/api/v1"


def build_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    router.include_router(auth.router)
    router.include_router(clinical.router)
    router.include_router(photos.router)
    router.include_router(app.router)
    router.include_router(search.router)
    router.include_router(members.router)
    router.include_router(audit.router)
    router.include_router(external.router)
    return router


def install_api(app: FastAPI, public_url: str, *, is_tls: bool = False) -> None:
    router = build_router()
    app.include_router(router)
    app.include_router(health.router)
    install_error_handlers(app)
    app.add_middleware(SecurityMiddleware, public_url=public_url, is_tls=is_tls)
    schema: dict[str, Any] = {}

    @app.get(f"{PREFIX}/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        if not schema:
            schema.update(get_openapi(title="Sutura API", version="1", routes=router.routes))
        return JSONResponse(schema)

    # Unknown API paths answer JSON, not the portal's HTML "not found" page.
    @app.api_route(
        f"{PREFIX}/{{path:path}}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def unknown_route(path: str) -> JSONResponse:
        return JSONResponse({"detail": "No such API route."}, status_code=404)
