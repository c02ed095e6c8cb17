"""Consent of one series: what is active, recording more, and withdrawing with a reason."""

from collections.abc import Awaitable, Callable
from uuid import UUID

from nicegui import ui

from domain import consent
from domain.consent import ConsentForm
from domain.errors import InvalidInput
from domain.model import ConsentMethod, GivenBy, Principal, Scope, Series
from domain.policy import Action, can
from ui.labels import GIVEN_BY_LABELS, METHOD_LABELS, SCOPE_LABELS
from ui.session import PageSession

Changed = Callable[[Series], Awaitable[None]]


class ConsentPanel:
    """Draws into its own card; calls on_change with the updated series after a change."""

    def __init__(self, session: PageSession, series: Series, on_change: Changed) -> None:
        self.session = session
        self.series = series
        self.on_change = on_change
        self.card = ui.card().classes("w-full gap-3").props("flat bordered")

    def show(self, series: Series) -> None:
        self.series = series
        self.card.clear()
        with self.card:
            ui.label("Consent").classes("text-lg font-semibold")
            self._active_list()
            if can(self.session.principal, Action.MANAGE_CONSENT, series.cluster_id):
                self._record_form()

    def _active_list(self) -> None:
        active = [c for c in self.series.consents if c.is_active]
        if not active:
            ui.label("No consent recorded.").classes("text-slate-600")
        for item in active:
            with ui.row().classes("w-full items-center no-wrap gap-2"):
                with ui.column().classes("gap-0 grow min-w-0"):
                    ui.label(SCOPE_LABELS[item.scope]).classes("font-medium")
                    ui.label(
                        f"{GIVEN_BY_LABELS[item.given_by]}, {METHOD_LABELS[item.method].lower()}, "
                        f"{item.recorded_at:%d.%m.%Y}"
                    ).classes("text-xs text-slate-500")
                if can(self.session.principal, Action.MANAGE_CONSENT, self.series.cluster_id):
                    ui.button(
                        "Withdraw", on_click=lambda s=item.scope: self._ask_withdrawal(s)
                    ).props("flat dense no-caps color=negative")

    def _record_form(self) -> None:
        missing = [s for s in Scope if not self.series.has_consent(s)]
        if not missing:
            return
        ui.separator()
        ui.label("Record consent").classes("font-medium")
        boxes = {scope: ui.checkbox(SCOPE_LABELS[scope]).props("dense") for scope in missing}
        given_by = _choice("Given by", GIVEN_BY_LABELS, GivenBy.PATIENT)
        method = _choice("How", METHOD_LABELS, ConsentMethod.VERBAL)

        async def record(principal: Principal) -> None:
            chosen = tuple(scope.value for scope, box in boxes.items() if box.value)
            form = ConsentForm(chosen, str(given_by.value), str(method.value))
            updated = await consent.record_consent(
                self.session.ports, principal, self.series.id, form
            )
            ui.notify("Consent recorded.", type="positive")
            await self.on_change(updated)

        ui.button("Record consent", on_click=self.session.guarded(record)).props(
            "unelevated no-caps"
        )

    def _ask_withdrawal(self, scope: Scope) -> None:
        WithdrawalDialog(self.session, self.series.id, scope, self.on_change).open()


class WithdrawalDialog:
    def __init__(self, session: PageSession, series_id: UUID, scope: Scope, done: Changed) -> None:
        self.session = session
        self.series_id = series_id
        self.scope = scope
        self.done = done
        with ui.dialog() as self.dialog, ui.card().classes("w-full max-w-md gap-3"):
            ui.label(f"Withdraw consent: {SCOPE_LABELS[scope]}").classes("text-lg font-semibold")
            ui.label("Photos stop being visible for this purpose at once.").classes(
                "text-sm text-slate-600"
            )
            self.reason = ui.textarea("Why and how was it withdrawn?").props("outlined autogrow")
            self.reason.classes("w-full")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                ui.button("Withdraw", on_click=session.guarded(self._withdraw)).props(
                    "unelevated no-caps color=negative"
                )

    def open(self) -> None:
        self.dialog.open()

    async def _withdraw(self, principal: Principal) -> None:
        try:
            updated = await consent.withdraw_consent(
                self.session.ports,
                principal,
                self.series_id,
                self.scope.value,
                self.reason.value or "",
            )
        except InvalidInput as error:
            self.reason.error = error.message
            return
        self.dialog.close()
        ui.notify("Consent withdrawn.")
        await self.done(updated)


def _choice(
    label: str, labels: dict[GivenBy, str] | dict[ConsentMethod, str], default: str
) -> ui.select:
    options = {key.value: text for key, text in labels.items()}
    return ui.select(options, label=label, value=default).props("outlined dense").classes("w-full")
