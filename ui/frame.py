"""The frame every portal page shares: a header with navigation and a centred content column."""

from collections.abc import Awaitable, Callable
from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import accounts, preferences
from domain.model import Principal
from domain.policy import Action, can, may_administer
from ui.i18n import LANGUAGE_NAMES, LANGUAGES, _, aria, current_language
from ui.session import PageSession, open_session, to_login

CONTENT_CLASSES = "w-full max-w-6xl mx-auto px-3 sm:px-6 py-4 gap-4"
SIGN_OUT_JS = """() => {
  fetch("/api/v1/auth/logout", {method: "POST", credentials: "same-origin"})
    .finally(() => { window.location.href = "/login"; });
}"""


def apply_theme() -> None:
    ui.colors(primary="#2b5f75", secondary="#5b7f8c", accent="#7a5c8c", positive="#2e7d4f")
    ui.query("body").classes("bg-slate-50 text-slate-900")
    ui.query(".nicegui-content").classes("p-0")
    ui.add_head_html(f'<script>document.documentElement.lang = "{current_language()}";</script>')


async def frame(session: PageSession, cluster_id: UUID | None = None) -> ui.column:
    """Draw the header and return the column the page fills; cluster_id marks the current one."""
    apply_theme()
    session.watch()
    clusters = await member_clusters(session)
    current = cluster_id or (next(iter(clusters)) if clusters else None)
    with ui.header().classes("bg-white text-slate-900 border-b border-slate-200 px-0"):
        _header_row(session, clusters, current)
    return ui.column().classes(CONTENT_CLASSES)


def _header_row(session: PageSession, clusters: dict[UUID, str], current: UUID | None) -> None:
    row = ui.row().classes("w-full max-w-6xl mx-auto px-3 sm:px-6 items-center no-wrap gap-3 py-1")
    with row:
        ui.link("Sutura", _with_cluster("/", current)).classes(
            "text-lg font-semibold no-underline text-primary"
        )
        ui.space()
        _wide_navigation(session, clusters, current)
        _narrow_navigation(session, clusters, current)


async def member_clusters(session: PageSession) -> dict[UUID, str]:
    """The clusters the user is a member of, by id, in membership order."""
    memberships = session.principal.memberships
    names = {c.id: c.name for c in await accounts.list_clusters(session.ports, session.principal)}
    return {cluster_id: names.get(cluster_id, _("Cluster")) for cluster_id in memberships}


def navigation_links(principal: Principal, current: UUID | None) -> list[tuple[str, str]]:
    """(text, address) of the pages this member may open in the current cluster."""
    links = [(_("Patients"), _with_cluster("/patients", current))]
    if current is not None and can(principal, Action.VIEW_PHOTOS, current):
        links += [
            (_("Search"), _with_cluster("/search", current)),
            (_("My series"), _with_cluster("/my-series", current)),
            (_("Acute"), _with_cluster("/acute", current)),
            (_("External"), _with_cluster("/external", current)),
        ]
    links.append((_("Devices"), "/devices"))
    if current is not None and may_administer(principal, current):
        links += [
            (_("Members"), _with_cluster("/members", current)),
            (_("Audit"), _with_cluster("/audit", current)),
        ]
    if principal.user.is_system_admin:
        links.append((_("Admin"), "/admin"))
    return links


def _wide_navigation(session: PageSession, clusters: dict[UUID, str], current: UUID | None) -> None:
    with ui.row().classes("gt-sm items-center no-wrap gap-4"):
        if len(clusters) > 1:
            options = {str(k): v for k, v in clusters.items()}
            ui.select(
                options,
                value=str(current) if current else None,
                on_change=lambda e: ui.navigate.to(f"/?cluster={e.value}"),
            ).props("dense outlined options-dense " + aria(_("Cluster"))).classes("min-w-[10rem]")
        for text, target in navigation_links(session.principal, current):
            ui.link(text, target).classes("text-slate-700 no-underline hover:underline")
        _language_menu(session)
        ui.link(session.principal.user.email, "/account").classes(
            "text-sm text-slate-500 no-underline"
        ).props(aria(_("Account")))
        ui.button(_("Sign out")).props("flat no-caps").on("click", js_handler=SIGN_OUT_JS)


def _narrow_navigation(
    session: PageSession, clusters: dict[UUID, str], current: UUID | None
) -> None:
    menu_button = ui.button(icon="menu").props("flat round " + aria(_("Menu")))
    with menu_button.classes("lt-md"), ui.menu():
        ui.menu_item(session.principal.user.email).props("disable")
        if len(clusters) > 1:
            for cluster_id, name in clusters.items():
                marker = "● " if cluster_id == current else ""
                ui.menu_item(
                    f"{marker}{name}", lambda c=cluster_id: ui.navigate.to(f"/?cluster={c}")
                )
            ui.separator()
        for text, target in navigation_links(session.principal, current):
            ui.menu_item(text, lambda t=target: ui.navigate.to(t))
        ui.menu_item(_("Account"), lambda: ui.navigate.to("/account"))
        ui.separator()
        for language in LANGUAGES:
            ui.menu_item(
                LANGUAGE_NAMES[language],
                _language_handler(session, language),
            )
        ui.menu_item(_("Sign out")).on("click", js_handler=SIGN_OUT_JS)


def _language_menu(session: PageSession) -> None:
    with (
        ui.button(current_language().upper(), icon="translate").props(
            "flat dense no-caps " + aria(_("Language"))
        ),
        ui.menu(),
    ):
        for language in LANGUAGES:
            ui.menu_item(
                LANGUAGE_NAMES[language],
                _language_handler(session, language),
            )


def _language_handler(session: PageSession, language: str) -> Callable[[], Awaitable[None]]:
    async def choose(principal: Principal) -> None:
        await preferences.set_language(session.ports, principal, language)
        ui.navigate.reload()

    return session.guarded(choose)


def _with_cluster(path: str, cluster_id: UUID | None) -> str:
    return f"{path}?cluster={cluster_id}" if cluster_id else path


def notice(text: str) -> None:
    """A calm message in place of content the user cannot see or use."""
    with ui.card().classes("w-full bg-slate-100 shadow-none"):
        ui.label(text).classes("text-slate-700")


def empty_state(text: str, hint: str | None = None) -> None:
    """Nothing to show yet, and what to do next."""
    with ui.column().classes("w-full items-center py-6 gap-1 text-center empty-state"):
        ui.icon("inbox", size="md").classes("text-slate-400")
        ui.label(text).classes("text-slate-600")
        if hint:
            ui.label(hint).classes("text-sm text-slate-500")


ClusterPage = Callable[[PageSession, UUID], Awaitable[None]]


async def cluster_page(
    request: Request, cluster: str | None, build: ClusterPage, *, clinical_only: str | None = None
) -> RedirectResponse | None:
    """A page about one of the member's clusters, in the frame; with `clinical_only`, the text
    shown instead to roles that do not see photos."""
    session = await open_session(request)
    if session is None:
        return to_login(request)
    cluster_id = chosen_cluster(session.principal, cluster)
    with await frame(session, cluster_id):
        if cluster_id is None:
            notice(
                _("You are not a member of any cluster yet. A system administrator adds members.")
            )
        elif clinical_only and not can(session.principal, Action.VIEW_PHOTOS, cluster_id):
            notice(clinical_only)
        else:
            await build(session, cluster_id)
    return None


def chosen_cluster(principal: Principal, requested: str | None) -> UUID | None:
    """The cluster from the query when the user is a member of it, else their first."""
    try:
        wanted = UUID(requested) if requested else None
    except ValueError:
        wanted = None
    if wanted is not None and wanted in principal.memberships:
        return wanted
    return next(iter(principal.memberships), None)
