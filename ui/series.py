"""One series: who and where, its consent, its photos by phase, and adding photos."""

from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import patients
from domain.errors import DomainError
from domain.model import Patient, Scope, Series
from domain.policy import Action, can
from ui.consent_panel import ConsentPanel
from ui.frame import frame, notice
from ui.labels import body_site_text, diagnosis_texts, procedure_texts
from ui.photo_panel import PhotoPanel
from ui.session import PageSession, open_session, to_login
from ui.upload_panel import UploadPanel

NO_CONSENT = (
    "This series has no consent for clinical documentation. Record it before adding photos."
)


def register() -> None:
    ui.page("/series/{series_id}", title="Series · Sutura")(series_page)


async def series_page(request: Request, series_id: str) -> RedirectResponse | None:
    session = await open_session(request)
    if session is None:
        return to_login()
    try:
        series = await patients.get_series(session.ports, session.principal, UUID(series_id))
        patient = await patients.get_patient(session.ports, session.principal, series.patient_id)
    except (DomainError, ValueError):
        with await frame(session):
            notice("No such series.")
        return None
    with await frame(session, series.cluster_id):
        await SeriesView(session, patient, series).build()
    return None


class SeriesView:
    def __init__(self, session: PageSession, patient: Patient, series: Series) -> None:
        self.session = session
        self.patient = patient
        self.series = series
        self.photo_card: ui.card
        self.consent: ConsentPanel

    async def build(self) -> None:
        self._header()
        with ui.element("div").classes("w-full grid grid-cols-1 md:grid-cols-3 gap-4 items-start"):
            self.photo_card = ui.card().classes("w-full md:col-span-2 gap-3 min-w-0")
            self.photo_card.props("flat bordered")
            with ui.column().classes("w-full min-w-0"):
                self.consent = ConsentPanel(self.session, self.series, self._consent_changed)
        self.consent.show(self.series)
        await self._draw_photos()

    def _header(self) -> None:
        taxonomy = self.session.ports.taxonomy
        with ui.card().classes("w-full gap-1").props("flat bordered"):
            with ui.row().classes("w-full items-baseline gap-x-4 gap-y-0"):
                ui.link(self.patient.name, f"/patients/{self.patient.id}").classes(
                    "text-lg font-semibold break-words text-primary no-underline hover:underline"
                )
                cpr = self.patient.cpr.masked if self.patient.cpr else "No CPR number"
                ui.label(cpr).classes("text-slate-600")
            ui.label(body_site_text(taxonomy, self.series)).classes("text-xl font-semibold")
            if self.series.title:
                ui.label(self.series.title).classes("text-slate-700 break-words")
            for text in diagnosis_texts(taxonomy, self.series):
                ui.label(text).classes("text-sm text-slate-600 break-words")
            for text in procedure_texts(taxonomy, self.series):
                ui.label(text).classes("text-sm text-slate-500 break-words")

    async def _draw_photos(self) -> None:
        principal = self.session.principal
        self.photo_card.clear()
        with self.photo_card:
            ui.label("Photos").classes("text-lg font-semibold")
            if not can(principal, Action.VIEW_PHOTOS, self.series.cluster_id):
                notice("Your role does not show photos.")
                return
            if not self.series.has_consent(Scope.CLINICAL):
                notice(NO_CONSENT)
                return
            gallery = PhotoPanel(self.session, self.series)
            if can(principal, Action.UPLOAD_PHOTOS, self.series.cluster_id):
                ui.separator()
                UploadPanel(self.session, self.series, gallery.refresh)
        await gallery.refresh()

    async def _consent_changed(self, series: Series) -> None:
        self.series = series
        self.consent.show(series)
        await self._draw_photos()
