"""Members of a cluster for its administrators: roles, removal, invitations."""

from typing import Any
from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import invitations, members
from domain.errors import InvalidInput
from domain.model import Invitation, Member, Principal, Role
from domain.policy import may_administer
from ui.frame import frame, notice
from ui.i18n import _, aria, error_text, format_moment
from ui.session import PageSession, open_session, to_login


def role_options() -> dict[str, str]:
    names = {
        Role.CLINICIAN: _("Clinician"),
        Role.SECRETARY: _("Secretary"),
        Role.CLUSTER_ADMIN: _("Cluster administrator"),
    }
    return {role.value: names[role] for role in Role}


def register() -> None:
    ui.page("/members", title="Members · Sutura")(members_page)


def parse_cluster(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def chosen_cluster(value: str | None, principal: Principal) -> UUID | None:
    """The requested cluster, or else the first one the user administers."""
    requested = parse_cluster(value)
    if requested is not None:
        return requested
    return next((c for c in principal.memberships if may_administer(principal, c)), None)


async def members_page(request: Request, cluster: str | None = None) -> RedirectResponse | None:
    session = await open_session(request)
    if session is None:
        return to_login(request)
    cluster_id = chosen_cluster(cluster, session.principal)
    with await frame(session, cluster_id):
        ui.page_title(_("Members") + " · Sutura")
        ui.label(_("Members")).classes("text-xl font-semibold")
        if cluster_id is None or not may_administer(session.principal, cluster_id):
            notice(_("Only the cluster's administrators manage its members."))
            return None
        await MemberAdmin(session, cluster_id).build()
    return None


class MemberAdmin:
    def __init__(self, session: PageSession, cluster_id: UUID) -> None:
        self.session = session
        self.cluster_id = cluster_id
        self.listing: ui.column
        self.pending: ui.column

    async def build(self) -> None:
        self._invite_card()
        self.listing = ui.column().classes("w-full gap-2")
        ui.label(_("Open invitations")).classes("text-lg font-semibold pt-2")
        self.pending = ui.column().classes("w-full gap-2")
        await self.session.run(self._show)

    def _invite_card(self) -> None:
        with ui.card().classes("w-full gap-3").props("flat bordered"):
            ui.label(_("Invite by email")).classes("font-medium")
            with ui.row().classes("w-full items-start gap-2"):
                email = ui.input(_("Email")).props("outlined dense type=email")
                email.classes("grow min-w-[14rem]")
                role = ui.select(role_options(), value=Role.CLINICIAN.value, label=_("Role"))
                role.props("outlined dense").classes("min-w-[12rem]")

                async def send(principal: Principal) -> None:
                    email.error = None
                    try:
                        made = await invitations.invite(
                            self.session.ports,
                            principal,
                            self.cluster_id,
                            email.value or "",
                            role.value,
                        )
                    except InvalidInput as error:
                        email.error = error_text(error)
                        return
                    email.value = ""
                    done = (
                        _("Invitation sent.")
                        if made
                        else _("Existing account added to the cluster.")
                    )
                    ui.notify(done, type="positive")
                    await self._show(principal)

                ui.button(_("Invite"), on_click=self.session.guarded(send)).props(
                    "unelevated no-caps"
                )

    async def _show(self, principal: Principal) -> None:
        ports = self.session.ports
        found = await members.list_members(ports, principal, self.cluster_id)
        open_ones = await invitations.pending(ports, principal, self.cluster_id)
        self.listing.clear()
        with self.listing:
            for member in found:
                self._member_row(member)
        self.pending.clear()
        with self.pending:
            if not open_ones:
                ui.label(_("None.")).classes("text-slate-500")
            for invitation in open_ones:
                self._invitation_row(invitation)

    def _member_row(self, member: Member) -> None:
        with (
            ui.card().classes("w-full py-2 px-4").props("flat bordered"),
            ui.row().classes("w-full items-center gap-x-4 gap-y-1"),
        ):
            ui.label(member.user.email).classes("grow min-w-0 break-all")
            if not member.user.is_active:
                ui.badge(_("disabled"), color="grey")
            role = ui.select(role_options(), value=member.role.value)
            role.props(f"dense outlined {aria(_('Role'))}").classes("min-w-[11rem]")
            role.on_value_change(self._role_changer(member, role))
            ui.button(_("Remove"), on_click=self.session.guarded(self._remover(member))).props(
                "flat no-caps color=negative"
            )

    def _role_changer(self, member: Member, select: ui.select) -> Any:
        async def change(principal: Principal) -> None:
            if select.value == member.role.value:
                return
            try:
                await members.change_role(
                    self.session.ports, principal, self.cluster_id, member.user.id, select.value
                )
            finally:
                await self._show(principal)
            ui.notify(_("Role changed."), type="positive")

        return lambda _: self.session.run(change)

    def _remover(self, member: Member) -> Any:
        async def remove(principal: Principal) -> None:
            await members.remove_member(
                self.session.ports, principal, self.cluster_id, member.user.id
            )
            ui.notify(_("Removed; their sessions have ended."))
            await self._show(principal)

        return remove

    def _invitation_row(self, invitation: Invitation) -> None:
        expired = not invitation.is_open(self.session.ports.clock())
        with (
            ui.card().classes("w-full py-2 px-4").props("flat bordered"),
            ui.row().classes("w-full items-center gap-x-4 gap-y-1"),
        ):
            ui.label(invitation.email).classes("grow min-w-0 break-all")
            ui.label(role_options()[invitation.role.value].lower()).classes(
                "text-sm text-slate-600"
            )
            until = _("until %(moment)s") % {"moment": format_moment(invitation.expires_at)}
            state = _("expired") if expired else until
            if invitation.renewal_asked_at:
                state += " · " + _("new one asked for")
            ui.label(state).classes("text-sm text-slate-500")
            ui.button(_("Resend"), on_click=self.session.guarded(self._act(invitation, "resend")))
            ui.button(
                _("Revoke"), on_click=self.session.guarded(self._act(invitation, "revoke"))
            ).props("flat no-caps color=negative")

    def _act(self, invitation: Invitation, what: str) -> Any:
        async def act(principal: Principal) -> None:
            if what == "resend":
                await invitations.resend(self.session.ports, principal, invitation.id)
                ui.notify(_("Invitation sent again with a new link."), type="positive")
            else:
                await invitations.revoke(self.session.ports, principal, invitation.id)
                ui.notify(_("Invitation revoked."))
            await self._show(principal)

        return act
