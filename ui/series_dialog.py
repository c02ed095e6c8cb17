"""The dialog that opens a new series: body site, side, diagnoses, procedures and a title."""

from uuid import UUID

from nicegui import ui

from domain import patients
from domain.errors import InvalidInput
from domain.model import Principal
from domain.patients import SeriesForm
from domain.taxonomy import Taxonomy
from ui.labels import SIDE_LABELS
from ui.session import PageSession

PAIRED_SIDES = ("left", "right", "bilateral")


def body_site_options(taxonomy: Taxonomy) -> dict[str, str]:
    sites = sorted(taxonomy.body_sites.values(), key=lambda s: s.sort_order)
    return {site.id: f"{site.name_da} ({site.name_en})" for site in sites}


def diagnosis_options(taxonomy: Taxonomy) -> dict[str, str]:
    return {d.code: f"{d.code} {d.title_da}" for d in taxonomy.diagnoses.values()}


def procedure_options(taxonomy: Taxonomy) -> dict[str, str]:
    return {p.code: f"{p.code} {p.title_da}" for p in taxonomy.procedures.values()}


class NewSeriesDialog:
    def __init__(self, session: PageSession, patient_id: UUID) -> None:
        self.session = session
        self.patient_id = patient_id
        taxonomy = session.ports.taxonomy
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-lg gap-3"):
            ui.label("New series").classes("text-lg font-semibold")
            self.site = _select("Body site", body_site_options(taxonomy), multiple=False)
            self.side = _select("Side", {s: SIDE_LABELS[s] for s in PAIRED_SIDES}, multiple=False)
            self.side.bind_visibility_from(self.site, "value", backward=self._has_sides)
            self.diagnoses = _select("Diagnoses", diagnosis_options(taxonomy), multiple=True)
            self.procedures = _select("Procedures", procedure_options(taxonomy), multiple=True)
            self.title = ui.input("Title (optional)").props("outlined").classes("w-full")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                ui.button("Create", on_click=self.session.guarded(self._create)).props(
                    "unelevated no-caps"
                )

    def open(self) -> None:
        self.dialog.open()

    def _has_sides(self, site_id: str | None) -> bool:
        site = self.session.ports.taxonomy.body_sites.get(site_id or "")
        return site is not None and site.has_sides

    async def _create(self, principal: Principal) -> None:
        fields = {
            "body_site": self.site,
            "side": self.side,
            "diagnoses": self.diagnoses,
            "procedures": self.procedures,
            "title": self.title,
        }
        for element in fields.values():
            element.error = None
        try:
            series = await patients.create_series(
                self.session.ports, principal, self.patient_id, self._form()
            )
        except InvalidInput as error:
            if error.field not in fields:
                raise
            fields[error.field].error = error.message
            return
        self.dialog.close()
        ui.navigate.to(f"/series/{series.id}")

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
