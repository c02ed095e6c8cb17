"""The photos of a series, grouped by phase, refreshed while any is still being processed."""

from uuid import UUID

from nicegui import ui

from domain import photos
from domain.model import Photo, PhotoStatus, Principal, Series
from domain.taxonomy import Taxonomy
from ui.session import PageSession

POLL_SECONDS = 2.0
UNFINISHED = (PhotoStatus.RECEIVED, PhotoStatus.PROCESSING)


def photo_url(photo_id: UUID, variant: str) -> str:
    return f"/api/v1/photos/{photo_id}/{variant}"


class PhotoPanel:
    def __init__(self, session: PageSession, series: Series) -> None:
        self.session = session
        self.series = series
        self._shown: tuple[tuple[UUID, PhotoStatus], ...] | None = None
        self.container = ui.column().classes("w-full gap-3")
        self.timer = ui.timer(POLL_SECONDS, session.guarded(self._load), active=False)

    async def refresh(self, series: Series | None = None) -> None:
        """Load the photos again (after an upload or a consent change) and redraw if changed."""
        if series is not None:
            self.series = series
            self._shown = None
        await self.session.run(self._load)

    async def _load(self, principal: Principal) -> None:
        found = await photos.photos_of_series(self.session.ports, principal, self.series)
        state = tuple((p.id, p.status) for p in found)
        self.timer.active = any(status in UNFINISHED for _, status in state)
        if state != self._shown:
            self._shown = state
            self._draw(found)

    def _draw(self, found: list[Photo]) -> None:
        taxonomy = self.session.ports.taxonomy
        self.container.clear()
        with self.container:
            if not found:
                ui.label("No photos yet.").classes("text-slate-500")
            for phase in sorted(taxonomy.phases.values(), key=lambda p: p.sort_order):
                in_phase = [p for p in found if p.phase == phase.id]
                if in_phase:
                    ui.label(phase.name_en).classes("font-medium text-slate-700 pt-1")
                    with ui.element("div").classes("w-full grid grid-cols-3 sm:grid-cols-5 gap-2"):
                        for photo in in_phase:
                            _tile(photo, taxonomy)


def _tile(photo: Photo, taxonomy: Taxonomy) -> None:
    view = taxonomy.views.get(photo.view_id)
    caption = view.name_en if view else photo.view_id
    with ui.column().classes("gap-1 min-w-0"):
        box = ui.element("div").classes(
            "w-full aspect-square rounded bg-slate-200 overflow-hidden flex items-center "
            "justify-center"
        )
        with box:
            _tile_content(photo)
        if photo.status == PhotoStatus.READY:
            box.classes("cursor-pointer").on("click", lambda: PhotoViewer(photo, caption).open())
        ui.label(caption).classes("text-xs text-slate-600 break-words leading-tight")


def _tile_content(photo: Photo) -> None:
    if photo.status == PhotoStatus.READY:
        image = ui.element("img").classes("w-full h-full object-cover photo-thumbnail")
        image.props["src"] = photo_url(photo.id, "thumbnail")
        image.props["alt"] = "Photo thumbnail"
    elif photo.status == PhotoStatus.REJECTED:
        with ui.column().classes("items-center gap-1 p-2 photo-rejected"):
            ui.icon("error_outline", color="negative")
            ui.label(photo.reject_reason or "Rejected").classes("text-xs text-center break-words")
    else:
        with ui.column().classes("items-center gap-1 photo-processing"):
            ui.spinner(size="md")
            ui.label("processing").classes("text-xs text-slate-600")


class PhotoViewer:
    def __init__(self, photo: Photo, caption: str) -> None:
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-4xl gap-2 p-2 sm:p-4"):
            with ui.row().classes("w-full items-center no-wrap"):
                ui.label(caption).classes("font-medium grow min-w-0 break-words")
                ui.button(icon="close", on_click=self.dialog.close).props(
                    "flat round dense aria-label=Close"
                )
            image = ui.element("img").classes("w-full h-auto max-h-[75vh] object-contain")
            image.classes("photo-preview")
            image.props["src"] = photo_url(photo.id, "preview")
            image.props["alt"] = "Photo preview"
            link = ui.link("Download original", photo_url(photo.id, "original"))
            link.props["download"] = ""
        self.dialog.on("hide", self.dialog.delete)

    def open(self) -> None:
        self.dialog.open()
