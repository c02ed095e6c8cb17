"""Web hardening for every response and connection: security headers, a nonce-based CSP,
and refusal of foreign origins (state-changing requests and NiceGUI's websocket alike).

NiceGUI renders Vue templates in the browser and runs server-sent JavaScript, which needs
'unsafe-eval'; every inline <script> in a page gets this response's nonce, so no injected
<script> element runs. Quasar sets inline styles, hence 'unsafe-inline' for styles only.
"""

import re
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NICEGUI_SOCKET_PATH = "/_nicegui_ws"
APP_PATH = "/app"  # the phone app (capture in the page) is the only place with the camera
_SCRIPT_TAG = re.compile(rb"<script(?=[\s>])")
REFUSED = b'{"detail":"Cross-site requests are refused."}'


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class SecurityMiddleware:
    """Pure ASGI (it must see websockets and leave streamed photos unbuffered)."""

    def __init__(self, app: ASGIApp, public_url: str, is_tls: bool) -> None:
        self.app = app
        self.public_origin = origin_of(public_url)
        self.is_tls = is_tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if self._is_foreign(scope):
            await _refuse(scope, send)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, _Decorator(send, scope, self.is_tls).send)

    def _is_foreign(self, scope: Scope) -> bool:
        headers = Headers(scope=scope)
        is_socket = scope["type"] == "websocket" or scope["path"].startswith(NICEGUI_SOCKET_PATH)
        if not is_socket and scope.get("method") not in UNSAFE_METHODS:
            return False
        if headers.get("sec-fetch-site") == "cross-site":
            return True
        origin = headers.get("origin")
        if origin is None:
            return False  # not a browser's cross-site request (browsers always send Origin)
        own = {self.public_origin, f"{_scheme(scope)}://{headers.get('host', '')}".lower()}
        return origin.rstrip("/").lower() not in own


class _Decorator:
    """Adds the headers to one response, and the CSP nonce to the scripts of an HTML page."""

    def __init__(self, send: Send, scope: Scope, is_tls: bool) -> None:
        self._send = send
        self._scope = scope
        self._is_tls = is_tls or _scheme(scope) in ("https", "wss")
        self._nonce = secrets.token_urlsafe(16)
        self._start: Message | None = None
        self._body: list[bytes] = []
        self._has_own_csp = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            self._add_headers(headers)
            # NOTE: the phone app under APP_PATH (ui/pwa_host.py) and the external upload page
            # (ui/link_host.py) bring their own stricter CSP, without nonces or eval.
            is_portal_page = not self._scope["path"].startswith(APP_PATH) and not self._has_own_csp
            if not (is_portal_page and headers.get("content-type", "").startswith("text/html")):
                await self._send(message)
                return
            self._start = message
            return
        if self._start is None or message["type"] != "http.response.body":
            await self._send(message)
            return
        self._body.append(message.get("body", b""))
        if not message.get("more_body", False):
            await self._send_page()

    async def _send_page(self) -> None:
        if self._start is None:
            return
        body = _SCRIPT_TAG.sub(f'<script nonce="{self._nonce}"'.encode(), b"".join(self._body))
        headers = MutableHeaders(scope=self._start)
        headers["Content-Length"] = str(len(body))
        headers["Content-Security-Policy"] = content_security_policy(self._nonce)
        headers["Cache-Control"] = "no-store"
        await self._send(self._start)
        await self._send({"type": "http.response.body", "body": body, "more_body": False})

    def _add_headers(self, headers: MutableHeaders) -> None:
        self._has_own_csp = "content-security-policy" in headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        camera = "(self)" if self._scope["path"].startswith(APP_PATH) else "()"
        headers["Permissions-Policy"] = (
            f"camera={camera}, microphone=(), geolocation=(), payment=(), usb=(), "
            "interest-cohort=()"
        )
        if "content-security-policy" not in headers:
            headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        if self._is_tls:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"


def _scheme(scope: Scope) -> str:
    return str(scope.get("scheme", "http"))


async def _refuse(scope: Scope, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(REFUSED)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": REFUSED})
