"""The filter form of the search page, and its saved searches."""

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from nicegui import ui
from nicegui.elements.mixins.value_element import ValueElement

from domain import search
from domain.errors import InvalidInput
from domain.model import Principal, Scope
from domain.search import SavedSearch, SearchFilters
from ui.i18n import _, current_language
from ui.labels import scope_label, sex_label, side_label
from ui.series_dialog import body_site_options
from ui.session import PageSession

Run = Callable[[Principal, SearchFilters], Awaitable[None]]


class FilterForm:
    def __init__(
        self, session: PageSession, cluster_id: UUID, members: dict[UUID, str], run: Run
    ) -> None:
        self.session = session
        self.cluster_id = cluster_id
        self.run = run
        self.saved: dict[str, SavedSearch] = {}
        taxonomy = session.ports.taxonomy
        language = current_language()
        self.diagnosis = _text(_("Diagnosis code or group"), "C43, DC437")
        self.diagnosis.set_autocomplete(
            sorted({c[1:4] for c in taxonomy.diagnoses} | set(taxonomy.diagnoses))
        )
        self.procedure = _text(_("Procedure code"), "KQAE, KQDB10")
        self.body_site = _pick(_("Body site (with its parts)"), body_site_options(taxonomy))
        self.side = _pick(
            _("Side"), {s: side_label(s) for s in ("left", "right", "bilateral", "midline")}
        )
        with ui.row().classes("w-full gap-2 no-wrap"):
            self.age_min = _number(_("Age from"))
            self.age_max = _number(_("to"))
        self.sex = _pick(_("Sex"), {s: sex_label(s) for s in ("female", "male")})
        phases = sorted(taxonomy.phases.values(), key=lambda p: p.sort_order)
        self.phase = _pick(_("Phase"), {p.id: p.name(language) for p in phases})
        views = sorted(taxonomy.views.values(), key=lambda v: v.sort_order)
        self.view = _pick(_("View"), {v.id: v.name(language) for v in views})
        self.date_from = _date(_("Taken from"))
        self.date_to = _date(_("Taken until"))
        self.captured_by = _pick(_("Taken by"), {str(k): v for k, v in members.items()})
        scopes = {s.value: scope_label(s) for s in Scope if s != Scope.CLINICAL}
        self.scope = _pick(_("Consent also for"), scopes)
        with ui.row().classes("w-full gap-2"):
            ui.button(_("Search"), icon="search", on_click=session.guarded(self._submit)).props(
                "unelevated no-caps"
            )
            ui.button(_("Clear"), on_click=self.clear).props("flat no-caps")
        ui.separator()
        self._saved_section()

    def _saved_section(self) -> None:
        ui.label(_("Saved searches")).classes("font-medium")
        self.saved_select = _pick(_("Open a saved search"), {})
        self.saved_select.on_value_change(lambda e: self._open_saved(e.value))
        with ui.row().classes("w-full gap-2 no-wrap items-center"):
            self.save_name = ui.input(_("Name")).props("outlined dense").classes("grow")
            self.shared = ui.checkbox(_("Share")).props("dense")
        ui.button(_("Save this search"), on_click=self.session.guarded(self._save)).props(
            "outline no-caps"
        )

    async def load_saved(self, principal: Principal) -> None:
        found = await search.saved_searches(self.session.ports, principal, self.cluster_id)
        self.saved = {str(s.id): s for s in found}
        shared = _("shared")
        options = {
            key: f"{s.name} · {shared}" if s.is_shared else s.name for key, s in self.saved.items()
        }
        self.saved_select.set_options(options)

    def _open_saved(self, value: str | None) -> None:
        if value and value in self.saved:
            ui.navigate.to(f"/search?cluster={self.cluster_id}&saved={value}")

    def fill(self, filters: SearchFilters) -> None:
        values = search.filters_to_mapping(filters)
        for name, element in self._elements().items():
            raw = values.get(name)
            element.value = int(raw) if raw and name.startswith("age") else raw

    def clear(self) -> None:
        for element in self._elements().values():
            element.value = None

    def current(self) -> SearchFilters:
        values = {name: element.value for name, element in self._elements().items()}
        return search.filters_from_mapping(
            {k: (str(int(v)) if isinstance(v, float) else v) for k, v in values.items()}
        )

    async def _submit(self, principal: Principal) -> None:
        filters = self.current()
        if filters.is_empty():
            raise InvalidInput("Choose at least one filter.")
        await self.run(principal, filters)

    async def _save(self, principal: Principal) -> None:
        saved = await search.save_search(
            self.session.ports,
            principal,
            self.cluster_id,
            self.save_name.value or "",
            self.current(),
            shared=bool(self.shared.value),
        )
        self.save_name.value = ""
        ui.notify(_("Search saved."), type="positive")
        await self.load_saved(principal)
        del saved

    def _elements(self) -> dict[str, ValueElement[Any]]:
        return {
            "diagnosis": self.diagnosis,
            "procedure": self.procedure,
            "body_site": self.body_site,
            "side": self.side,
            "age_min": self.age_min,
            "age_max": self.age_max,
            "sex": self.sex,
            "phase": self.phase,
            "view": self.view,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "captured_by": self.captured_by,
            "scope": self.scope,
        }


def _text(label: str, example: str) -> ui.input:
    return ui.input(label, placeholder=example).props("outlined dense clearable").classes("w-full")


def _pick(label: str, options: dict[str, str]) -> ui.select:
    select = ui.select(options, label=label, with_input=True, clearable=True)
    return select.props("outlined dense options-dense").classes("w-full")


def _number(label: str) -> ui.number:
    number = ui.number(label, min=0, max=130, precision=0).props("outlined dense")
    return number.classes("grow min-w-0 w-1/2")


def _date(label: str) -> ui.input:
    return ui.input(label).props("outlined dense type=date stack-label").classes("w-full")
