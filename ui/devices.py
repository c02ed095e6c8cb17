"""Devices: the phone apps a member installed, and for cluster admins those of the cluster.

Revoking one ("lost phone") ends its sessions; its queued uploads are refused and the app
wipes itself at its next contact with the server.
"""

from functools import partial
from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import devices
from domain.model import Device, Principal, Role, User
from ui.frame import frame
from ui.i18n import _, format_moment
from ui.session import PageSession, open_session, to_login


def register() -> None:
    ui.page("/devices", title="Devices · Sutura")(devices_page)


async def devices_page(request: Request) -> RedirectResponse | None:
    session = await open_session(request)
    if session is None:
        return to_login()
    with await frame(session):
        ui.page_title(_("Devices") + " · Sutura")
        ui.label(_("Phone app devices")).classes("text-xl font-semibold")
        ui.label(
            _(
                "Each installed phone app is a device. Revoke a lost phone: its uploads are "
                "refused and it wipes itself when it next reaches the server."
            )
        ).classes("text-slate-600")
        await DeviceList(session).build()
    return None


class DeviceList:
    def __init__(self, session: PageSession) -> None:
        self.session = session
        self.listing: ui.column

    async def build(self) -> None:
        self.listing = ui.column().classes("w-full gap-2")
        await self.session.run(self._show)

    async def _show(self, principal: Principal) -> None:
        own = await devices.list_devices(self.session.ports, principal)
        self.listing.clear()
        with self.listing:
            self._section(_("Your devices"), own, principal)
            for cluster_id, role in principal.memberships.items():
                if role == Role.CLUSTER_ADMIN:
                    found = await devices.list_devices(self.session.ports, principal, cluster_id)
                    self._section(_("Devices in your cluster"), found, principal)

    def _section(self, title: str, found: list[tuple[Device, User]], principal: Principal) -> None:
        ui.label(title).classes("text-lg font-semibold pt-2")
        if not found:
            ui.label(_("No devices.")).classes("text-slate-500")
        for device, user in found:
            card = ui.card().classes("w-full py-2 px-4").props("flat bordered")
            with card, ui.row().classes("w-full items-center justify-between gap-2"):
                ui.label(_describe(device, user)).classes("break-words")
                if device.is_revoked:
                    ui.label(_("revoked")).classes("text-slate-500")
                else:
                    action = partial(self._revoke, device_id=device.id)
                    ui.button(_("Revoke"), on_click=self.session.guarded(action)).props(
                        "flat no-caps color=negative"
                    )

    async def _revoke(self, principal: Principal, device_id: UUID) -> None:
        await devices.revoke_device(self.session.ports, principal, device_id)
        ui.notify(_("Device revoked."), type="positive")
        await self._show(principal)


def _describe(device: Device, user: User) -> str:
    seen = _("last seen %(moment)s") % {"moment": format_moment(device.last_seen_at)}
    return f"{device.label} · {user.email} · {seen}"
