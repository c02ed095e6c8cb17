"""The patient list of the current cluster: search by name words or exact CPR, and new patients."""

from datetime import date
from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import patients
from domain.errors import InvalidInput
from domain.model import Patient, Principal
from domain.patients import PatientForm
from ui.frame import cluster_page, empty_state
from ui.i18n import _, aria, error_text
from ui.labels import describe_patient
from ui.session import PageSession


def register() -> None:
    ui.page("/patients", title="Sutura")(patients_page)


async def patients_page(request: Request, cluster: str | None = None) -> RedirectResponse | None:
    async def build(session: PageSession, cluster_id: UUID) -> None:
        await PatientList(session, cluster_id).build()

    return await cluster_page(request, cluster, build)


class PatientList:
    def __init__(self, session: PageSession, cluster_id: UUID) -> None:
        self.session = session
        self.cluster_id = cluster_id
        self.query = ""
        self.results: ui.column

    async def build(self) -> None:
        with ui.row().classes("w-full items-center gap-3 no-wrap"):
            ui.label(_("Patients")).classes("text-xl font-semibold")
            ui.space()
            new_patient_button(self.session, self.cluster_id)
        search = ui.input(placeholder=_("Search by name or CPR number")).props(
            "outlined dense clearable debounce=300 " + aria(_("Search"))
        )
        search.classes("w-full").on_value_change(lambda e: self._search(e.value or ""))
        with search.add_slot("prepend"):
            ui.icon("search")
        self.results = ui.column().classes("w-full gap-2")
        await self.session.run(self._show)

    async def _search(self, query: str) -> None:
        self.query = query
        await self.session.run(self._show)

    async def _show(self, principal: Principal) -> None:
        found = await patients.find_patients(
            self.session.ports, principal, self.cluster_id, self.query
        )
        self.results.clear()
        with self.results:
            if not found and self.query.strip():
                empty_state(
                    _("No patients found."),
                    _("Check the spelling or the CPR number, or create the patient."),
                )
            elif not found:
                empty_state(_("No patients yet."), _("Create the first one with New patient."))
            elif not self.query.strip():
                ui.label(_("Most recent patients")).classes("text-sm text-slate-500")
            for patient in found:
                patient_row(patient)


def new_patient_button(session: PageSession, cluster_id: UUID) -> None:
    ui.button(
        _("New patient"),
        icon="person_add",
        on_click=lambda: NewPatientDialog(session, cluster_id).open(),
    ).props("unelevated no-caps")


def patient_row(patient: Patient) -> None:
    with (
        ui.card()
        .classes("w-full cursor-pointer hover:bg-slate-100 py-3 px-4")
        .props("flat bordered")
        .on("click", lambda p=patient.id: ui.navigate.to(f"/patients/{p}")),
        ui.row().classes("w-full items-center gap-x-6 gap-y-1"),
    ):
        ui.label(patient.name).classes("font-medium break-words min-w-0 grow")
        for text in describe_patient(patient):
            ui.label(text).classes("text-slate-600 text-sm")


class PatientFields:
    """Name and CPR; without a CPR, date of birth and sex (which a CPR would give)."""

    def __init__(self, patient: Patient | None = None) -> None:
        self.name = ui.input(_("Name"), value=patient.name if patient else "")
        self.name.props("outlined autofocus").classes("w-full")
        cpr = patient.cpr.formatted if patient and patient.cpr else ""
        self.cpr = ui.input(_("CPR number"), placeholder=_("DDMMYY-SSSS"), value=cpr)
        self.cpr.props("outlined inputmode=numeric").classes("w-full")
        ui.label(_("Without a CPR number, enter date of birth and sex.")).classes(
            "text-xs text-slate-500"
        )
        with ui.row().classes("w-full gap-2 no-wrap"):
            born = patient.birth_date.isoformat() if patient and patient.birth_date else None
            self.birth_date = ui.input(_("Date of birth"), value=born or "").props(
                "outlined type=date stack-label"
            )
            self.birth_date.classes("grow")
            sexes = {"female": _("Female"), "male": _("Male")}
            self.sex = ui.select(
                sexes, label=_("Sex"), value=patient.sex.value if patient and patient.sex else None
            ).props("outlined clearable")
            self.sex.classes("grow min-w-[8rem]")
        for element in (self.birth_date, self.sex):
            element.bind_enabled_from(self.cpr, "value", backward=lambda v: not (v or "").strip())

    def form(self, cluster_id: UUID) -> PatientForm:
        return PatientForm(
            cluster_id,
            self.name.value or "",
            self.cpr.value or "",
            _parse_day(self.birth_date.value),
            self.sex.value or None,
        )

    def show_error(self, error: InvalidInput) -> bool:
        fields = {"cpr": self.cpr, "name": self.name, "birth_date": self.birth_date}
        for element in fields.values():
            element.error = None
        if error.field not in fields:
            return False
        fields[error.field].error = error_text(error)
        return True


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise InvalidInput("The date of birth is not plausible.", field="birth_date") from None


class NewPatientDialog:
    def __init__(self, session: PageSession, cluster_id: UUID) -> None:
        self.session = session
        self.cluster_id = cluster_id
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-md gap-3"):
            ui.label(_("New patient")).classes("text-lg font-semibold")
            self.fields = PatientFields()
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(_("Cancel"), on_click=self.dialog.close).props("flat no-caps")
                ui.button(_("Create"), on_click=self.session.guarded(self._create)).props(
                    "unelevated no-caps"
                )

    def open(self) -> None:
        self.dialog.open()

    async def _create(self, principal: Principal) -> None:
        ports = self.session.ports
        cpr = self.fields.cpr.value or ""
        existing = await patients.existing_patient(ports, principal, self.cluster_id, cpr)
        if existing is not None:
            ui.notify(_("This CPR number is already known: opening that patient."))
            self.dialog.close()
            ui.navigate.to(f"/patients/{existing.id}")
            return
        try:
            form = self.fields.form(self.cluster_id)
            patient = await patients.create_patient(ports, principal, form)
        except InvalidInput as error:
            if not self.fields.show_error(error):
                raise
            return
        self.dialog.close()
        ui.navigate.to(f"/patients/{patient.id}")
