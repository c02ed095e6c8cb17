"""One patient: demographics (CPR masked until revealed), editing, and the patient's series."""

from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import patients
from domain.errors import DomainError, InvalidInput
from domain.model import Patient, Principal, Series
from domain.overview import SeriesEntry
from domain.policy import Action, can
from ui.acute_dialogs import IdentifyDialog
from ui.frame import empty_state, frame, notice
from ui.i18n import _
from ui.labels import describe_patient
from ui.patients import PatientFields
from ui.series_cards import series_entry_card
from ui.series_dialog import SeriesDialog
from ui.session import PageSession, open_session, to_login


def register() -> None:
    ui.page("/patients/{patient_id}", title="Sutura")(patient_page)


async def patient_page(request: Request, patient_id: str) -> RedirectResponse | None:
    session = await open_session(request)
    if session is None:
        return to_login()
    try:
        patient = await patients.get_patient(session.ports, session.principal, UUID(patient_id))
    except (DomainError, ValueError):
        with await frame(session):
            notice(_("No such patient."))
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
        self._demographics()
        with ui.row().classes("w-full items-center no-wrap gap-3 pt-2"):
            ui.label(_("Series")).classes("text-lg font-semibold")
            ui.space()
            if can(self.session.principal, Action.MANAGE_SERIES, self.patient.cluster_id):
                ui.button(
                    _("New series"),
                    icon="add",
                    on_click=lambda: SeriesDialog(self.session, self.patient.id).open(),
                ).props("unelevated no-caps")
        self.series_list = ui.column().classes("w-full gap-2")
        await self.session.run(self._show_series)

    def _demographics(self) -> None:
        patient = self.patient
        principal = self.session.principal
        with ui.card().classes("w-full gap-1").props("flat bordered"):
            with ui.row().classes("w-full items-center gap-2"):
                ui.label(patient.name).classes("text-xl font-semibold break-words grow")
                if patient.is_acute and patient.merged_into is None:
                    ui.button(
                        _("Identify"),
                        icon="how_to_reg",
                        on_click=lambda: IdentifyDialog(self.session, patient).open(),
                    ).props("unelevated no-caps")
                elif can(principal, Action.EDIT_PATIENTS, patient.cluster_id):
                    ui.button(_("Edit"), icon="edit", on_click=self._edit).props("flat no-caps")
            with ui.row().classes("gap-x-6 gap-y-1 text-slate-600 items-center"):
                for text in describe_patient(patient):
                    ui.label(text).classes("patient-fact")
                if patient.cpr is not None:
                    self.revealed = ui.label().classes("font-mono cpr-revealed")
                    ui.button(
                        _("Show CPR"),
                        icon="visibility",
                        on_click=self.session.guarded(self._reveal),
                    ).props("flat dense no-caps")
            if patient.merged_into is not None:
                ui.link(_("Identified: open the patient"), f"/patients/{patient.merged_into}")

    async def _reveal(self, principal: Principal) -> None:
        cpr = await patients.reveal_cpr(self.session.ports, principal, self.patient.id)
        self.revealed.set_text(cpr)
        ui.timer(30, lambda: self.revealed.set_text(""), once=True)

    def _edit(self) -> None:
        EditPatientDialog(self.session, self.patient).open()

    async def _show_series(self, principal: Principal) -> None:
        ports = self.session.ports
        found = await patients.series_of_patient(ports, principal, self.patient)
        may_count = can(principal, Action.VIEW_PHOTOS, self.patient.cluster_id)
        counts = await ports.photos.photo_counts([s.id for s in found]) if may_count else {}
        self.series_list.clear()
        with self.series_list:
            if not found:
                empty_state(
                    _("No series yet."),
                    _("Open a series for each problem and body site with New series."),
                )
            for series in found:
                shown = counts.get(series.id, 0) if _photos_visible(series, may_count) else None
                entry = SeriesEntry(series, self.patient, shown)
                series_entry_card(ports.taxonomy, entry, show_patient=False)


def _photos_visible(series: Series, may_count: bool) -> bool:
    return may_count and not series.is_withdrawn


class EditPatientDialog:
    def __init__(self, session: PageSession, patient: Patient) -> None:
        self.session = session
        self.patient = patient
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-md gap-3"):
            ui.label(_("Edit patient")).classes("text-lg font-semibold")
            self.fields = PatientFields(patient)
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(_("Cancel"), on_click=self.dialog.close).props("flat no-caps")
                ui.button(_("Save"), on_click=session.guarded(self._save)).props(
                    "unelevated no-caps"
                )

    def open(self) -> None:
        self.dialog.open()

    async def _save(self, principal: Principal) -> None:
        try:
            form = self.fields.form(self.patient.cluster_id)
            await patients.update_patient(self.session.ports, principal, self.patient.id, form)
        except InvalidInput as error:
            if not self.fields.show_error(error):
                raise
            return
        self.dialog.close()
        ui.navigate.reload()
