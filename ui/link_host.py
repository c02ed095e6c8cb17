"""Serves the external upload page (static files in ui/link/) at /x/<token>, strictly.

The page is the same for every link; its script reads the token from the address and sends
it in a header to the three link routes of the API. It loads nothing from elsewhere, runs no
inline script, keeps no cache, sends no Referer, and cannot be framed. It speaks the browser's
language: its Danish comes from the `link` gettext catalog as JSON at /x-assets/i18n/da.json,
and it shares the phone app's translation module (/app/js/i18n.js).
"""

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles

from domain.external import LINK_PATH
from ui.i18n import Language, script_catalog

PAGE_DIR = Path(__file__).parent / "link"
ASSETS = "/x-assets"
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def install_link_page(app: FastAPI) -> None:
    @app.get(f"{LINK_PATH}/{{token}}", include_in_schema=False)
    async def link_page(token: str) -> FileResponse:
        # The token is checked by the API when the page asks; the page itself is static.
        return FileResponse(PAGE_DIR / "index.html", headers=HEADERS)

    @app.get(f"{LINK_PATH}/{{token}}/{{rest:path}}", include_in_schema=False)
    async def beyond_the_page(token: str, rest: str) -> Response:
        # Answered here, so that no "not found" log line carries the token.
        return Response(status_code=404, headers=HEADERS)

    @app.get(f"{ASSETS}/i18n/{{language}}.json", include_in_schema=False)
    async def link_messages(language: Language) -> JSONResponse:
        return JSONResponse(script_catalog("link", language), headers=HEADERS)

    app.mount(ASSETS, StaticFiles(directory=PAGE_DIR), name="link-page")
