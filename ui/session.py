"""The signed-in member behind a portal page, checked again before every action.

A page reads the session cookie once, keeps the token in this object on the server (never
in app.storage, never in a URL) and asks the domain again whenever the user acts, so a
session that ended elsewhere stops working on a page that is still open.
"""

from collections.abc import Awaitable, Callable
from typing import cast
from urllib.parse import quote, urlsplit

from nicegui import app, ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from api.deps import SESSION_COOKIE
from domain import accounts
from domain.errors import DomainError, NotAuthenticated
from domain.model import Principal
from domain.ports import Ports
from ui.i18n import Language, choose_language, error_text, use_language

LOGIN_PATH = "/login"
ENDED_PATH = "/login?ended=1"
# How often an open page asks whether its session still holds (without counting as activity).
RECHECK_SECONDS = 5.0

Action = Callable[[Principal], Awaitable[None]]


class PageSession:
    """One page's hold on a session: the ports, the token and the latest principal."""

    def __init__(
        self, ports: Ports, token: str, principal: Principal, language: Language = "en"
    ) -> None:
        self.ports = ports
        self._token = token
        self.principal = principal
        self.language = language

    async def recheck(self) -> Principal:
        """Resolve the session again; raises NotAuthenticated when it has ended."""
        self.principal = await accounts.resolve_session(self.ports, self._token)
        return self.principal

    def guarded(self, action: Action) -> Callable[[], Awaitable[None]]:
        """An event handler that re-checks the session, runs the action and reports errors."""

        async def handle() -> None:
            await self.run(action)

        return handle

    async def run(self, action: Action) -> None:
        use_language(self.language)
        try:
            principal = await self.recheck()
            await action(principal)
        except NotAuthenticated:
            ui.navigate.to(ENDED_PATH)
        except DomainError as error:
            ui.notify(error_text(error), type="negative")

    def watch(self) -> None:
        """Push the page out soon after its session ends elsewhere (sign-out, removal, reset)."""
        client = ui.context.client
        timers: list[ui.timer] = []

        async def check() -> None:
            if not await accounts.is_session_live(self.ports, self._token):
                timers[0].deactivate()
                ui.navigate.to(ENDED_PATH)

        def start() -> None:
            # Started once the browser is connected: a timer made while the page is being built
            # makes NiceGUI send the page at once, before the rest of it (search results) exists.
            if not timers:
                with client.layout:
                    timers.append(ui.timer(RECHECK_SECONDS, check))

        client.on_connect(start)

    @property
    def token(self) -> str:
        return self._token


def ports() -> Ports:
    return cast(Ports, app.state.ports)


async def open_session(request: Request) -> PageSession | None:
    """The page's session from the cookie, or None when there is no live session."""
    token = request.cookies.get(SESSION_COOKIE) or ""
    try:
        principal = await accounts.resolve_session(ports(), token)
    except NotAuthenticated:
        use_language(choose_language(None, request.headers.get("accept-language")))
        return None
    language = choose_language(principal.user.language, request.headers.get("accept-language"))
    use_language(language)
    return PageSession(ports(), token, principal, language)


def to_login(request: Request | None = None) -> RedirectResponse:
    """To the sign-in page, coming back to this page afterwards."""
    if request is None:
        return RedirectResponse(LOGIN_PATH, status_code=303)
    back = safe_next(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    if back == "/":
        return RedirectResponse(LOGIN_PATH, status_code=303)
    return RedirectResponse(f"{LOGIN_PATH}?next={quote(back, safe='')}", 303)


def safe_next(target: str | None) -> str:
    """A redirect target that stays on this site: a plain absolute path, else "/"."""
    if not target or len(target) > 500 or not target.startswith("/"):
        return "/"
    if target.startswith(("//", "/\\")) or any(c in target for c in "\\\r\n\t\x00"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return "/"
    return target
