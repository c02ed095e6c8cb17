"""One patient: demographics and series, and opening a new series."""

from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import patients, photos
from domain.errors import DomainError
from domain.model import Patient, Principal, Scope, Series
from domain.policy import Action, can
from ui.frame import frame, notice
from ui.labels import active_scopes, body_site_text, diagnosis_texts, procedure_texts
from ui.patients import describe_patient
from ui.series_dialog import NewSeriesDialog
from ui.session import PageSession, open_session, to_login


def register() -> None:
    ui.page("/patients/{patient_id}", title="Patient · Sutura")(patient_page)


async def patient_page(request: Request, patient_id: str) -> RedirectResponse | None:
    session = await open_session(request)
    if session is None:
        return to_login()
    try:
        patient = await patients.get_patient(session.ports, session.principal, UUID(patient_id))
    except (DomainError, ValueError):
        with await frame(session):
            notice("No such patient.")
        return None
    with await frame(session, patient.cluster_id):
        await PatientView(session, patient).build()
    return None


class PatientView:
    def __init__(self, session: PageSession, patient: Patient) -> None:
        self.session = session
        self.patient = patient
        self.series_list: ui.column

    async def build(self) -> None:
        _demographics(self.patient)
        with ui.row().classes("w-full items-center no-wrap gap-3 pt-2"):
            ui.label("Series").classes("text-lg font-semibold")
            ui.space()
            if can(self.session.principal, Action.MANAGE_SERIES, self.patient.cluster_id):
                ui.button("New series", icon="add", on_click=self._open_new_series).props(
                    "unelevated no-caps"
                )
        self.series_list = ui.column().classes("w-full gap-2")
        await self.session.run(self._show_series)

    async def _show_series(self, principal: Principal) -> None:
        ports = self.session.ports
        found = await patients.series_of_patient(ports, principal, self.patient)
        may_see = can(principal, Action.VIEW_PHOTOS, self.patient.cluster_id)
        self.series_list.clear()
        with self.series_list:
            if not found:
                ui.label("No series yet.").classes("text-slate-500 py-2")
            for series in found:
                count = len(await photos.photos_of_series(ports, principal, series))
                self._series_card(series, _photo_count_text(series, count, may_see=may_see))

    def _series_card(self, series: Series, photo_count: str) -> None:
        taxonomy = self.session.ports.taxonomy
        with (
            ui.card()
            .classes("w-full cursor-pointer hover:bg-slate-100 gap-1 py-3 px-4")
            .props("flat bordered")
            .on("click", lambda s=series.id: ui.navigate.to(f"/series/{s}"))
        ):
            with ui.row().classes("w-full items-baseline gap-x-4 gap-y-0"):
                ui.label(body_site_text(taxonomy, series)).classes("font-medium grow")
                ui.label(photo_count).classes("text-sm text-slate-500")
            if series.title:
                ui.label(series.title).classes("text-slate-700 break-words")
            for text in diagnosis_texts(taxonomy, series) + procedure_texts(taxonomy, series):
                ui.label(text).classes("text-sm text-slate-600 break-words")
            _consent_chips(series)

    async def _open_new_series(self) -> None:
        NewSeriesDialog(self.session, self.patient.id).open()


def _demographics(patient: Patient) -> None:
    with ui.card().classes("w-full gap-1").props("flat bordered"):
        ui.label(patient.name).classes("text-xl font-semibold break-words")
        with ui.row().classes("gap-x-6 gap-y-1 text-slate-600"):
            for text in describe_patient(patient):
                ui.label(text)


def _consent_chips(series: Series) -> None:
    scopes = active_scopes(series)
    with ui.row().classes("gap-1 pt-1"):
        if not scopes:
            ui.badge("No consent recorded", color="orange-2", text_color="orange-10")
        for label in scopes:
            ui.badge(label, color="teal-1", text_color="teal-10")


def _photo_count_text(series: Series, count: int, *, may_see: bool) -> str:
    if not may_see:
        return "Photos not shown for your role"
    if not series.has_consent(Scope.CLINICAL):
        return "Photos hidden: no clinical consent"
    return "1 photo" if count == 1 else f"{count} photos"
