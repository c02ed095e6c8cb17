"""Administration: system administrators create clusters and see them all."""

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import accounts
from domain.errors import InvalidInput
from domain.model import Principal
from ui.frame import frame, notice
from ui.i18n import _, error_text
from ui.session import PageSession, open_session, to_login


def register() -> None:
    ui.page("/admin", title="Sutura")(admin_page)


async def admin_page(request: Request) -> RedirectResponse | None:
    session = await open_session(request)
    if session is None:
        return to_login()
    with await frame(session):
        ui.label(_("Administration")).classes("text-xl font-semibold")
        if not session.principal.user.is_system_admin:
            notice(_("Not permitted: only a system administrator may manage clusters."))
            return None
        await ClusterAdmin(session).build()
    return None


class ClusterAdmin:
    def __init__(self, session: PageSession) -> None:
        self.session = session
        self.listing: ui.column
        self.name: ui.input

    async def build(self) -> None:
        with ui.card().classes("w-full gap-3").props("flat bordered"):
            ui.label(_("New cluster")).classes("font-medium")
            with ui.row().classes("w-full items-start gap-2"):
                self.name = ui.input(_("Name"), placeholder=_("e.g. Plastic Surgery, Odense"))
                self.name.props("outlined dense").classes("grow min-w-[12rem]")
                ui.button(_("Create"), on_click=self.session.guarded(self._create)).props(
                    "unelevated no-caps"
                )
        ui.label(_("Clusters")).classes("text-lg font-semibold pt-2")
        self.listing = ui.column().classes("w-full gap-2")
        await self.session.run(self._show)

    async def _create(self, principal: Principal) -> None:
        self.name.error = None
        try:
            cluster = await accounts.create_cluster(
                self.session.ports, principal, self.name.value or ""
            )
        except InvalidInput as error:
            self.name.error = error_text(error)
            return
        self.name.value = ""
        ui.notify(_("Cluster %(name)s created.") % {"name": cluster.name}, type="positive")
        await self._show(principal)

    async def _show(self, principal: Principal) -> None:
        clusters = await accounts.list_clusters(self.session.ports, principal)
        self.listing.clear()
        with self.listing:
            if not clusters:
                ui.label(_("No clusters yet.")).classes("text-slate-500")
            for cluster in sorted(clusters, key=lambda c: c.name.lower()):
                with ui.card().classes("w-full py-2 px-4").props("flat bordered"):
                    ui.label(cluster.name).classes("break-words")
