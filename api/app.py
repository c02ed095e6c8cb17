"""The phone app's routes: device sign-in, PIN and passkey unlock, devices, transport key,
acute patients. Photos go through the shared upload route with an encrypted envelope."""

import base64
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import set_session_cookie
from api.deps import SESSION_COOKIE, ClientDep, PortsDep, PrincipalDep, SettingsDep
from api.schemas import MeOut, PatientOut, me_out, patient_out
from domain import accounts, acute, devices
from domain.model import Device, Principal, User
from domain.photos import APP_ENCRYPTION

router = APIRouter(tags=["phone app"])

DEVICE_COOKIE = "sutura_device"
DEVICE_COOKIE_PATH = "/api/v1/app"
DEVICE_COOKIE_DAYS = 180


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppLoginIn(Strict):
    email: str = Field(max_length=254)
    password: str = Field(max_length=accounts.MAX_PASSWORD_LENGTH)


class PinIn(Strict):
    pin: str = Field(max_length=8)


class PasskeyIn(Strict):
    challenge: str = Field(max_length=128)
    credential: dict[str, Any]


class AcuteIn(Strict):
    cluster_id: UUID


class DeviceOut(BaseModel):
    id: UUID
    label: str
    user_email: str
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None
    has_pin: bool
    passkeys: int


class AppSessionOut(BaseModel):
    me: MeOut
    device: DeviceOut


class TransportKeyOut(BaseModel):
    key_id: str
    algorithm: str
    spki: str  # base64 DER SubjectPublicKeyInfo


@router.get("/app/transport-key")
async def transport_key(ports: PortsDep) -> TransportKeyOut:
    """The RSA-OAEP public key the app encrypts photos to; the app pins it at sign-in."""
    key = ports.phone.transport
    spki = base64.b64encode(key.public_key_spki).decode()
    return TransportKeyOut(key_id=key.key_id, algorithm=APP_ENCRYPTION, spki=spki)


@router.post("/app/login")
async def app_login(
    body: AppLoginIn,
    request: Request,
    response: Response,
    ports: PortsDep,
    settings: SettingsDep,
    client: ClientDep,
) -> AppSessionOut:
    """Sign in from the phone app: registers this installation as a device."""
    label = devices.device_label(request.headers.get("user-agent", ""))
    token, secret, principal, device = await devices.sign_in_device(
        ports, body.email, body.password, label, client
    )
    set_session_cookie(response, settings, token)
    response.set_cookie(
        DEVICE_COOKIE,
        secret,
        max_age=DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        secure=settings.is_tls,
        samesite="strict",
        path=DEVICE_COOKIE_PATH,
    )
    return AppSessionOut(me=await me_out(ports, principal), device=_device_out(device, principal))


@router.get("/app/device")
async def this_device(principal: PrincipalDep, ports: PortsDep) -> DeviceOut:
    return _device_out(await devices.current_device(ports, principal), principal)


@router.post("/app/pin", status_code=204)
async def set_pin(body: PinIn, principal: PrincipalDep, ports: PortsDep) -> Response:
    await devices.set_pin(ports, principal, body.pin)
    return Response(status_code=204)


@router.post("/app/unlock")
async def unlock(
    body: PinIn, request: Request, response: Response, ports: PortsDep, settings: SettingsDep
) -> MeOut:
    """Check the PIN and open a new session for this device; five wrong PINs revoke it."""
    secret = request.cookies.get(DEVICE_COOKIE)
    token, principal = await devices.unlock_with_pin(ports, secret, body.pin)
    set_session_cookie(response, settings, token)
    return await me_out(ports, principal)


@router.post("/app/passkeys/options")
async def passkey_options(principal: PrincipalDep, ports: PortsDep) -> dict[str, object]:
    return await devices.passkey_registration_options(ports, principal)


@router.post("/app/passkeys", status_code=204)
async def add_passkey(body: PasskeyIn, principal: PrincipalDep, ports: PortsDep) -> Response:
    await devices.register_passkey(ports, principal, body.challenge, body.credential)
    return Response(status_code=204)


@router.post("/app/unlock/passkey/options")
async def unlock_options(request: Request, ports: PortsDep) -> dict[str, object]:
    return await devices.passkey_unlock_options(ports, request.cookies.get(DEVICE_COOKIE))


@router.post("/app/unlock/passkey")
async def unlock_with_passkey(
    body: PasskeyIn, request: Request, response: Response, ports: PortsDep, settings: SettingsDep
) -> MeOut:
    secret = request.cookies.get(DEVICE_COOKIE)
    token, principal = await devices.unlock_with_passkey(
        ports, secret, body.challenge, body.credential
    )
    set_session_cookie(response, settings, token)
    return await me_out(ports, principal)


@router.post("/app/logout", status_code=204)
async def app_logout(principal: PrincipalDep, ports: PortsDep) -> Response:
    """Sign out of the app: this device is retired, so its cookies open nothing again."""
    device = await devices.current_device(ports, principal)
    await devices.revoke_device(ports, principal, device.id)
    await accounts.sign_out(ports, principal)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(DEVICE_COOKIE, path=DEVICE_COOKIE_PATH)
    return response


@router.get("/devices", tags=["devices"])
async def list_devices(
    principal: PrincipalDep, ports: PortsDep, cluster_id: UUID | None = None
) -> list[DeviceOut]:
    """Your own devices; with cluster_id, every member's device (cluster admins only)."""
    found = await devices.list_devices(ports, principal, cluster_id)
    return [_device_out(device, principal, user) for device, user in found]


@router.post("/devices/{device_id}/revoke", status_code=204, tags=["devices"])
async def revoke_device(device_id: UUID, principal: PrincipalDep, ports: PortsDep) -> Response:
    """A lost phone: its sessions end, its queued uploads are refused, it wipes itself."""
    await devices.revoke_device(ports, principal, device_id)
    return Response(status_code=204)


@router.post("/patients/acute", status_code=201, tags=["patients"])
async def create_acute_patient(
    body: AcuteIn, principal: PrincipalDep, ports: PortsDep
) -> PatientOut:
    """An unidentified patient for an emergency, named by the time it was created."""
    created = await acute.create_acute_patient(ports, principal, body.cluster_id, ward="")
    return patient_out(created)


def _device_out(device: Device, principal: Principal, user: User | None = None) -> DeviceOut:
    return DeviceOut(
        id=device.id,
        label=device.label,
        user_email=(user or principal.user).email,
        created_at=device.created_at,
        last_seen_at=device.last_seen_at,
        revoked_at=device.revoked_at,
        has_pin=device.has_pin,
        passkeys=device.passkey_count,
    )
