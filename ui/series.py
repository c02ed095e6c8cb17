"""One series: who and where, its consent, its photos as a timeline, and adding photos.

A series whose clinical consent was withdrawn is shown only to the cluster admin, with why
and when its photos will be destroyed; everyone else finds no such series.
"""

from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import patients, retention
from domain.consent import WithdrawalChannel
from domain.errors import DomainError
from domain.model import Patient, Scope, Series
from domain.policy import Action, can, has_photo_consent, may_see_series
from ui.consent_panel import ConsentPanel
from ui.frame import frame, notice
from ui.i18n import _, format_day, format_moment
from ui.labels import body_site_text, channel_labels, diagnosis_texts, procedure_texts
from ui.photo_panel import PhotoPanel
from ui.series_dialog import SeriesDialog
from ui.session import PageSession, open_session, to_login
from ui.upload_panel import UploadPanel


def register() -> None:
    ui.page("/series/{series_id}", title="Sutura")(series_page)


async def series_page(request: Request, series_id: str) -> RedirectResponse | None:
    session = await open_session(request)
    if session is None:
        return to_login()
    try:
        series = await patients.get_series(session.ports, session.principal, UUID(series_id))
        patient = await patients.get_patient(session.ports, session.principal, series.patient_id)
    except (DomainError, ValueError):
        with await frame(session):
            notice(_("No such series."))
        return None
    with await frame(session, series.cluster_id):
        await SeriesView(session, patient, series).build()
    return None


class SeriesView:
    def __init__(self, session: PageSession, patient: Patient, series: Series) -> None:
        self.session = session
        self.patient = patient
        self.series = series
        self.photo_card: ui.card

    async def build(self) -> None:
        self._header()
        if self.series.is_withdrawn:
            await self._withdrawn_notice()
        with ui.element("div").classes("w-full grid grid-cols-1 md:grid-cols-3 gap-4 items-start"):
            self.photo_card = ui.card().classes("w-full md:col-span-2 gap-3 min-w-0")
            self.photo_card.props("flat bordered")
            with ui.column().classes("w-full min-w-0"):
                self.consent = ConsentPanel(self.session, self.series, self._consent_changed)
        self.consent.show(self.series)
        await self._draw_photos()

    def _header(self) -> None:
        taxonomy = self.session.ports.taxonomy
        with ui.card().classes("w-full gap-1").props("flat bordered"):
            with ui.row().classes("w-full items-baseline gap-x-4 gap-y-0"):
                ui.link(self.patient.name, f"/patients/{self.patient.id}").classes(
                    "text-lg font-semibold break-words text-primary no-underline hover:underline"
                )
                cpr = self.patient.cpr.masked if self.patient.cpr else _("No CPR number")
                ui.label(cpr).classes("text-slate-600")
            with ui.row().classes("w-full items-center gap-2"):
                ui.label(body_site_text(taxonomy, self.series)).classes(
                    "text-xl font-semibold grow"
                )
                if can(self.session.principal, Action.MANAGE_SERIES, self.series.cluster_id):
                    ui.button(
                        _("Edit"),
                        icon="edit",
                        on_click=lambda: SeriesDialog(
                            self.session, self.patient.id, self.series
                        ).open(),
                    ).props("flat no-caps")
            if self.series.title:
                ui.label(self.series.title).classes("text-slate-700 break-words")
            for text in diagnosis_texts(taxonomy, self.series):
                ui.label(text).classes("text-sm text-slate-600 break-words")
            for text in procedure_texts(taxonomy, self.series):
                ui.label(text).classes("text-sm text-slate-500 break-words")

    async def _withdrawn_notice(self) -> None:
        withdrawal = self.series.clinical_withdrawal
        if withdrawal is None:
            return
        due = await retention.destruction_date(self.session.ports, self.series)
        names = await self.session.ports.accounts.display_names(
            [withdrawal.withdrawn_by] if withdrawal.withdrawn_by else []
        )
        channel = ""
        if withdrawal.withdrawal_channel:
            channel = channel_labels()[WithdrawalChannel(withdrawal.withdrawal_channel)]
        lines = [
            _("Consent for clinical documentation was withdrawn on %(when)s by %(who)s.")
            % {
                "when": format_moment(withdrawal.withdrawn_at),
                "who": names.get(withdrawal.withdrawn_by, "?") if withdrawal.withdrawn_by else "?",
            },
            _("How the patient asked: %(how)s. Reason: %(why)s")
            % {"how": channel or _("not recorded"), "why": withdrawal.withdrawal_reason or ""},
            _(
                "The series is hidden from everyone but cluster admins. Its photos stay "
                "encrypted until %(date)s and are then destroyed."
            )
            % {"date": format_day(due)},
        ]
        with ui.card().classes("w-full bg-red-50 shadow-none gap-1 withdrawn-notice"):
            for line in lines:
                ui.label(line).classes("text-red-900 text-sm")

    async def _draw_photos(self) -> None:
        principal = self.session.principal
        self.photo_card.clear()
        with self.photo_card:
            ui.label(_("Photos")).classes("text-lg font-semibold")
            if not can(principal, Action.VIEW_PHOTOS, self.series.cluster_id):
                notice(_("Your role does not show photos."))
                return
            if not has_photo_consent(self.series, Scope.CLINICAL):
                notice(
                    _(
                        "This series has no consent for clinical documentation. "
                        "Record it before adding photos."
                    )
                )
                return
            gallery = PhotoPanel(self.session, self.series)
            if can(principal, Action.UPLOAD_PHOTOS, self.series.cluster_id):
                ui.separator()
                UploadPanel(self.session, self.series, gallery.refresh)
        await gallery.refresh()

    async def _consent_changed(self, series: Series) -> None:
        if not may_see_series(self.session.principal, series):
            ui.navigate.to(f"/patients/{series.patient_id}")
            return
        self.series = series
        self.consent.show(series)
        await self._draw_photos()
