"""Before and after: two photos side by side or as a slider overlay, zoom and pan in step."""

from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import patients, photos
from domain.errors import DomainError, InvalidInput
from domain.model import Photo
from ui.frame import frame, notice
from ui.i18n import _, aria, format_moment
from ui.labels import body_site_text, phase_name, view_name
from ui.session import PageSession, open_session, to_login
from ui.zoom import install_zoom, zoom_buttons, zoom_pane

GROUP = "compare"
SLIDER_JS = """(e) => {
  const top = document.querySelector(".compare-top");
  if (top) top.style.clipPath = `inset(0 0 0 ${e.args}%)`;
}"""


def register() -> None:
    ui.page("/compare", title="Sutura")(compare_page)


async def compare_page(request: Request, a: str = "", b: str = "") -> RedirectResponse | None:
    session = await open_session(request)
    if session is None:
        return to_login()
    try:
        first, second = await _photos(session, a, b)
    except (DomainError, ValueError):
        with await frame(session):
            notice(_("These photos cannot be shown: they do not exist or are no longer visible."))
        return None
    with await frame(session, first.cluster_id):
        await _compare(session, first, second)
    return None


async def _photos(session: PageSession, a: str, b: str) -> tuple[Photo, Photo]:
    first = await photos.get_photo(session.ports, session.principal, UUID(a))
    second = await photos.get_photo(session.ports, session.principal, UUID(b))
    if first.cluster_id != second.cluster_id:
        raise InvalidInput("Photos from different clusters cannot be compared.")
    return first, second


async def _compare(session: PageSession, first: Photo, second: Photo) -> None:
    install_zoom()
    if first.series_id is None:  # get_photo finds filed photos only
        raise InvalidInput("Only filed photos can be compared.")
    series = await patients.get_series(session.ports, session.principal, first.series_id)
    with ui.row().classes("w-full items-center gap-2"):
        ui.link(_("Back to the series"), f"/series/{series.id}")
        ui.label(body_site_text(session.ports.taxonomy, series)).classes("font-semibold grow")
        zoom_buttons(GROUP, (_("Zoom in"), _("Zoom out"), _("Fit")))
    with ui.tabs().classes("w-full") as tabs:
        side_tab = ui.tab(_("Side by side"))
        slider_tab = ui.tab(_("Slider"))
    with ui.tab_panels(tabs, value=side_tab).classes("w-full bg-transparent"):
        with ui.tab_panel(side_tab).classes("p-0"):
            _side_by_side(session, first, second)
        with ui.tab_panel(slider_tab).classes("p-0"):
            _slider(session, first, second)
    ui.label(
        _("Scroll or use the buttons to zoom, drag to pan; both photos move together.")
    ).classes("text-xs text-slate-500")


def _caption(session: PageSession, photo: Photo) -> str:
    taxonomy = session.ports.taxonomy
    return " · ".join(
        (
            phase_name(taxonomy, photo.phase),
            view_name(taxonomy, photo.view_id),
            format_moment(photo.captured_at or photo.received_at),
        )
    )


def _side_by_side(session: PageSession, first: Photo, second: Photo) -> None:
    with ui.element("div").classes("w-full grid grid-cols-1 sm:grid-cols-2 gap-2"):
        for photo in (first, second):
            with ui.column().classes("w-full gap-1 min-w-0"):
                zoom_pane(
                    f"/api/v1/photos/{photo.id}/preview",
                    GROUP,
                    _("Photo preview"),
                    "w-full h-[40vh] sm:h-[60vh] rounded compare-side",
                )
                ui.label(_caption(session, photo)).classes("text-sm text-slate-600")


def _slider(session: PageSession, first: Photo, second: Photo) -> None:
    with ui.element("div").classes("relative w-full h-[60vh] compare-slider"):
        zoom_pane(
            f"/api/v1/photos/{first.id}/preview", GROUP, _("Before"), "absolute inset-0 rounded"
        )
        top = zoom_pane(
            f"/api/v1/photos/{second.id}/preview",
            GROUP,
            _("After"),
            "absolute inset-0 rounded compare-top",
        )
        del top
    slider = ui.slider(min=0, max=100, value=50).props(aria(_("Split")))
    slider.on("update:model-value", js_handler=SLIDER_JS)
    ui.run_javascript(
        'setTimeout(() => { const t = document.querySelector(".compare-top");'
        ' if (t) t.style.clipPath = "inset(0 0 0 50%)"; }, 50)'
    )
    with ui.row().classes("w-full justify-between text-sm text-slate-600"):
        ui.label(_caption(session, first))
        ui.label(_caption(session, second))
