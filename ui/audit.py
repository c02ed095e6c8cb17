"""The audit log of a cluster for its administrators: filter, page back, export as CSV."""

from datetime import datetime, timedelta
from urllib.parse import urlencode
from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import audit
from domain.errors import InvalidInput
from domain.model import AuditEntry, AuditQuery, Principal
from domain.policy import may_administer
from domain.search import LOCAL_ZONE
from ui.frame import frame, notice
from ui.i18n import _, format_moment
from ui.members import chosen_cluster
from ui.session import PageSession, open_session, to_login

PAGE_SIZE = 50


def outcome_options() -> dict[str, str]:
    return {"": _("Any outcome"), "ok": _("ok"), "failed": _("failed"), "denied": _("denied")}


def register() -> None:
    ui.page("/audit", title="Audit · Sutura")(audit_page)


async def audit_page(request: Request, cluster: str | None = None) -> RedirectResponse | None:
    session = await open_session(request)
    if session is None:
        return to_login(request)
    cluster_id = chosen_cluster(cluster, session.principal)
    with await frame(session, cluster_id):
        ui.page_title(_("Audit") + " · Sutura")
        ui.label(_("Audit log")).classes("text-xl font-semibold")
        if cluster_id is None or not may_administer(session.principal, cluster_id):
            notice(_("Only the cluster's administrators see its audit log."))
            return None
        await AuditView(session, cluster_id).build()
    return None


class AuditView:
    def __init__(self, session: PageSession, cluster_id: UUID) -> None:
        self.session = session
        self.cluster_id = cluster_id
        self.rows: ui.column
        self.last_id: int | None = None

    async def build(self) -> None:
        with ui.row().classes("w-full items-start gap-2"):
            self.action = ui.input(
                _("Action starts with"), placeholder=_("e.g. photo. or auth.sign_in")
            )
            self.action.props("outlined dense clearable").classes("min-w-[14rem]")
            self.outcome = ui.select(outcome_options(), value="", label=_("Outcome"))
            self.outcome.props("outlined dense")
            self.outcome.classes("min-w-[10rem]")
            self.since = ui.input(_("From (YYYY-MM-DD)")).props("outlined dense clearable")
            self.until = ui.input(_("To (YYYY-MM-DD)")).props("outlined dense clearable")
            ui.button(_("Filter"), on_click=self.session.guarded(self._refresh)).props(
                "unelevated no-caps"
            )
            self.export = ui.button(_("Export CSV"), icon="download").props("outline no-caps")
            self.export.on_click(self.session.guarded(self._export))
        ui.label(
            _(
                "Times are local time; the CSV export gives them in UTC. Entries hold ids only, "
                "never patient data."
            )
        ).classes("text-sm text-slate-500")
        self.rows = ui.column().classes("w-full gap-1")
        self.more = ui.button(_("Older entries"), on_click=self.session.guarded(self._more))
        self.more.props("flat no-caps")
        await self.session.run(self._refresh)

    def _query(self, before_id: int | None = None) -> AuditQuery:
        return AuditQuery(
            cluster_id=self.cluster_id,
            action=(self.action.value or "").strip() or None,
            outcome=self.outcome.value or None,
            since=_day(self.since.value, "since"),
            until=_day(self.until.value, "until", next_day=True),
            before_id=before_id,
            limit=PAGE_SIZE,
        )

    async def _refresh(self, principal: Principal) -> None:
        self.rows.clear()
        self.last_id = None
        await self._more(principal)

    async def _more(self, principal: Principal) -> None:
        entries, emails = await audit.browse(
            self.session.ports, principal, self._query(self.last_id)
        )
        with self.rows:
            if not entries and self.last_id is None:
                ui.label(_("No entries.")).classes("text-slate-500")
            for entry in entries:
                _entry_row(entry, emails)
        if entries:
            self.last_id = entries[-1].id
        self.more.set_visibility(len(entries) == PAGE_SIZE)

    async def _export(self, principal: Principal) -> None:
        q = self._query()
        params = {"action": q.action, "outcome": q.outcome, "since": q.since, "until": q.until}
        given = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in params.items() if v}
        ui.navigate.to(f"/api/v1/clusters/{self.cluster_id}/audit.csv?{urlencode(given)}")


def _entry_row(entry: AuditEntry, emails: dict[UUID, str]) -> None:
    actor = emails.get(entry.actor_id, str(entry.actor_id)) if entry.actor_id else "—"
    colour = "text-slate-800" if entry.outcome == "ok" else "text-negative"
    with ui.row().classes("w-full gap-x-4 gap-y-0 border-b border-slate-200 py-1 text-sm"):
        ui.label(format_moment(entry.at)).classes("font-mono text-slate-600")
        ui.label(entry.action).classes("font-mono min-w-[12rem]")
        ui.label(outcome_options().get(entry.outcome, entry.outcome)).classes(colour)
        ui.label(actor).classes("break-all text-slate-700")
        if entry.object_id:
            ui.label(f"{entry.object_type or ''} {entry.object_id}").classes(
                "font-mono text-xs text-slate-500 break-all"
            )


def _day(value: str | None, field: str, *, next_day: bool = False) -> datetime | None:
    if not value or not value.strip():
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=LOCAL_ZONE)
    except ValueError:
        raise InvalidInput("Write dates as YYYY-MM-DD.", field=field) from None
    return day + timedelta(days=1) if next_day else day
