"""The photo viewer: the preview with zoom and pan, arrow keys between photos, the original on
demand (the API audits the download), and moving a photo to another series of the patient."""

from uuid import UUID

from nicegui import events, ui

from domain import patients, photos
from domain.model import Photo, Principal, Series
from domain.policy import Action, can
from ui.i18n import _, aria, format_moment
from ui.labels import body_site_text, phase_name, view_name
from ui.session import PageSession
from ui.zoom import install_zoom, zoom_buttons, zoom_pane

GROUP = "viewer"


def _url(photo: Photo, variant: str) -> str:
    return f"/api/v1/photos/{photo.id}/{variant}"


class PhotoViewer:
    def __init__(
        self, session: PageSession, series: Series, shown: list[Photo], index: int
    ) -> None:
        self.session = session
        self.series = series
        self.shown = shown
        self.index = index
        install_zoom()
        with (
            ui.dialog().props("maximized") as self.dialog,
            ui.card().classes("w-full h-full gap-2 p-2 sm:p-4 no-shadow photo-viewer"),
        ):
            self._toolbar()
            self.image = zoom_pane("", GROUP, _("Photo preview"), "w-full grow min-h-0 rounded")
            self.image.classes("photo-preview")
            self.caption = ui.label().classes("text-sm text-slate-600 break-words")
            ui.keyboard(on_key=self._key, ignore=["input", "select", "textarea"])
        self.dialog.on("hide", self.dialog.delete)
        self._show()

    def _toolbar(self) -> None:
        with ui.row().classes("w-full items-center no-wrap gap-1"):
            ui.button(icon="chevron_left", on_click=lambda: self._step(-1)).props(
                "flat round dense " + aria(_("Previous photo"))
            )
            self.position = ui.label().classes("text-sm text-slate-600")
            ui.button(icon="chevron_right", on_click=lambda: self._step(1)).props(
                "flat round dense " + aria(_("Next photo"))
            )
            zoom_buttons(GROUP, (_("Zoom in"), _("Zoom out"), _("Fit")))
            ui.space()
            self.original = ui.link(_("Original"), "").classes("text-sm original-link")
            self.original.props["download"] = ""
            if can(self.session.principal, Action.MANAGE_SERIES, self.series.cluster_id):
                ui.button(_("Move"), icon="drive_file_move", on_click=self._ask_move).props(
                    "flat dense no-caps"
                )
            ui.button(icon="close", on_click=self.dialog.close).props(
                "flat round dense " + aria(_("Close"))
            )

    def open(self) -> None:
        self.dialog.open()

    def _show(self) -> None:
        photo = self.shown[self.index]
        taxonomy = self.session.ports.taxonomy
        self.image.props["src"] = _url(photo, "preview")
        self.image.update()
        self.original.props["href"] = _url(photo, "original")
        self.original.update()
        self.position.set_text(f"{self.index + 1} / {len(self.shown)}")
        self.caption.set_text(
            " · ".join(
                (
                    phase_name(taxonomy, photo.phase),
                    view_name(taxonomy, photo.view_id),
                    format_moment(photo.captured_at or photo.received_at),
                )
            )
        )
        ui.run_javascript(f"window.suturaZoom && window.suturaZoom.reset('{GROUP}')")

    def _step(self, delta: int) -> None:
        self.index = (self.index + delta) % len(self.shown)
        self._show()

    def _key(self, event: events.KeyEventArguments) -> None:
        if not event.action.keydown:
            return
        if event.key.arrow_left:
            self._step(-1)
        elif event.key.arrow_right:
            self._step(1)
        elif event.key.escape:
            self.dialog.close()

    async def _ask_move(self) -> None:
        await self.session.run(self._open_move)

    async def _open_move(self, principal: Principal) -> None:
        ports = self.session.ports
        patient = await patients.get_patient(ports, principal, self.series.patient_id)
        others = [
            s
            for s in await patients.series_of_patient(ports, principal, patient)
            if s.id != self.series.id
        ]
        if not others:
            ui.notify(_("The patient has no other series to move the photo to."))
            return
        options = {str(s.id): body_site_text(ports.taxonomy, s) for s in others}
        photo = self.shown[self.index]
        with ui.dialog() as dialog, ui.card().classes("w-full max-w-md gap-3"):
            ui.label(_("Move the photo to another series")).classes("text-lg font-semibold")
            target = ui.select(options, label=_("Series")).props("outlined").classes("w-full")

            async def move(principal: Principal) -> None:
                if not target.value:
                    ui.notify(_("Choose a series."), type="warning")
                    return
                await photos.move_photo(ports, principal, photo.id, UUID(str(target.value)))
                dialog.close()
                self.dialog.close()
                ui.notify(_("Photo moved."), type="positive")
                ui.navigate.reload()

            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(_("Cancel"), on_click=dialog.close).props("flat no-caps")
                ui.button(_("Move"), on_click=self.session.guarded(move)).props(
                    "unelevated no-caps"
                )
        dialog.open()
