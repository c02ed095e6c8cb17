"""External upload in the portal: invite a colleague outside Sutura, and file what they send.

Unfiled uploads are shown here only: thumbnails come from the inbox's own image route, and
nothing from outside appears in a series, a search or a count before a clinician files it.
"""

from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import external, patients
from domain.consent import ConsentForm
from domain.errors import DomainError, InvalidInput
from domain.external import FilingForm, InboxItem, InviteForm, InviteView
from domain.model import (
    ConsentMethod,
    GivenBy,
    InviteState,
    Patient,
    PhotoStatus,
    Principal,
    Scope,
    Series,
)
from domain.policy import has_photo_consent
from ui.consent_panel import choice
from ui.frame import cluster_page, empty_state
from ui.i18n import _, current_language, error_text, format_day, format_moment, ngettext
from ui.labels import body_site_text, describe_patient, given_by_labels, method_labels
from ui.session import PageSession
from ui.upload_panel import views_for_site

PATH = "/external"
FINDER_LIMIT = 8


def register() -> None:
    ui.page(PATH, title="External upload · Sutura")(external_page)


def state_labels() -> dict[InviteState, str]:
    return {
        InviteState.SENT: _("Sent"),
        InviteState.OPENED: _("Opened"),
        InviteState.RECEIVING: _("Files received"),
        InviteState.FULL: _("File limit reached"),
        InviteState.EXPIRED: _("Expired"),
        InviteState.REVOKED: _("Ended"),
    }


async def external_page(request: Request, cluster: str | None = None) -> RedirectResponse | None:
    async def build(session: PageSession, cluster_id: UUID) -> None:
        await ExternalUploads(session, cluster_id).build()

    only = _("External uploads are handled by the cluster's clinicians.")
    return await cluster_page(request, cluster, build, clinical_only=only)


class ExternalUploads:
    def __init__(self, session: PageSession, cluster_id: UUID) -> None:
        self.session = session
        self.cluster_id = cluster_id
        self.inbox: ui.column
        self.links: ui.column

    async def build(self) -> None:
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(_("External upload")).classes("text-xl font-semibold grow")
            ui.button(
                _("Refresh"), icon="refresh", on_click=self.session.guarded(self._show)
            ).props("flat no-caps").classes("refresh-inbox")
            ui.button(
                _("Invite external"), icon="forward_to_inbox", on_click=self._open_invite
            ).props("unelevated no-caps").classes("invite-external")
        ui.label(
            _(
                "A colleague outside Sutura gets a one-time link by email and sends photos "
                "through it. They wait here until you file them into a series or discard them."
            )
        ).classes("text-slate-600 text-sm")
        ui.label(_("Received, not yet filed")).classes("text-lg font-semibold pt-2")
        self.inbox = ui.column().classes("w-full gap-2")
        ui.label(_("Links sent")).classes("text-lg font-semibold pt-2")
        self.links = ui.column().classes("w-full gap-2")
        await self.session.run(self._show)

    async def _show(self, principal: Principal) -> None:
        ports = self.session.ports
        items = await external.inbox(ports, principal, self.cluster_id)
        sent = await external.invites(ports, principal, self.cluster_id)
        self.inbox.clear()
        with self.inbox:
            if not items:
                empty_state(_("Nothing waiting."), _("Photos sent through a link appear here."))
            with ui.element("div").classes("w-full grid grid-cols-1 md:grid-cols-2 gap-3"):
                for item in items:
                    self._inbox_card(item)
        self.links.clear()
        with self.links:
            if not sent:
                empty_state(_("No links sent yet."))
            for view in sent:
                self._link_row(principal, view)

    def _inbox_card(self, item: InboxItem) -> None:
        photo = item.photo
        with (
            ui.card().classes("w-full p-3 inbox-item").props("flat bordered"),
            ui.row().classes("w-full no-wrap gap-3 items-start"),
        ):
            if photo.status == PhotoStatus.READY:
                ui.image(f"/api/v1/external-uploads/{photo.id}/thumbnail").classes(
                    "w-28 h-28 rounded bg-slate-100 shrink-0"
                ).props("fit=contain")
            else:
                icon = "block" if photo.status == PhotoStatus.REJECTED else "hourglass_top"
                with ui.element("div").classes(
                    "w-28 h-28 rounded bg-slate-100 shrink-0 flex items-center justify-center"
                ):
                    ui.icon(icon, size="lg").classes("text-slate-400")
            with ui.column().classes("grow min-w-0 gap-1"):
                ui.label(item.sender).classes("font-medium break-all")
                ui.label(_("Received %(when)s") % {"when": format_moment(photo.received_at)})
                if item.label:
                    ui.label(_("For: %(label)s") % {"label": item.label}).classes("text-sm")
                if item.message:
                    ui.label(item.message).classes("text-sm text-slate-600 italic break-words")
                ui.label(
                    _("Invited by %(name)s · deleted unfiled on %(day)s")
                    % {"name": item.invited_by, "day": format_day(item.deleted_on.date())}
                ).classes("text-xs text-slate-500")
                if photo.status == PhotoStatus.REJECTED:
                    ui.label(
                        _("Refused: %(reason)s") % {"reason": _refusal(photo.reject_reason)}
                    ).classes("text-sm text-red-700")
                elif photo.status != PhotoStatus.READY:
                    ui.label(_("Being processed…")).classes("text-sm text-slate-500")
                with ui.row().classes("gap-2 pt-1"):
                    if photo.status == PhotoStatus.READY:
                        ui.button(
                            _("File into a series"),
                            on_click=lambda i=item: FilingDialog(self, i).open(),
                        ).props("unelevated dense no-caps").classes("file-upload")
                    if photo.status in (PhotoStatus.READY, PhotoStatus.REJECTED):
                        ui.button(
                            _("Discard"), on_click=lambda i=item: self._confirm_discard(i)
                        ).props("outline dense no-caps color=negative").classes("discard-upload")

    def _link_row(self, principal: Principal, view: InviteView) -> None:
        invite = view.invite
        with (
            ui.card().classes("w-full py-2 px-4 link-row").props("flat bordered"),
            ui.row().classes("w-full items-center gap-x-4 gap-y-1"),
        ):
            ui.label(invite.email).classes("grow min-w-0 break-all font-medium")
            ui.badge(state_labels()[view.state]).classes("link-state")
            ui.label(
                ngettext(
                    "%(received)s of %(limit)s file",
                    "%(received)s of %(limit)s files",
                    invite.max_files,
                )
                % {"received": invite.files_received, "limit": invite.max_files}
            ).classes("text-sm text-slate-600")
            ui.label(
                _("by %(name)s, until %(day)s")
                % {"name": view.inviter, "day": format_moment(invite.expires_at)}
            ).classes("text-sm text-slate-500")
            if view.state not in (InviteState.EXPIRED, InviteState.REVOKED):

                async def end(principal: Principal, invite_id: UUID = invite.id) -> None:
                    await external.revoke(self.session.ports, principal, invite_id)
                    ui.notify(_("The link no longer works."), type="positive")
                    await self._show(principal)

                ui.button(_("End link"), on_click=self.session.guarded(end)).props(
                    "flat dense no-caps color=negative"
                ).classes("end-link")

    def _confirm_discard(self, item: InboxItem) -> None:
        with ui.dialog() as dialog, ui.card().classes("max-w-md"):
            ui.label(_("Discard this file?")).classes("text-lg font-semibold")
            ui.label(_("It is destroyed at once and cannot be recovered."))

            async def discard(principal: Principal) -> None:
                await external.discard(self.session.ports, principal, item.photo.id)
                dialog.close()
                ui.notify(_("Discarded."), type="positive")
                await self._show(principal)

            with ui.row().classes("w-full justify-end"):
                ui.button(_("Cancel"), on_click=dialog.close).props("flat no-caps")
                ui.button(_("Discard"), on_click=self.session.guarded(discard)).props(
                    "unelevated no-caps color=negative"
                ).classes("confirm-discard")
        dialog.open()

    def _open_invite(self) -> None:
        InviteDialog(self).open()


class PatientPicker:
    """Find a patient of the cluster by name or CPR, then pick one of their series."""

    def __init__(self, page: ExternalUploads, *, series_required: bool) -> None:
        self.page = page
        self.patient: Patient | None = None
        self.series_by_id: dict[str, Series] = {}
        self.query = ui.input(_("Patient (name or CPR number)")).props(
            "outlined dense clearable debounce=300"
        )
        self.query.classes("w-full patient-query")
        self.hits = ui.column().classes("w-full gap-1")
        self.chosen = ui.label().classes("text-sm font-medium")
        label = _("Series of the patient") if series_required else _("Series (optional)")
        self.series = ui.select({}, label=label).props("outlined dense").classes("w-full")
        self.series.classes("series-choice")
        self.query.on_value_change(lambda e: page.session.run(lambda p: self._find(p, e.value)))

    async def _find(self, principal: Principal, query: str | None) -> None:
        self.hits.clear()
        if not (query or "").strip():
            return
        try:
            found = await patients.find_patients(
                self.page.session.ports, principal, self.page.cluster_id, query or "", FINDER_LIMIT
            )
        except DomainError as error:
            with self.hits:
                ui.label(error_text(error)).classes("text-sm text-slate-500")
            return
        with self.hits:
            if not found:
                ui.label(_("No patients found.")).classes("text-sm text-slate-500")
            for patient in found:
                text = " · ".join([patient.name, *describe_patient(patient)])
                ui.button(
                    text,
                    on_click=lambda p=patient: self.page.session.run(lambda pr: self._pick(pr, p)),
                ).props("flat dense no-caps align=left").classes("w-full patient-hit")

    async def _pick(self, principal: Principal, patient: Patient) -> None:
        self.patient = patient
        self.hits.clear()
        self.chosen.text = " · ".join([patient.name, *describe_patient(patient)])
        found = await patients.series_of_patient(self.page.session.ports, principal, patient)
        taxonomy = self.page.session.ports.taxonomy
        self.series_by_id = {str(s.id): s for s in found}
        self.series.options = {
            str(s.id): f"{body_site_text(taxonomy, s)}{f' · {s.title}' if s.title else ''}"
            for s in found
        }
        self.series.value = next(iter(self.series.options), None)
        self.series.update()

    async def preselect(
        self, principal: Principal, patient_id: UUID | None, series_id: UUID | None
    ) -> None:
        """Start from the patient and series the link was sent for, when it named them."""
        if patient_id is None or self.patient is not None:
            return
        try:
            patient = await patients.get_patient(self.page.session.ports, principal, patient_id)
        except DomainError:  # merged, or no longer visible: the clinician finds the patient
            return
        await self._pick(principal, patient)
        if series_id is not None and str(series_id) in self.series_by_id:
            self.series.value = str(series_id)


class InviteDialog:
    def __init__(self, page: ExternalUploads) -> None:
        self.page = page
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-lg gap-2"):
            ui.label(_("Invite external")).classes("text-lg font-semibold")
            self.email = ui.input(_("Colleague's work email")).props("outlined dense type=email")
            self.email.classes("w-full invite-email")
            ui.label(_("What the photos are for (optional)")).classes("text-sm pt-1")
            self.picker = PatientPicker(page, series_required=False)
            self.label = (
                ui.input(
                    _("Label shown to the sender (optional)"),
                    placeholder=_("e.g. Burn, left hand, referral 12/3"),
                )
                .props("outlined dense maxlength=120")
                .classes("w-full invite-label")
            )
            ui.label(
                _("The sender sees no patient name or CPR number unless you write it here.")
            ).classes("text-xs text-slate-500")
            self.message = ui.textarea(_("Message (optional)")).props(
                "outlined dense maxlength=1000 autogrow"
            )
            self.message.classes("w-full invite-message")
            with ui.row().classes("w-full justify-end"):
                ui.button(_("Cancel"), on_click=self.dialog.close).props("flat no-caps")
                ui.button(_("Send link"), on_click=page.session.guarded(self._send)).props(
                    "unelevated no-caps"
                ).classes("send-invite")

    def open(self) -> None:
        self.dialog.open()

    async def _send(self, principal: Principal) -> None:
        self.email.error = None
        picked = self.picker.patient
        series = self.picker.series.value
        form = InviteForm(
            self.email.value or "",
            picked.id if picked else None,
            UUID(series) if series else None,
            self.label.value or "",
            self.message.value or "",
        )
        try:
            await external.create_invite(
                self.page.session.ports, principal, self.page.cluster_id, form
            )
        except InvalidInput as error:
            self.email.error = error_text(error)
            return
        self.dialog.close()
        ui.notify(_("The link is on its way."), type="positive")
        await self.page._show(principal)


class FilingDialog:
    def __init__(self, page: ExternalUploads, item: InboxItem) -> None:
        self.page = page
        self.item = item
        taxonomy = page.session.ports.taxonomy
        language = current_language()
        phases = sorted(taxonomy.phases.values(), key=lambda p: p.sort_order)
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-lg gap-2"):
            ui.label(_("File into a series")).classes("text-lg font-semibold")
            ui.image(f"/api/v1/external-uploads/{item.photo.id}/preview").classes(
                "w-full max-h-64 rounded bg-slate-100"
            ).props("fit=contain")
            self.picker = PatientPicker(page, series_required=True)
            self.phase = (
                ui.select(
                    {p.id: p.name(language) for p in phases}, label=_("Phase"), value=phases[0].id
                )
                .props("outlined dense")
                .classes("w-full filing-phase")
            )
            self.view = ui.select({}, label=_("View")).props("outlined dense").classes("w-full")
            self.view.classes("filing-view")
            self.consent = ui.column().classes("w-full gap-1")
            self.picker.series.on_value_change(lambda _e: self._series_changed())
            with ui.row().classes("w-full justify-end"):
                ui.button(_("Cancel"), on_click=self.dialog.close).props("flat no-caps")
                ui.button(_("File"), on_click=page.session.guarded(self._file)).props(
                    "unelevated no-caps"
                ).classes("confirm-file")
        self.given_by: ui.select | None = None
        self.method: ui.select | None = None
        self.confirmed: ui.checkbox | None = None

    async def open(self) -> None:
        self.dialog.open()
        item = self.item
        await self.page.session.run(
            lambda p: self.picker.preselect(p, item.patient_id, item.series_id)
        )

    def _series_changed(self) -> None:
        series = self.picker.series_by_id.get(self.picker.series.value or "")
        taxonomy = self.page.session.ports.taxonomy
        language = current_language()
        self.consent.clear()
        self.given_by = self.method = None
        self.confirmed = None
        if series is None:
            self.view.options = {}
            self.view.update()
            return
        views = views_for_site(taxonomy, series.body_site_id)
        self.view.options = {v.id: v.name(language) for v in views}
        self.view.value = views[0].id if views else None
        self.view.update()
        if has_photo_consent(series):
            return
        with self.consent:
            ui.label(
                _("This series has no consent for clinical documentation; record it to file here.")
            ).classes("text-sm text-amber-800")
            self.given_by = choice(_("Given by"), given_by_labels(), GivenBy.PATIENT)
            self.method = choice(_("How"), method_labels(), ConsentMethod.VERBAL)
            self.confirmed = ui.checkbox(
                _("Consent to clinical documentation was given as stated above")
            ).classes("consent-given")

    async def _file(self, principal: Principal) -> None:
        series = self.picker.series.value
        if not series or not self.view.value:
            ui.notify(_("Choose a patient, a series and a view."), type="warning")
            return
        consent = None
        if self.given_by is not None and self.method is not None:
            if self.confirmed is None or not self.confirmed.value:
                ui.notify(_("Confirm that consent was given, or choose another series."))
                return
            consent = ConsentForm(
                (Scope.CLINICAL.value,), str(self.given_by.value), str(self.method.value)
            )
        form = FilingForm(UUID(series), str(self.phase.value), str(self.view.value), consent)
        await external.file_upload(self.page.session.ports, principal, self.item.photo.id, form)
        self.dialog.close()
        ui.notify(_("Filed into the series."), type="positive")
        await self.page._show(principal)


def _refusal(reason: str | None) -> str:
    return _(reason) if reason else _("not a photo Sutura accepts")
