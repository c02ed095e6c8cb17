"""The acute list: unidentified emergency patients of the cluster, for its clinicians only."""

from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import acute
from domain.acute import AcuteEntry
from domain.model import Principal
from ui.acute_dialogs import IdentifyDialog, new_acute_button
from ui.frame import cluster_page, empty_state
from ui.i18n import _, format_moment
from ui.session import PageSession


def register() -> None:
    ui.page("/acute", title="Sutura")(acute_page)


async def acute_page(request: Request, cluster: str | None = None) -> RedirectResponse | None:
    async def build(session: PageSession, cluster_id: UUID) -> None:
        await AcuteList(session, cluster_id).build()

    refusal = _("Acute patients are shown to the cluster's clinicians only.")
    return await cluster_page(request, cluster, build, clinical_only=refusal)


class AcuteList:
    def __init__(self, session: PageSession, cluster_id: UUID) -> None:
        self.session = session
        self.cluster_id = cluster_id
        self.listing: ui.column

    async def build(self) -> None:
        with ui.row().classes("w-full items-center gap-3"):
            ui.label(_("Acute patients")).classes("text-xl font-semibold grow")
            new_acute_button(self.session, self.cluster_id)
        ui.label(
            _(
                "Patients photographed in an emergency before they could be identified. Only "
                "the cluster's clinicians see them, and only here, until they are merged."
            )
        ).classes("text-sm text-slate-600")
        self.listing = ui.column().classes("w-full gap-2")
        await self.session.run(self._show)

    async def _show(self, principal: Principal) -> None:
        entries = await acute.acute_patients(self.session.ports, principal, self.cluster_id)
        self.listing.clear()
        with self.listing:
            if not entries:
                empty_state(
                    _("No unidentified acute patients."),
                    _("Use Acute patient in an emergency when the patient cannot be identified."),
                )
            for entry in entries:
                self._entry(entry)

    def _entry(self, entry: AcuteEntry) -> None:
        patient = entry.patient
        card = ui.card().classes("w-full py-3 px-4 acute-entry").props("flat bordered")
        with card, ui.row().classes("w-full items-center gap-x-4 gap-y-2"):
            with ui.column().classes("gap-0 grow min-w-0"):
                ui.link(patient.name, f"/patients/{patient.id}").classes("font-medium break-words")
                ui.label(
                    _("Created %(when)s") % {"when": format_moment(patient.created_at)}
                ).classes("text-xs text-slate-500")
            if entry.is_overdue:
                ui.badge(_("Not identified for too long"), color="amber-2").props(
                    "text-color=amber-10"
                )
            ui.button(
                _("Identify"),
                icon="how_to_reg",
                on_click=lambda p=patient: IdentifyDialog(self.session, p).open(),
            ).props("unelevated no-caps")
