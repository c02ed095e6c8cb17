"""Pages reached from mail or before signing in: forgotten password, reset link, invitation."""

from nicegui import ui
from starlette.requests import Request

from domain import credentials, invitations
from domain.errors import DomainError, InvalidInput
from domain.invitations import LinkState
from domain.model import Client
from domain.passwords import MIN_PASSWORD_LENGTH
from ui.i18n import _, choose_language, error_text, ngettext, use_language
from ui.login import public_column
from ui.session import ports


def register() -> None:
    ui.page("/forgot", title="Forgot password · Sutura")(forgot_page)
    ui.page("/reset/{token}", title="New password · Sutura")(reset_page)
    ui.page("/invite/{token}", title="Invitation · Sutura")(invitation_page)


def reset_answer() -> str:
    return _(
        "If this address belongs to an account, a link to reset the password is on its way. "
        "It works once, for one hour."
    )


def password_hint() -> str:
    hint = _(
        "At least %(count)s characters; a few unrelated words make a good one. "
        "Common leaked passwords are refused."
    )
    return hint % {"count": MIN_PASSWORD_LENGTH}


def speak_as_browser(request: Request) -> None:
    """Before sign-in the member is unknown: the page speaks the browser's language."""
    use_language(choose_language(None, request.headers.get("accept-language")))


def client_of(request: Request) -> Client:
    address = request.client.host if request.client else ""
    return Client(address[:64], request.headers.get("user-agent", "")[:200])


async def forgot_page(request: Request) -> None:
    client = client_of(request)
    speak_as_browser(request)
    ui.page_title(_("Forgot password") + " · Sutura")
    with public_column(), ui.card().classes("w-full gap-3"):
        ui.label(_("Forgot your password?")).classes("text-lg font-semibold")
        ui.label(_("We will mail you a link to choose a new one.")).classes(
            "text-sm text-slate-600"
        )
        email = ui.input(_("Email")).props("type=email autocomplete=username outlined")
        email.classes("w-full")
        answer = ui.label().classes("text-sm text-slate-700")

        async def send() -> None:
            try:
                await credentials.ask_for_reset(ports(), email.value or "", client)
            except DomainError as error:
                answer.set_text(error_text(error))
                return
            answer.set_text(reset_answer())

        ui.button(_("Send link"), on_click=send).props("unelevated no-caps").classes("w-full")
        ui.link(_("Back to sign in"), "/login").classes("text-sm text-slate-600")


def password_pair() -> tuple[ui.input, ui.input]:
    ui.label(password_hint()).classes("text-xs text-slate-500")
    first = ui.input(_("New password"), password=True, password_toggle_button=True)
    first.props("autocomplete=new-password outlined").classes("w-full")
    second = ui.input(_("Repeat it"), password=True)
    second.props("autocomplete=new-password outlined").classes("w-full")
    return first, second


def read_pair(first: ui.input, second: ui.input) -> str:
    if (first.value or "") != (second.value or ""):
        raise InvalidInput("The two passwords differ.", field="password")
    return str(first.value or "")


async def reset_page(request: Request, token: str) -> None:
    speak_as_browser(request)
    ui.page_title(_("New password") + " · Sutura")
    with public_column(), ui.card().classes("w-full gap-3") as card:
        ui.label(_("Choose a new password")).classes("text-lg font-semibold")
        first, second = password_pair()
        message = ui.label().classes("text-sm text-negative")

        async def save() -> None:
            try:
                await credentials.reset_password(ports(), token, read_pair(first, second))
            except DomainError as error:
                message.set_text(error_text(error))
                return
            card.clear()
            with card:
                ui.label(_("Your password is changed, and you are signed out everywhere."))
                ui.link(_("Sign in"), "/login")

        ui.button(_("Save password"), on_click=save).props("unelevated no-caps").classes("w-full")


async def invitation_page(request: Request, token: str) -> None:
    speak_as_browser(request)
    ui.page_title(_("Invitation") + " · Sutura")
    status = await invitations.link_status(ports(), token)
    with public_column(), ui.card().classes("w-full gap-3") as card:
        if status.state == LinkState.USED:
            ui.label(_("This link is no longer valid.")).classes("font-medium")
            ui.label(_("It was used already or withdrawn. Ask your cluster administrator."))
            ui.link(_("Sign in"), "/login")
        elif status.state == LinkState.EXPIRED:
            _expired(card, token, status.email)
        else:
            _welcome(card, token, status.email, status.cluster_name)


def _expired(card: ui.card, token: str, email: str) -> None:
    ui.label(_("This invitation has expired.")).classes("text-lg font-semibold")
    hours = ports().limits.invitation_hours
    expired = ngettext(
        "It was for %(email)s. Invitations are valid for %(count)s hour.",
        "It was for %(email)s. Invitations are valid for %(count)s hours.",
        hours,
    )
    ui.label(expired % {"email": email, "count": hours}).classes("break-words")

    async def ask() -> None:
        try:
            await invitations.ask_for_new_link(ports(), token)
        except DomainError as error:
            ui.notify(error_text(error), type="negative")
            return
        card.clear()
        with card:
            ui.label(_("We have asked the person who invited you to send a new invitation."))

    ui.button(_("Ask for a new invitation"), on_click=ask).props("unelevated no-caps")


def _welcome(card: ui.card, token: str, email: str, cluster: str) -> None:
    ui.label(_("Welcome to Sutura")).classes("text-lg font-semibold")
    invited = _("You are invited to %(cluster)s as %(email)s.")
    ui.label(invited % {"cluster": cluster, "email": email}).classes("break-words")
    first, second = password_pair()
    message = ui.label().classes("text-sm text-negative")

    async def accept() -> None:
        try:
            await invitations.accept(ports(), token, read_pair(first, second))
        except DomainError as error:
            message.set_text(error_text(error))
            return
        card.clear()
        with card:
            ui.label(_("Your account is ready.")).classes("text-lg font-semibold")
            ui.label(
                _("Install the Sutura app on your work phone from this address, then sign in.")
            )
            ui.link(_("Sign in"), "/login")

    ui.button(_("Set password"), on_click=accept).props("unelevated no-caps").classes("w-full")
