"""Creating an acute patient, and identifying one: merge into a patient, a series, and consent."""

from uuid import UUID

from nicegui import ui

from domain import acute, patients
from domain.acute import Identification
from domain.consent import ConsentForm
from domain.errors import InvalidInput
from domain.model import ConsentMethod, GivenBy, Patient, Principal, Scope
from domain.patients import PatientForm
from ui.i18n import _, error_text
from ui.labels import body_site_text, given_by_labels, method_labels, scope_label
from ui.session import PageSession

KEEP_SERIES = "keep"


def new_acute_button(session: PageSession, cluster_id: UUID) -> None:
    ui.button(
        _("Acute patient"),
        icon="emergency",
        on_click=lambda: NewAcuteDialog(session, cluster_id).open(),
    ).props("outline no-caps color=negative")


class NewAcuteDialog:
    def __init__(self, session: PageSession, cluster_id: UUID) -> None:
        self.session = session
        self.cluster_id = cluster_id
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-md gap-3"):
            ui.label(_("Acute patient")).classes("text-lg font-semibold")
            ui.label(
                _(
                    "For an emergency when the patient cannot be identified yet. The patient "
                    "gets a temporary label with the time and place; identify and merge later."
                )
            ).classes("text-sm text-slate-600")
            self.ward = ui.input(_("Ward or place"), placeholder=_("e.g. trauma room 2"))
            self.ward.props("outlined autofocus").classes("w-full")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(_("Cancel"), on_click=self.dialog.close).props("flat no-caps")
                ui.button(_("Create"), on_click=session.guarded(self._create)).props(
                    "unelevated no-caps color=negative"
                )

    def open(self) -> None:
        self.dialog.open()

    async def _create(self, principal: Principal) -> None:
        try:
            patient = await acute.create_acute_patient(
                self.session.ports, principal, self.cluster_id, self.ward.value or "", _("Acute")
            )
        except InvalidInput as error:
            self.ward.error = error_text(error)
            return
        self.dialog.close()
        ui.navigate.to(f"/patients/{patient.id}")


class IdentifyDialog:
    """Find the patient by CPR (or enter a new one), pick the series, record consent."""

    def __init__(self, session: PageSession, acute_patient: Patient) -> None:
        self.session = session
        self.acute = acute_patient
        self.target: Patient | None = None
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-lg gap-3"):
            ui.label(_("Identify %(label)s") % {"label": acute_patient.name}).classes(
                "text-lg font-semibold break-words"
            )
            self._patient_section()
            self.series = ui.select(
                {KEEP_SERIES: _("Keep the acute series")}, label=_("Series"), value=KEEP_SERIES
            )
            self.series.props("outlined").classes("w-full")
            self._consent_section()
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(_("Cancel"), on_click=self.dialog.close).props("flat no-caps")
                ui.button(_("Merge"), on_click=session.guarded(self._merge)).props(
                    "unelevated no-caps"
                )

    def open(self) -> None:
        self.dialog.open()

    def _patient_section(self) -> None:
        ui.label(_("Who is it?")).classes("font-medium")
        with ui.row().classes("w-full gap-2 no-wrap items-start"):
            self.cpr = ui.input(_("CPR number"), placeholder=_("DDMMYY-SSSS"))
            self.cpr.props("outlined dense inputmode=numeric").classes("grow")
            ui.button(_("Find"), on_click=self.session.guarded(self._find)).props("outline no-caps")
        self.found = ui.label().classes("text-sm")
        self.name = ui.input(_("Name (for a new patient)")).props("outlined dense")
        self.name.classes("w-full")

    def _consent_section(self) -> None:
        ui.label(_("Consent")).classes("font-medium")
        self.scopes = {
            scope: ui.checkbox(scope_label(scope), value=scope == Scope.CLINICAL).props("dense")
            for scope in Scope
        }
        given = {k.value: v for k, v in given_by_labels().items()}
        methods = {k.value: v for k, v in method_labels().items()}
        self.given_by = ui.select(given, label=_("Given by"), value=GivenBy.PATIENT.value)
        self.given_by.props("outlined dense").classes("w-full")
        self.method = ui.select(methods, label=_("How"), value=ConsentMethod.VERBAL.value)
        self.method.props("outlined dense").classes("w-full")

    async def _find(self, principal: Principal) -> None:
        ports = self.session.ports
        cluster_id = self.acute.cluster_id
        self.target = await patients.existing_patient(
            ports, principal, cluster_id, self.cpr.value or ""
        )
        options = {KEEP_SERIES: _("Keep the acute series")}
        if self.target is None:
            self.found.set_text(_("No patient with this CPR number: a new one will be created."))
        else:
            self.found.set_text(_("Found: %(name)s") % {"name": self.target.name})
            for series in await patients.series_of_patient(ports, principal, self.target):
                options[str(series.id)] = _("Into: %(site)s") % {
                    "site": body_site_text(ports.taxonomy, series)
                }
        self.series.set_options(options, value=KEEP_SERIES)

    async def _merge(self, principal: Principal) -> None:
        chosen = self.series.value
        form = ConsentForm(
            tuple(scope.value for scope, box in self.scopes.items() if box.value),
            str(self.given_by.value),
            str(self.method.value),
        )
        identification = Identification(
            patient_id=self.target.id if self.target else None,
            new_patient=None
            if self.target
            else PatientForm(self.acute.cluster_id, self.name.value or "", self.cpr.value or ""),
            series_id=None if chosen in (None, KEEP_SERIES) else UUID(str(chosen)),
            consent=form,
        )
        series = await acute.identify(self.session.ports, principal, self.acute.id, identification)
        self.dialog.close()
        ui.notify(_("The acute patient was identified and merged."), type="positive")
        ui.navigate.to(f"/series/{series.id}")
