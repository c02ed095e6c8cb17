"""The start page: shortcuts, patient finder, warnings, work in progress, recent and my series."""

from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import acute, external, overview, patients
from domain.errors import InvalidInput
from domain.model import Principal
from domain.policy import Action, can
from ui.acute_dialogs import new_acute_button
from ui.frame import cluster_page, empty_state
from ui.i18n import _, aria, error_text, format_count, ngettext
from ui.patients import new_patient_button, patient_row
from ui.series_cards import series_entry_card
from ui.session import PageSession

FINDER_LIMIT = 6
MY_SERIES_SHOWN = 5


def register() -> None:
    ui.page("/", title="Sutura")(dashboard_page)


async def dashboard_page(request: Request, cluster: str | None = None) -> RedirectResponse | None:
    async def build(session: PageSession, cluster_id: UUID) -> None:
        await Dashboard(session, cluster_id).build()

    return await cluster_page(request, cluster, build)


class Dashboard:
    def __init__(self, session: PageSession, cluster_id: UUID) -> None:
        self.session = session
        self.cluster_id = cluster_id
        self.may_see_photos = can(session.principal, Action.VIEW_PHOTOS, cluster_id)
        self.found: ui.column

    async def build(self) -> None:
        self._shortcuts()
        self._finder()
        await self.session.run(self._warnings)
        with ui.element("div").classes("w-full grid grid-cols-1 lg:grid-cols-2 gap-4 items-start"):
            with ui.column().classes("w-full min-w-0 gap-2"):
                ui.label(_("Recent series in the cluster")).classes("text-lg font-semibold")
                recent = ui.column().classes("w-full gap-2")
            with ui.column().classes("w-full min-w-0 gap-2"):
                with ui.row().classes("w-full items-baseline"):
                    ui.label(_("My series")).classes("text-lg font-semibold grow")
                    ui.link(_("All my series"), f"/my-series?cluster={self.cluster_id}")
                mine = ui.column().classes("w-full gap-2")
        await self.session.run(lambda p: self._recent(p, recent))
        await self.session.run(lambda p: self._mine(p, mine))

    def _shortcuts(self) -> None:
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(_("Overview")).classes("text-xl font-semibold grow")
            new_patient_button(self.session, self.cluster_id)
            if self.may_see_photos:
                new_acute_button(self.session, self.cluster_id)
                ui.button(
                    _("Search photos"),
                    icon="image_search",
                    on_click=lambda: ui.navigate.to(f"/search?cluster={self.cluster_id}"),
                ).props("outline no-caps")

    def _finder(self) -> None:
        finder = ui.input(placeholder=_("Find a patient by name or CPR number")).props(
            "outlined dense clearable debounce=300 " + aria(_("Find a patient"))
        )
        finder.classes("w-full").on_value_change(
            lambda e: self.session.run(lambda p: self._find(p, e.value or ""))
        )
        with finder.add_slot("prepend"):
            ui.icon("search")
        self.found = ui.column().classes("w-full gap-2")

    async def _find(self, principal: Principal, query: str) -> None:
        self.found.clear()
        if not query.strip():
            return
        with self.found:
            try:
                hits = await patients.find_patients(
                    self.session.ports, principal, self.cluster_id, query, FINDER_LIMIT
                )
            except InvalidInput as error:
                ui.label(error_text(error)).classes("text-sm text-slate-500")
                return
            if not hits:
                empty_state(_("No patients found."), _("Create the patient with New patient."))
            for patient in hits:
                patient_row(patient)

    async def _warnings(self, principal: Principal) -> None:
        ports = self.session.ports
        pending = await overview.pending_work(ports, principal, self.cluster_id)
        if pending.processing:
            text = ngettext(
                "%(count)s photo is still being processed.",
                "%(count)s photos are still being processed.",
                pending.processing,
            ) % {"count": format_count(pending.processing)}
            _banner("hourglass_top", text, "bg-sky-50 text-sky-900", "pending-photos")
        if not self.may_see_photos:
            return
        expiring = await external.expiring_count(ports, principal, self.cluster_id)
        if expiring:
            text = ngettext(
                "%(count)s external upload will be deleted within %(days)s days unless filed.",
                "%(count)s external uploads will be deleted within %(days)s days unless filed.",
                expiring,
            ) % {"count": expiring, "days": external.WARN_DAYS_BEFORE}
            _banner("auto_delete", text, "bg-amber-50 text-amber-900", "external-warning")
            ui.link(_("Open external uploads"), f"/external?cluster={self.cluster_id}")
        overdue = [e for e in await acute.acute_patients(ports, principal, self.cluster_id)]
        late = sum(1 for entry in overdue if entry.is_overdue)
        if late:
            text = ngettext(
                "%(count)s acute patient has not been identified for over %(days)s days.",
                "%(count)s acute patients have not been identified for over %(days)s days.",
                late,
            ) % {"count": late, "days": ports.limits.acute_warning_days}
            _banner("warning", text, "bg-amber-50 text-amber-900", "acute-warning")
            ui.link(_("Open the acute list"), f"/acute?cluster={self.cluster_id}")

    async def _recent(self, principal: Principal, into: ui.column) -> None:
        entries = await overview.recent_series(self.session.ports, principal, self.cluster_id)
        with into:
            if not entries:
                empty_state(
                    _("No series yet."), _("Create a patient, then open a series for a problem.")
                )
            for entry in entries:
                series_entry_card(self.session.ports.taxonomy, entry)

    async def _mine(self, principal: Principal, into: ui.column) -> None:
        entries = await overview.my_series(self.session.ports, principal, self.cluster_id)
        with into:
            if not entries:
                empty_state(
                    _("You have no series yet."),
                    _("Series you create or photograph in appear here."),
                )
            for entry in entries[:MY_SERIES_SHOWN]:
                series_entry_card(self.session.ports.taxonomy, entry)


def _banner(icon: str, text: str, colours: str, marker: str) -> None:
    with ui.row().classes(f"w-full items-center gap-2 rounded px-4 py-2 {colours} {marker}"):
        ui.icon(icon)
        ui.label(text)
