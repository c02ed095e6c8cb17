"""The versioned REST API under /api/v1, its OpenAPI schema and its request guards."""

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from api import app, auth, clinical, health, photos, search
from api.errors import install_error_handlers

PREFIX = "/api/v1"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def build_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX)
    router.include_router(auth.router)
    router.include_router(clinical.router)
    router.include_router(photos.router)
    router.include_router(app.router)
    router.include_router(search.router)
    return router


def install_api(app: FastAPI, public_url: str) -> None:
    router = build_router()
    app.include_router(router)
    app.include_router(health.router)
    install_error_handlers(app)
    app.add_middleware(ForeignOriginGuard, public_url=public_url)
    schema: dict[str, Any] = {}

    @app.get(f"{PREFIX}/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        if not schema:
            schema.update(get_openapi(title="Sutura API", version="1", routes=router.routes))
        return JSONResponse(schema)

    # Unknown API paths answer JSON, not the portal's HTML "not found" page.
    @app.api_route(
        f"{PREFIX}/{{path:path}}", methods=list(UNSAFE_METHODS | {"GET"}), include_in_schema=False
    )
    async def unknown_route(path: str) -> JSONResponse:
        return JSONResponse({"detail": "No such API route."}, status_code=404)


class ForeignOriginGuard(BaseHTTPMiddleware):
    """Refuses state-changing requests whose Origin is not this server's own."""

    def __init__(self, app: Any, public_url: str) -> None:
        super().__init__(app)
        self._public_origin = public_url.rstrip("/")

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        origin = request.headers.get("origin")
        if request.method in UNSAFE_METHODS and origin and not self._is_own(request, origin):
            return JSONResponse({"detail": "Cross-site requests are refused."}, status_code=403)
        return await call_next(request)

    def _is_own(self, request: Request, origin: str) -> bool:
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        return origin.rstrip("/") in (own, self._public_origin)
