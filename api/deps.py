"""What every route needs: the ports, the settings and the signed-in principal."""

from typing import Annotated

from fastapi import Depends, Request

from domain import accounts, devices
from domain.errors import NotAuthenticated
from domain.model import Client, Principal
from domain.ports import Ports
from settings import Settings

SESSION_COOKIE = "sutura_session"


def get_ports(request: Request) -> Ports:
    ports: Ports = request.app.state.ports
    return ports


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_principal(request: Request) -> Principal:
    """The session's principal; NotAuthenticated (401) without a live session, DeviceRevoked
    (401 with device_revoked) when the phone app it belonged to was revoked."""
    token = request.cookies.get(SESSION_COOKIE)
    try:
        return await accounts.resolve_session(get_ports(request), token)
    except NotAuthenticated:
        await devices.explain_ended_session(get_ports(request), token)
        raise


def client_of(request: Request) -> Client:
    """The peer address (the proxy's client when proxy headers are trusted) and user agent."""
    address = request.client.host if request.client else ""
    return Client(address[:64], request.headers.get("user-agent", "")[:200])


PortsDep = Annotated[Ports, Depends(get_ports)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
ClientDep = Annotated[Client, Depends(client_of)]
