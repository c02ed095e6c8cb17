"""Serves the phone app (static files in ui/pwa/) under /app/, with a strict CSP.

The app is plain JavaScript modules; no inline script, no eval. Every response revalidates
(the service worker keeps the offline copy), and API answers are never cached there. Its
Danish comes from the `app` gettext catalog as JSON at /app/i18n/da.json.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from ui.i18n import Language, script_catalog

APP_DIR = Path(__file__).parent / "pwa"
PREFIX = "/app"
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "media-src 'self' blob: mediastream:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}


class PhoneAppHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        if request.url.path.startswith(f"{PREFIX}/"):
            response.headers.update(HEADERS)
            if request.url.path.endswith(".webmanifest"):
                response.headers["Content-Type"] = "application/manifest+json"
        return response


def install_phone_app(app: FastAPI) -> None:
    @app.get(PREFIX, include_in_schema=False)
    async def app_root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=308)

    @app.get(f"{PREFIX}/i18n/{{language}}.json", include_in_schema=False)
    async def app_messages(language: Language) -> JSONResponse:
        return JSONResponse(script_catalog("app", language))

    app.mount(PREFIX, StaticFiles(directory=APP_DIR, html=True), name="phone-app")
    app.add_middleware(PhoneAppHeaders)
