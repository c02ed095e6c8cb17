"""The user's own account: change the password, see signed-in devices and end them."""

import json
from typing import Any

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import sessions
from domain.model import Principal, SessionInfo
from ui.credentials import password_pair, read_pair
from ui.frame import frame
from ui.i18n import LANGUAGE_HEADER, _, format_moment, ngettext
from ui.session import PageSession, open_session, to_login

# The new session cookie comes back on the API's answer, so the browser makes the request; it
# asks for the page's language, so that a refusal reads in the language of the page.
CHANGE_JS = """(async () => {
  const response = await fetch("/api/v1/me/password", {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", %s},
    body: JSON.stringify(%s),
  });
  let detail = "";
  if (response.status !== 204) {
    try { detail = String((await response.json()).detail); } catch (e) { detail = ""; }
  }
  return {status: response.status, detail: detail};
})()"""


def register() -> None:
    ui.page("/account", title="Account · Sutura")(account_page)


async def account_page(request: Request) -> RedirectResponse | None:
    session = await open_session(request)
    if session is None:
        return to_login(request)
    with await frame(session):
        ui.page_title(_("Account") + " · Sutura")
        ui.label(_("Your account")).classes("text-xl font-semibold")
        ui.label(session.principal.user.email).classes("text-slate-600 break-all")
        await AccountView(session).build()
    return None


class AccountView:
    def __init__(self, session: PageSession) -> None:
        self.session = session
        self.devices: ui.column

    async def build(self) -> None:
        self._password_card()
        with ui.row().classes("w-full items-center gap-3 pt-2"):
            ui.label(_("Signed-in devices")).classes("text-lg font-semibold")
            ui.space()
            ui.button(
                _("Sign out everywhere else"), on_click=self.session.guarded(self._end_others)
            ).props("outline no-caps")
        self.devices = ui.column().classes("w-full gap-2")
        await self.session.run(self._show)

    def _password_card(self) -> None:
        with ui.card().classes("w-full max-w-md gap-3").props("flat bordered"):
            ui.label(_("Change password")).classes("font-medium")
            current = ui.input(_("Current password"), password=True)
            current.props("autocomplete=current-password outlined").classes("w-full")
            first, second = password_pair()
            message = ui.label().classes("text-sm text-negative")

            async def change(principal: Principal) -> None:
                body = {
                    "current_password": current.value or "",
                    "new_password": read_pair(first, second),
                }
                script = CHANGE_JS % (LANGUAGE_HEADER, json.dumps(body))
                result: Any = await ui.run_javascript(script, timeout=30)
                if isinstance(result, dict) and result.get("status") == 204:
                    changed = _("Password changed; other devices are signed out.")
                    ui.notify(changed, type="positive")
                    ui.navigate.to("/account")
                    return
                detail = result.get("detail") if isinstance(result, dict) else None
                message.set_text(str(detail) if detail else _("The password was not changed."))

            ui.button(_("Change password"), on_click=self.session.guarded(change)).props(
                "unelevated no-caps"
            )

    async def _show(self, principal: Principal) -> None:
        found = await sessions.my_sessions(self.session.ports, principal)
        self.devices.clear()
        with self.devices:
            for info in found:
                self._device_row(info)

    def _device_row(self, info: SessionInfo) -> None:
        with (
            ui.card().classes("w-full py-2 px-4").props("flat bordered"),
            ui.row().classes("w-full items-center gap-x-4 gap-y-1"),
        ):
            with ui.column().classes("gap-0 grow min-w-0"):
                ui.label(describe_device(info.user_agent)).classes("font-medium")
                ui.label(describe_session(info)).classes("text-sm text-slate-600 break-words")
            if info.is_current:
                ui.badge(_("This device")).props("outline")
            else:
                ui.button(_("End"), on_click=self.session.guarded(self._ender(info))).props(
                    "flat no-caps color=negative"
                )

    def _ender(self, info: SessionInfo) -> Any:
        async def end(principal: Principal) -> None:
            await sessions.end_my_session(self.session.ports, principal, info.id)
            ui.notify(_("That device is signed out."))
            await self._show(principal)

        return end

    async def _end_others(self, principal: Principal) -> None:
        ended = await sessions.end_other_sessions(self.session.ports, principal)
        text = ngettext("%(count)s other session ended.", "%(count)s other sessions ended.", ended)
        ui.notify(text % {"count": ended})
        await self._show(principal)


def describe_device(user_agent: str) -> str:
    """A short, readable name for a browser from its user agent (no parsing library needed)."""
    agent = user_agent.lower()
    system = next((name for key, name in _SYSTEMS if key in agent), _("unknown system"))
    browser = next((name for key, name in _BROWSERS if key in agent), _("Browser"))
    if not user_agent:
        return _("Unknown device")
    return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}


def describe_session(info: SessionInfo) -> str:
    values = {
        "address": info.client_address or _("unknown address"),
        "signed_in": format_moment(info.created_at),
        "seen": format_moment(info.last_seen_at),
    }
    return _("%(address)s · signed in %(signed_in)s · last active %(seen)s") % values


_SYSTEMS = (
    ("iphone", "iPhone"),
    ("ipad", "iPad"),
    ("android", "Android"),
    ("windows", "Windows"),
    ("mac os", "macOS"),
    ("linux", "Linux"),
)
_BROWSERS = (
    ("edg/", "Edge"),
    ("firefox", "Firefox"),
    ("chrome", "Chrome"),
    ("safari", "Safari"),
    ("python-httpx", "API client"),
)
