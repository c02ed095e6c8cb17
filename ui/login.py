"""The sign-in page: the browser posts the credentials to the API, which sets the session cookie.

The password goes from the page straight to /api/v1/auth/login; Python never sends it back.
"""

from typing import Any

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import accounts
from ui.frame import apply_theme
from ui.i18n import LANGUAGE_HEADER, _
from ui.session import open_session, ports, safe_next

EMAIL_ID = "login-email"
PASSWORD_ID = "login-password"  # noqa: S105 (an element id, not a secret)
SIGN_IN_JS = f"""(async () => {{
  const body = {{
    email: document.getElementById("{EMAIL_ID}").value,
    password: document.getElementById("{PASSWORD_ID}").value,
  }};
  try {{
    const response = await fetch("/api/v1/auth/login", {{
      method: "POST", credentials: "same-origin",
      headers: {{"Content-Type": "application/json", {LANGUAGE_HEADER}}},
      body: JSON.stringify(body),
    }});
    let detail = "";
    if (response.status !== 200) {{
      try {{ detail = String((await response.json()).detail); }}
      catch (error) {{ detail = ""; }}
    }}
    return {{status: response.status, detail: detail}};
  }} catch (error) {{
    return {{status: 0, detail: ""}};
  }}
}})()"""


def first_admin_hint() -> str:
    return _(
        "This installation has no accounts yet. Create the first system administrator on the "
        "server with:"
    )


def register() -> None:
    ui.page("/login", title="Sutura")(login_page)


async def login_page(
    request: Request, next: str | None = None, ended: str | None = None
) -> RedirectResponse | None:
    target = safe_next(next)
    if await open_session(request) is not None:
        return RedirectResponse(target, status_code=303)
    with public_column():
        if ended:
            ui.label(_("Your session has ended. Please sign in again.")).classes(
                "text-sm bg-amber-50 text-amber-900 p-2 rounded"
            )
        _sign_in_card(target)
        ui.link(_("Forgot your password?"), "/forgot").classes("text-sm text-slate-600")
        if not await accounts.has_users(ports()):
            _first_admin_hint()
    return None


def public_column() -> ui.column:
    """The narrow column of the pages seen before signing in, under the product's name."""
    apply_theme()
    column = ui.column().classes("w-full max-w-sm mx-auto px-4 pt-16 gap-4")
    with column:
        ui.label("Sutura").classes("text-2xl font-semibold text-primary")
        ui.label(_("Clinical photography")).classes("text-slate-500 -mt-3")
    return column


def _sign_in_card(target: str) -> None:
    with ui.card().classes("w-full gap-3"):
        email = ui.input(_("Email")).props(f"for={EMAIL_ID} type=email autocomplete=username")
        password = ui.input(_("Password"), password=True).props(
            f"for={PASSWORD_ID} autocomplete=current-password"
        )
        message = ui.label().classes("text-negative text-sm")
        message.set_visibility(False)
        button = ui.button(_("Sign in")).props("unelevated no-caps").classes("w-full")

        async def submit() -> None:
            button.props("loading")
            result: Any = await ui.run_javascript(SIGN_IN_JS, timeout=30)
            button.props(remove="loading")
            if isinstance(result, dict) and result.get("status") == 200:
                ui.navigate.to(target)
                return
            message.set_text(_sign_in_refusal(result))
            message.set_visibility(True)

        button.on_click(submit)
        for field in (email, password):
            field.classes("w-full").on("keydown.enter", submit)


def _sign_in_refusal(result: Any) -> str:
    """The API's reason (asked for in the page's language), else a reason of our own."""
    status = result.get("status") if isinstance(result, dict) else None
    detail = result.get("detail") if isinstance(result, dict) else None
    if detail:
        return str(detail)
    if status == 0:
        return _("The server could not be reached. Try again.")
    return _("Sign-in failed. Try again.")


def _first_admin_hint() -> None:
    with ui.card().classes("w-full gap-2 text-slate-600"):
        ui.label(first_admin_hint()).classes("text-sm")
        ui.label("python main.py create-admin EMAIL --cluster NAME").classes(
            "font-mono text-xs bg-slate-100 p-2 rounded break-all"
        )
