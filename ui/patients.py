"""The patient list of the current cluster: search by name words or exact CPR, and new patients."""

from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import patients
from domain.errors import InvalidInput
from domain.model import Patient, Principal
from domain.patients import PatientForm
from ui.frame import frame, notice
from ui.session import PageSession, open_session, to_login


def register() -> None:
    ui.page("/", title="Patients · Sutura")(patients_page)


async def patients_page(request: Request, cluster: str | None = None) -> RedirectResponse | None:
    session = await open_session(request)
    if session is None:
        return to_login()
    cluster_id = _chosen_cluster(session.principal, cluster)
    with await frame(session, cluster_id):
        if cluster_id is None:
            notice("You are not a member of any cluster yet. A system administrator adds members.")
            return None
        await PatientList(session, cluster_id).build()
    return None


def _chosen_cluster(principal: Principal, requested: str | None) -> UUID | None:
    """The cluster from the query when the user is a member of it, else their first."""
    try:
        wanted = UUID(requested) if requested else None
    except ValueError:
        wanted = None
    if wanted is not None and wanted in principal.memberships:
        return wanted
    return next(iter(principal.memberships), None)


class PatientList:
    def __init__(self, session: PageSession, cluster_id: UUID) -> None:
        self.session = session
        self.cluster_id = cluster_id
        self.query = ""
        self.results: ui.column

    async def build(self) -> None:
        with ui.row().classes("w-full items-center gap-3 no-wrap"):
            ui.label("Patients").classes("text-xl font-semibold")
            ui.space()
            ui.button("New patient", icon="person_add", on_click=self._open_new_patient).props(
                "unelevated no-caps"
            )
        search = ui.input(placeholder="Search by name or CPR number").props(
            "outlined dense clearable debounce=300 aria-label=Search"
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
            if not found:
                ui.label("No patients found.").classes("text-slate-500 py-4")
            elif not self.query.strip():
                ui.label("Most recent patients").classes("text-sm text-slate-500")
            for patient in found:
                _patient_row(patient)

    async def _open_new_patient(self) -> None:
        NewPatientDialog(self.session, self.cluster_id).open()


def _patient_row(patient: Patient) -> None:
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


def describe_patient(patient: Patient) -> list[str]:
    """Masked CPR, birth date and sex as short texts."""
    parts = [patient.cpr.masked if patient.cpr else "No CPR number"]
    if patient.birth_date:
        parts.append(f"Born {patient.birth_date:%d.%m.%Y}")
    if patient.sex:
        parts.append(patient.sex.value.capitalize())
    return parts


class NewPatientDialog:
    def __init__(self, session: PageSession, cluster_id: UUID) -> None:
        self.session = session
        self.cluster_id = cluster_id
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-md gap-3"):
            ui.label("New patient").classes("text-lg font-semibold")
            self.name = ui.input("Name").props("outlined autofocus").classes("w-full")
            self.cpr = ui.input("CPR number", placeholder="DDMMYY-SSSS").props(
                "outlined inputmode=numeric"
            )
            self.cpr.classes("w-full")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                ui.button("Create", on_click=self.session.guarded(self._create)).props(
                    "unelevated no-caps"
                )

    def open(self) -> None:
        self.dialog.open()

    async def _create(self, principal: Principal) -> None:
        self.name.error = self.cpr.error = None
        form = PatientForm(self.cluster_id, self.name.value or "", self.cpr.value or "")
        try:
            patient = await patients.create_patient(self.session.ports, principal, form)
        except InvalidInput as error:
            fields = {"cpr": self.cpr, "name": self.name}
            if error.field not in fields:
                raise
            fields[error.field].error = error.message
            return
        self.dialog.close()
        ui.navigate.to(f"/patients/{patient.id}")
