"""Consent of one series: what is active, its history, recording more, and withdrawing one
scope or all of them with when, who recorded it and how the patient asked."""

from collections.abc import Awaitable, Callable
from uuid import UUID

from nicegui import ui

from domain import consent
from domain.consent import ALL_SCOPES, ConsentForm, WithdrawalChannel
from domain.errors import InvalidInput
from domain.model import Consent, ConsentMethod, GivenBy, Principal, Scope, Series
from domain.policy import Action, can
from ui.i18n import _, error_text, format_day
from ui.labels import channel_labels, given_by_labels, method_labels, scope_label
from ui.session import PageSession

Changed = Callable[[Series], Awaitable[None]]


class ConsentPanel:
    """Draws into its own card; calls on_change with the updated series after a change."""

    def __init__(self, session: PageSession, series: Series, on_change: Changed) -> None:
        self.session = session
        self.series = series
        self.on_change = on_change
        self.card = ui.card().classes("w-full gap-3 consent-panel").props("flat bordered")

    def show(self, series: Series) -> None:
        self.series = series
        self.card.clear()
        may_manage = can(self.session.principal, Action.MANAGE_CONSENT, series.cluster_id)
        with self.card:
            with ui.row().classes("w-full items-center"):
                ui.label(_("Consent")).classes("text-lg font-semibold grow")
                if may_manage and len([c for c in series.consents if c.is_active]) > 1:
                    ui.button(
                        _("Withdraw all"), on_click=lambda: self._ask_withdrawal(ALL_SCOPES)
                    ).props("flat dense no-caps color=negative")
            if series.is_acute:
                ui.label(
                    _("Acute patient: photos may be taken now; consent is recorded on merging.")
                ).classes("text-sm text-amber-800")
            self._active_list(may_manage)
            self._history()
            if may_manage and not series.is_acute:
                self._record_form()

    def _active_list(self, may_manage: bool) -> None:
        active = [c for c in self.series.consents if c.is_active]
        if not active and not self.series.is_acute:
            ui.label(_("No consent recorded.")).classes("text-slate-600")
        for item in active:
            with ui.row().classes("w-full items-center no-wrap gap-2 consent-active"):
                with ui.column().classes("gap-0 grow min-w-0"):
                    ui.label(scope_label(item.scope)).classes("font-medium")
                    ui.label(_given_text(item)).classes("text-xs text-slate-500")
                if may_manage:
                    ui.button(
                        _("Withdraw"), on_click=lambda s=item.scope.value: self._ask_withdrawal(s)
                    ).props("flat dense no-caps color=negative")

    def _history(self) -> None:
        withdrawn = [c for c in self.series.consents if not c.is_active]
        if not withdrawn:
            return
        with ui.expansion(_("Withdrawn (%(count)d)") % {"count": len(withdrawn)}).classes(
            "w-full text-sm"
        ):
            for item in withdrawn:
                channel = ""
                if item.withdrawal_channel:
                    channel = channel_labels()[WithdrawalChannel(item.withdrawal_channel)]
                ui.label(
                    _("%(scope)s: withdrawn %(date)s %(how)s")
                    % {
                        "scope": scope_label(item.scope),
                        "date": format_day(item.withdrawn_at.date() if item.withdrawn_at else None),
                        "how": channel.lower(),
                    }
                ).classes("text-xs text-slate-600")

    def _record_form(self) -> None:
        missing = [s for s in Scope if not self.series.has_consent(s)]
        if not missing:
            return
        ui.separator()
        ui.label(_("Record consent")).classes("font-medium")
        boxes = {scope: ui.checkbox(scope_label(scope)).props("dense") for scope in missing}
        given_by = choice(_("Given by"), given_by_labels(), GivenBy.PATIENT)
        method = choice(_("How"), method_labels(), ConsentMethod.VERBAL)

        async def record(principal: Principal) -> None:
            chosen = tuple(scope.value for scope, box in boxes.items() if box.value)
            form = ConsentForm(chosen, str(given_by.value), str(method.value))
            updated = await consent.record_consent(
                self.session.ports, principal, self.series.id, form
            )
            ui.notify(_("Consent recorded."), type="positive")
            await self.on_change(updated)

        ui.button(_("Record consent"), on_click=self.session.guarded(record)).props(
            "unelevated no-caps"
        )

    def _ask_withdrawal(self, scope: str) -> None:
        WithdrawalDialog(self.session, self.series.id, scope, self.on_change).open()


def _given_text(item: Consent) -> str:
    return ", ".join(
        (
            given_by_labels()[item.given_by],
            method_labels()[item.method].lower(),
            format_day(item.recorded_at.date()),
        )
    )


class WithdrawalDialog:
    def __init__(self, session: PageSession, series_id: UUID, scope: str, done: Changed) -> None:
        self.session = session
        self.series_id = series_id
        self.scope = scope
        self.done = done
        what = _("all consent") if scope == ALL_SCOPES else scope_label(Scope(scope))
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-md gap-3"):
            ui.label(_("Withdraw: %(what)s") % {"what": what}).classes("text-lg font-semibold")
            ui.label(_warning(scope)).classes("text-sm text-slate-600")
            channels = {k.value: v for k, v in channel_labels().items()}
            self.channel = ui.select(channels, label=_("How did the patient ask?"))
            self.channel.props("outlined").classes("w-full")
            self.reason = ui.textarea(_("Note: why, and anything the patient said"))
            self.reason.props("outlined autogrow").classes("w-full")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button(_("Cancel"), on_click=self.dialog.close).props("flat no-caps")
                ui.button(_("Withdraw"), on_click=session.guarded(self._withdraw)).props(
                    "unelevated no-caps color=negative"
                )

    def open(self) -> None:
        self.dialog.open()

    async def _withdraw(self, principal: Principal) -> None:
        self.reason.error = self.channel.error = None
        try:
            updated = await consent.withdraw_consent(
                self.session.ports,
                principal,
                self.series_id,
                self.scope,
                self.reason.value or "",
                self.channel.value or None,
            )
        except InvalidInput as error:
            target = self.channel if error.field == "channel" else self.reason
            target.error = error_text(error)
            return
        self.dialog.close()
        ui.notify(_("Consent withdrawn. It takes effect at once."))
        await self.done(updated)


def _warning(scope: str) -> str:
    if scope in (ALL_SCOPES, Scope.CLINICAL.value):
        return _(
            "No new photos can be added, and the series is hidden from everyone except the "
            "cluster admin. The photos stay encrypted for the retention period, then are "
            "destroyed."
        )
    return _("The photos stop being used for this purpose at once.")


def choice(
    label: str, labels: dict[GivenBy, str] | dict[ConsentMethod, str], default: str
) -> ui.select:
    options = {key.value: text for key, text in labels.items()}
    return ui.select(options, label=label, value=default).props("outlined dense").classes("w-full")
