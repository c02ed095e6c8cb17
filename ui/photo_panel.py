"""The photos of a series as a timeline by phase, refreshed while any is still being processed.

A click opens the viewer; in compare mode two clicks pick the photos to compare.
"""

from collections.abc import Callable
from uuid import UUID

from nicegui import ui

from domain import photos
from domain.model import Photo, PhotoStatus, Principal, Series
from ui.i18n import _, format_day
from ui.labels import phase_name, view_name
from ui.session import PageSession
from ui.viewer import PhotoViewer

POLL_SECONDS = 2.0
UNFINISHED = (PhotoStatus.RECEIVED, PhotoStatus.PROCESSING)


def photo_url(photo_id: UUID, variant: str) -> str:
    return f"/api/v1/photos/{photo_id}/{variant}"


def timeline_order(found: list[Photo], phase_order: dict[str, int]) -> list[Photo]:
    """By phase (pre, per, post, follow-up), then by capture time."""
    return sorted(
        found,
        key=lambda p: (phase_order.get(p.phase, 99), p.captured_at or p.received_at),
    )


class PhotoPanel:
    def __init__(self, session: PageSession, series: Series) -> None:
        self.session = session
        self.series = series
        self.photos: list[Photo] = []
        self.picked: list[UUID] = []
        self.comparing = False
        self._shown: tuple[tuple[UUID, PhotoStatus], ...] | None = None
        with ui.row().classes("w-full items-center gap-2"):
            self.compare_button = ui.button(
                _("Compare two photos"), icon="compare", on_click=self._toggle_compare
            ).props("flat no-caps dense")
            self.compare_hint = ui.label().classes("text-sm text-slate-600")
        self.container = ui.column().classes("w-full gap-3")
        self._timer_slot = ui.element("div").classes("hidden")
        self.timer: ui.timer | None = None

    async def refresh(self, series: Series | None = None) -> None:
        """Load the photos again (after an upload or a consent change) and redraw if changed."""
        if series is not None:
            self.series = series
            self._shown = None
        await self.session.run(self._load)

    async def _load(self, principal: Principal) -> None:
        found = await photos.photos_of_series(self.session.ports, principal, self.series)
        state = tuple((p.id, p.status) for p in found)
        self._poll(any(status in UNFINISHED for _, status in state))
        if state != self._shown:
            self._shown = state
            self._draw(found)

    def _poll(self, wanted: bool) -> None:
        # NOTE: a timer makes NiceGUI send the page before the page function ends, so it is
        # made only when some photo is still processing, not on every page.
        if wanted and self.timer is None:
            with self._timer_slot:
                self.timer = ui.timer(POLL_SECONDS, self.session.guarded(self._load))
        elif self.timer is not None:
            self.timer.active = wanted

    def _draw(self, found: list[Photo]) -> None:
        taxonomy = self.session.ports.taxonomy
        order = {p.id: p.sort_order for p in taxonomy.phases.values()}
        self.photos = timeline_order(found, order)
        self.compare_button.set_visibility(sum(1 for p in found if _is_ready(p)) >= 2)
        self.container.clear()
        with self.container:
            if not found:
                ui.label(_("No photos yet. Add them below.")).classes("text-slate-500")
            for phase in sorted(taxonomy.phases.values(), key=lambda p: p.sort_order):
                in_phase = [p for p in self.photos if p.phase == phase.id]
                if in_phase:
                    self._phase_row(phase_name(taxonomy, phase.id), in_phase)

    def _phase_row(self, title: str, in_phase: list[Photo]) -> None:
        with ui.row().classes("w-full items-baseline gap-2 pt-1"):
            ui.label(title).classes("font-medium text-slate-700 timeline-phase")
            days = sorted({format_day((p.captured_at or p.received_at).date()) for p in in_phase})
            ui.label(" · ".join(days[:4])).classes("text-xs text-slate-500")
        with ui.element("div").classes("w-full grid grid-cols-3 sm:grid-cols-5 gap-2"):
            for photo in in_phase:
                self._tile(photo)

    def _tile(self, photo: Photo) -> None:
        taxonomy = self.session.ports.taxonomy
        picked = photo.id in self.picked
        with ui.column().classes("gap-1 min-w-0"):
            ring = " ring-4 ring-primary" if picked else ""
            box = ui.element("div").classes(
                "w-full aspect-square rounded bg-slate-200 overflow-hidden flex items-center "
                f"justify-center photo-tile{ring}"
            )
            with box:
                _tile_content(photo)
            if _is_ready(photo):
                box.classes("cursor-pointer").on("click", self._on_click(photo))
            ui.label(view_name(taxonomy, photo.view_id)).classes(
                "text-xs text-slate-600 break-words leading-tight"
            )
            ui.label(format_day((photo.captured_at or photo.received_at).date())).classes(
                "text-xs text-slate-500 leading-tight capture-date"
            )

    def _on_click(self, photo: Photo) -> Callable[[], None]:
        def click() -> None:
            if self.comparing:
                self._pick(photo.id)
            else:
                ready = [p for p in self.photos if _is_ready(p)]
                PhotoViewer(self.session, self.series, ready, ready.index(photo)).open()

        return click

    def _toggle_compare(self) -> None:
        self.comparing = not self.comparing
        self.picked = []
        self.compare_hint.set_text(_("Choose two photos.") if self.comparing else "")
        self._redraw()

    def _pick(self, photo_id: UUID) -> None:
        if photo_id in self.picked:
            self.picked.remove(photo_id)
        else:
            self.picked.append(photo_id)
        if len(self.picked) == 2:
            first, second = self.picked
            ui.navigate.to(f"/compare?a={first}&b={second}")
            return
        self._redraw()

    def _redraw(self) -> None:
        self._shown = None
        self._draw(self.photos)


def _is_ready(photo: Photo) -> bool:
    return photo.status == PhotoStatus.READY


def _tile_content(photo: Photo) -> None:
    if photo.status == PhotoStatus.READY:
        image = ui.element("img").classes("w-full h-full object-cover photo-thumbnail")
        image.props["src"] = photo_url(photo.id, "thumbnail")
        image.props["alt"] = _("Photo thumbnail")
    elif photo.status == PhotoStatus.REJECTED:
        with ui.column().classes("items-center gap-1 p-2 photo-rejected"):
            ui.icon("error_outline", color="negative")
            ui.label(photo.reject_reason or _("Rejected")).classes(
                "text-xs text-center break-words"
            )
    else:
        with ui.column().classes("items-center gap-1 photo-processing"):
            ui.spinner(size="md")
            ui.label(_("processing")).classes("text-xs text-slate-600")
