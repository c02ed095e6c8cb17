"""The dialog that opens or edits a series: body site, side, diagnoses, procedures and a title."""

from uuid import UUID

from nicegui import ui

from domain import patients
from domain.errors import InvalidInput
from domain.model import Principal, Series
from domain.patients import SeriesForm
from domain.taxonomy import Language, Taxonomy
from ui.i18n import _, current_language, error_text
from ui.labels import side_label
from ui.session import PageSession

PAIRED_SIDES = ("left", "right", "bilateral")


def body_site_options(taxonomy: Taxonomy) -> dict[str, str]:
    """Sites in body order, named in the page's language with the other in brackets."""
    sites = sorted(taxonomy.body_sites.values(), key=lambda s: s.sort_order)
    other: Language = "en" if current_language() == "da" else "da"
    return {s.id: f"{s.name(current_language())} ({s.name(other)})" for s in sites}


def diagnosis_options(taxonomy: Taxonomy) -> dict[str, str]:
    language = current_language()
    return {d.code: f"{d.code} {d.title(language)}" for d in taxonomy.diagnoses.values()}


def procedure_options(taxonomy: Taxonomy) -> dict[str, str]:
    language = current_language()
    return {p.code: f"{p.code} {p.title(language)}" for p in taxonomy.procedures.values()}


class SeriesDialog:
    """New series for a patient, or (given a series) editing that series."""

    def __init__(
        self, session: PageSession, patient_id: UUID, series: Series | None = None
    ) -> None:
        self.session = session
        self.patient_id = patient_id
        self.series = series
        taxonomy = session.ports.taxonomy
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-lg gap-3"):
            title = _("Edit series") if series else _("New series")
            ui.label(title).classes("text-lg font-semibold")
            self.site = _select(_("Body site"), body_site_options(taxonomy), multiple=False)
            sides = {s: side_label(s) for s in PAIRED_SIDES}
            self.side = _select(_("Side"), sides, multiple=False)
            self.side.bind_visibility_from(self.site, "value", backward=self._has_sides)
            self.diagnoses = _select(_("Diagnoses"), diagnosis_options(taxonomy), multiple=True)
            self.procedures = _select(_("Procedures"), procedure_options(taxonomy), multiple=True)
            self.title = ui.input(_("Title (optional)")).props("outlined").classes("w-full")
            if series is not None:
                self._fill(series)
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(_("Cancel"), on_click=self.dialog.close).props("flat no-caps")
                ui.button(
                    _("Save") if series else _("Create"),
                    on_click=self.session.guarded(self._submit),
                ).props("unelevated no-caps")

    def open(self) -> None:
        self.dialog.open()

    def _fill(self, series: Series) -> None:
        self.site.value = series.body_site_id
        self.side.value = series.side if series.side in PAIRED_SIDES else None
        self.diagnoses.value = list(series.diagnosis_codes)
        self.procedures.value = list(series.procedure_codes)
        self.title.value = series.title or ""

    def _has_sides(self, site_id: str | None) -> bool:
        site = self.session.ports.taxonomy.body_sites.get(site_id or "")
        return site is not None and site.has_sides

    async def _submit(self, principal: Principal) -> None:
        fields = {
            "body_site": self.site,
            "side": self.side,
            "diagnoses": self.diagnoses,
            "procedures": self.procedures,
            "title": self.title,
        }
        for element in fields.values():
            element.error = None
        ports = self.session.ports
        try:
            if self.series is None:
                saved = await patients.create_series(
                    ports, principal, self.patient_id, self._form()
                )
            else:
                saved = await patients.update_series(ports, principal, self.series.id, self._form())
        except InvalidInput as error:
            if error.field not in fields:
                raise
            fields[error.field].error = error_text(error)
            return
        self.dialog.close()
        ui.navigate.to(f"/series/{saved.id}")

    def _form(self) -> SeriesForm:
        return SeriesForm(
            body_site_id=self.site.value or "",
            side=self.side.value if self._has_sides(self.site.value) else None,
            diagnosis_codes=tuple(self.diagnoses.value or ()),
            procedure_codes=tuple(self.procedures.value or ()),
            title=self.title.value or None,
        )


def _select(label: str, options: dict[str, str], *, multiple: bool) -> ui.select:
    select = ui.select(options, label=label, multiple=multiple, with_input=True, clearable=True)
    props = "outlined options-dense"
    if multiple:
        props += " use-chips"
    return select.props(props).classes("w-full")
