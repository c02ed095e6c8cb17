"""The frame every portal page shares: a header with navigation and a centred content column."""

from uuid import UUID

from nicegui import ui

from domain import accounts
from domain.policy import may_administer
from ui.session import PageSession

CONTENT_CLASSES = "w-full max-w-5xl mx-auto px-3 sm:px-6 py-4 gap-4"
SIGN_OUT_JS = """() => {
  fetch("/api/v1/auth/logout", {method: "POST", credentials: "same-origin"})
    .finally(() => { window.location.href = "/login"; });
}"""


def apply_theme() -> None:
    ui.colors(primary="#2b5f75", secondary="#5b7f8c", accent="#7a5c8c", positive="#2e7d4f")
    ui.query("body").classes("bg-slate-50 text-slate-900")
    ui.query(".nicegui-content").classes("p-0")


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
    row = ui.row().classes("w-full max-w-5xl mx-auto px-3 sm:px-6 items-center no-wrap gap-3 py-1")
    with row:
        ui.link("Sutura", "/").classes("text-lg font-semibold no-underline text-primary")
        ui.space()
        _wide_navigation(session, clusters, current)
        _narrow_navigation(session, clusters, current)


async def member_clusters(session: PageSession) -> dict[UUID, str]:
    """The clusters the user is a member of, by id, in membership order."""
    memberships = session.principal.memberships
    names = {c.id: c.name for c in await accounts.list_clusters(session.ports, session.principal)}
    return {cluster_id: names.get(cluster_id, "Cluster") for cluster_id in memberships}


def _wide_navigation(session: PageSession, clusters: dict[UUID, str], current: UUID | None) -> None:
    with ui.row().classes("gt-xs items-center no-wrap gap-4"):
        if len(clusters) > 1:
            options = {str(k): v for k, v in clusters.items()}
            ui.select(
                options,
                value=str(current) if current else None,
                on_change=lambda e: ui.navigate.to(f"/?cluster={e.value}"),
            ).props("dense outlined options-dense aria-label=Cluster").classes("min-w-[12rem]")
        for text, url in _links(session, current):
            ui.link(text, url).classes("text-slate-700")
        ui.link(session.principal.user.email, "/account").classes(
            "text-sm text-slate-500 no-underline"
        ).props("aria-label=Account")
        ui.button("Sign out").props("flat no-caps").on("click", js_handler=SIGN_OUT_JS)


def _narrow_navigation(
    session: PageSession, clusters: dict[UUID, str], current: UUID | None
) -> None:
    with ui.button(icon="menu").props("flat round aria-label=Menu").classes("xs"), ui.menu():
        ui.menu_item(session.principal.user.email).props("disable")
        if len(clusters) > 1:
            for cluster_id, name in clusters.items():
                marker = "● " if cluster_id == current else ""
                ui.menu_item(
                    f"{marker}{name}", lambda c=cluster_id: ui.navigate.to(f"/?cluster={c}")
                )
            ui.separator()
        for text, url in _links(session, current):
            ui.menu_item(text, lambda u=url: ui.navigate.to(u))
        ui.menu_item("Account", lambda: ui.navigate.to("/account"))
        ui.menu_item("Sign out").on("click", js_handler=SIGN_OUT_JS)


def _links(session: PageSession, current: UUID | None) -> list[tuple[str, str]]:
    """The navigation this user may follow; the policy decides, the frame only draws."""
    links = [("Patients", _patients_url(current))]
    if current is not None and may_administer(session.principal, current):
        links += [
            ("Members", f"/members?cluster={current}"),
            ("Audit", f"/audit?cluster={current}"),
        ]
    if session.principal.user.is_system_admin:
        links.append(("Admin", "/admin"))
    return links


def _patients_url(cluster_id: UUID | None) -> str:
    return f"/?cluster={cluster_id}" if cluster_id else "/"


def notice(text: str) -> None:
    """A calm message in place of content the user cannot see or use."""
    with ui.card().classes("w-full bg-slate-100 shadow-none"):
        ui.label(text).classes("text-slate-700")
