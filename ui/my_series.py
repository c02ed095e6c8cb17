"""My series: the series I created or photographed in, newest first."""

from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import overview
from domain.model import Principal
from ui.frame import cluster_page, empty_state
from ui.i18n import _
from ui.series_cards import series_entry_card
from ui.session import PageSession


def register() -> None:
    ui.page("/my-series", title="Sutura")(my_series_page)


async def my_series_page(request: Request, cluster: str | None = None) -> RedirectResponse | None:
    async def build(session: PageSession, cluster_id: UUID) -> None:
        ui.label(_("My series")).classes("text-xl font-semibold")
        listing = ui.column().classes("w-full gap-2")
        await session.run(lambda p: _show(session, p, cluster_id, listing))

    return await cluster_page(request, cluster, build)


async def _show(
    session: PageSession, principal: Principal, cluster_id: UUID, listing: ui.column
) -> None:
    entries = await overview.my_series(session.ports, principal, cluster_id)
    with listing:
        if not entries:
            empty_state(
                _("You have no series yet."),
                _("Series you create or photograph in appear here, newest first."),
            )
        for entry in entries:
            series_entry_card(session.ports.taxonomy, entry)
