"""The phone app's devices: signing in from one, its PIN and passkey, and revoking it.

Each installed app is a device. Its sessions are bound to it; a device secret (held in an
HttpOnly cookie) lets it open a new session with the PIN or a passkey, never alone. Five
wrong PINs, or a revocation by the user or a cluster admin, end the device for good.
"""

import hashlib
import re
import secrets
from datetime import timedelta
from uuid import UUID

from domain import accounts
from domain.audit import record
from domain.errors import DeviceRevoked, InvalidInput, NotAuthenticated, NotFound, WrongPin, counted
from domain.model import AuditEvent, Client, Device, Principal, Role, User
from domain.policy import Action, require
from domain.ports import Ports

MAX_PIN_FAILURES = 5
CHALLENGE_LIFETIME = timedelta(minutes=2)
_PIN = re.compile(r"^[0-9]{4}$")
_REVOKED = "This device was signed out. Sign in again with your email and password."


# NOTE: session tokens are stored by the same SHA-256 hex digest (domain/accounts.py), which
# explain_ended_session relies on to find the device of an ended session.
def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def device_label(user_agent: str) -> str:
    """A short readable name from the user agent, e.g. "Android phone, Chrome"."""
    system = next((name for key, name in _SYSTEMS if key in user_agent), "Unknown system")
    browser = next((name for key, name in _BROWSERS if key in user_agent), "browser")
    return f"{system}, {browser}"


_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android phone"),
    ("Mac OS", "Mac"),
    ("Windows", "Windows PC"),
    ("Linux", "Linux"),
)
_BROWSERS = (
    ("Edg/", "Edge"),
    ("Chrome/", "Chrome"),
    ("Firefox/", "Firefox"),
    ("Safari/", "Safari"),
)


async def sign_in_device(
    ports: Ports, email: str, password: str, label: str, client: Client
) -> tuple[str, str, Principal, Device]:
    """Sign in and register a new device; returns session token, device secret, who, device."""
    token, principal = await accounts.sign_in(ports, email, password, client)
    secret = secrets.token_urlsafe(32)
    devices = ports.phone.devices
    device = await devices.create_device(
        principal.user.id, label[:120], secret_hash(secret), ports.clock()
    )
    await devices.bind_session(principal.session_id, device.id)
    await record(ports, principal, "device.register", object_type="device", object_id=device.id)
    return token, secret, principal, device


async def current_device(ports: Ports, principal: Principal) -> Device:
    """The device this session belongs to; NotFound for a portal session."""
    device = await ports.phone.devices.device_of_session(principal.session_id)
    if device is None:
        raise NotFound("This session does not belong to an installed app.")
    return device


async def set_pin(ports: Ports, principal: Principal, pin: str) -> None:
    """Set or replace the device's 4-digit PIN (stored as an argon2 hash)."""
    if not _PIN.match(pin):
        raise InvalidInput("The PIN has exactly 4 digits.", field="pin")
    device = await current_device(ports, principal)
    await ports.phone.devices.set_pin_hash(device.id, ports.hash_password(pin))
    await ports.phone.devices.reset_pin_failures(device.id, ports.clock())
    await record(ports, principal, "device.set_pin", object_type="device", object_id=device.id)


async def unlock_with_pin(ports: Ports, secret: str | None, pin: str) -> tuple[str, Principal]:
    """Open a session with the PIN; five wrong ones in a row revoke the device."""
    device, user, pin_hash = await _live_device(ports, secret)
    if pin_hash is None:
        raise NotAuthenticated("No PIN is set on this device. Sign in with your password.")
    is_valid, _ = ports.verify_password(pin, pin_hash) if _PIN.match(pin) else (False, None)
    if not is_valid:
        await _count_wrong_pin(ports, device)
    return await _open_device_session(ports, device, user)


async def passkey_registration_options(ports: Ports, principal: Principal) -> dict[str, object]:
    device = await current_device(ports, principal)
    existing = [p.credential_id for p in await ports.phone.devices.passkeys(device.id)]
    options, challenge = ports.phone.passkeys.registration_options(
        principal.user, device.id, existing
    )
    await _save_challenge(ports, challenge, device.id, "register")
    return options


async def register_passkey(
    ports: Ports, principal: Principal, challenge: str, credential: dict[str, object]
) -> None:
    """Verify a new platform credential (user verification required) and keep it."""
    device = await current_device(ports, principal)
    await _take_challenge(ports, challenge, device.id, "register")
    passkey = ports.phone.passkeys.verify_registration(credential, challenge)
    await ports.phone.devices.add_passkey(device.id, passkey, ports.clock())
    await record(ports, principal, "device.add_passkey", object_type="device", object_id=device.id)


async def passkey_unlock_options(ports: Ports, secret: str | None) -> dict[str, object]:
    device, _, _ = await _live_device(ports, secret)
    passkeys = await ports.phone.devices.passkeys(device.id)
    if not passkeys:
        raise NotFound("No fingerprint or face unlock is set up on this device.")
    options, challenge = ports.phone.passkeys.authentication_options(
        [p.credential_id for p in passkeys]
    )
    await _save_challenge(ports, challenge, device.id, "unlock")
    return options


async def unlock_with_passkey(
    ports: Ports, secret: str | None, challenge: str, credential: dict[str, object]
) -> tuple[str, Principal]:
    """Open a session with a passkey of this device; the challenge is used up either way."""
    device, user, _ = await _live_device(ports, secret)
    await _take_challenge(ports, challenge, device.id, "unlock")
    passkeys = {p.credential_id: p for p in await ports.phone.devices.passkeys(device.id)}
    passkey = passkeys.get(str(credential.get("id", "")))
    if passkey is None:
        raise NotAuthenticated("This passkey does not belong to this device.")
    sign_count = ports.phone.passkeys.verify_authentication(credential, challenge, passkey)
    await ports.phone.devices.set_sign_count(passkey.credential_id, sign_count)
    return await _open_device_session(ports, device, user)


async def list_devices(
    ports: Ports, principal: Principal, cluster_id: UUID | None = None
) -> list[tuple[Device, User]]:
    """The member's own devices, or (for its cluster admin) every device of a cluster."""
    if cluster_id is None:
        own = await ports.phone.devices.devices_of_user(principal.user.id)
        return [(device, principal.user) for device in own]
    require(principal, Action.MANAGE_MEMBERS, cluster_id, what="cluster")
    return await ports.phone.devices.devices_in_cluster(cluster_id)


async def revoke_device(ports: Ports, principal: Principal, device_id: UUID) -> None:
    """Revoke a lost device: its sessions end, its uploads are refused, it wipes itself."""
    device = await ports.phone.devices.get(device_id)
    if device is None or not await _may_revoke(ports, principal, device):
        raise NotFound("No such device.")
    await ports.phone.devices.revoke(device.id, ports.clock(), "revoked")
    await record(ports, principal, "device.revoke", object_type="device", object_id=device.id)


async def explain_ended_session(ports: Ports, token: str | None) -> None:
    """Raise DeviceRevoked when a session ended because its device was revoked."""
    if not token:
        return
    device = await ports.phone.devices.device_of_session(secret_hash(token))
    if device is not None and device.is_revoked:
        raise DeviceRevoked(_REVOKED)


async def _may_revoke(ports: Ports, principal: Principal, device: Device) -> bool:
    if device.user_id == principal.user.id:
        return True
    owner_clusters = await ports.accounts.memberships(device.user_id)
    return any(principal.role_in(c) == Role.CLUSTER_ADMIN for c in owner_clusters)


async def _live_device(ports: Ports, secret: str | None) -> tuple[Device, User, str | None]:
    found = await ports.phone.devices.find_by_secret(secret_hash(secret)) if secret else None
    if found is None:
        raise NotAuthenticated("This app is not signed in. Sign in with your email and password.")
    device, user, pin_hash = found
    if device.is_revoked or not user.is_active:
        raise DeviceRevoked(_REVOKED)
    return device, user, pin_hash


async def _count_wrong_pin(ports: Ports, device: Device) -> None:
    failures = await ports.phone.devices.count_pin_failure(device.id)
    if failures >= MAX_PIN_FAILURES:
        await ports.phone.devices.revoke(device.id, ports.clock(), "pin_failures")
        await ports.audit.append(_device_event("device.pin_lockout", device), ports.clock())
        raise DeviceRevoked("Five wrong PINs: this device was signed out and its data wiped.")
    await ports.audit.append(_device_event("device.unlock", device, "failed"), ports.clock())
    left = MAX_PIN_FAILURES - failures
    wording = counted("Wrong PIN. %(count)s try left.", "Wrong PIN. %(count)s tries left.", left)
    raise WrongPin(wording, tries_left=left)


async def _open_device_session(ports: Ports, device: Device, user: User) -> tuple[str, Principal]:
    token, principal = await accounts.open_session(ports, user, Client("", device.label))
    await ports.phone.devices.bind_session(principal.session_id, device.id)
    await ports.phone.devices.reset_pin_failures(device.id, ports.clock())
    await record(ports, principal, "device.unlock", object_type="device", object_id=device.id)
    return token, principal


async def _save_challenge(ports: Ports, challenge: str, device_id: UUID, purpose: str) -> None:
    expires_at = ports.clock() + CHALLENGE_LIFETIME
    await ports.phone.devices.save_challenge(challenge, device_id, purpose, expires_at)


async def _take_challenge(ports: Ports, challenge: str, device_id: UUID, purpose: str) -> None:
    taken = await ports.phone.devices.take_challenge(challenge, device_id, purpose, ports.clock())
    if not taken:
        raise NotAuthenticated("This request expired or was already used. Please try again.")


def _device_event(action: str, device: Device, outcome: str = "ok") -> AuditEvent:
    return AuditEvent(
        action, outcome, device.user_id, object_type="device", object_id=str(device.id)
    )
