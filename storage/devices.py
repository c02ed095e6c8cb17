"""Devices (installed phone apps), their passkeys and passkey challenges in the database."""

from datetime import datetime
from uuid import UUID

from tortoise.expressions import F
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from domain.model import Device, User
from domain.ports import Passkey
from storage.models import (
    DeviceRow,
    MembershipRow,
    PasskeyChallengeRow,
    PasskeyRow,
    SessionRow,
    UserRow,
)


class DeviceRepository:
    async def create_device(
        self, user_id: UUID, label: str, secret_hash: str, now: datetime
    ) -> Device:
        row = await DeviceRow.create(
            user_id=user_id, label=label, secret_hash=secret_hash, created_at=now, last_seen_at=now
        )
        return _device(row)

    async def bind_session(self, token_hash: str, device_id: UUID) -> None:
        await SessionRow.filter(token_hash=token_hash).update(device_id=device_id)

    async def device_of_session(self, token_hash: str) -> Device | None:
        session = await SessionRow.get_or_none(token_hash=token_hash)
        if session is None or session.device_id is None:
            return None
        return await self.get(session.device_id)

    async def find_by_secret(self, secret_hash: str) -> tuple[Device, User, str | None] | None:
        row = await DeviceRow.get_or_none(secret_hash=secret_hash).prefetch_related("user")
        if row is None:
            return None
        return _device(row), _user(row.user), row.pin_hash

    async def get(self, device_id: UUID) -> Device | None:
        row = await _with_passkeys().get_or_none(id=device_id)
        return _device(row) if row else None

    async def devices_of_user(self, user_id: UUID) -> list[Device]:
        rows = await _with_passkeys().filter(user_id=user_id).order_by("-last_seen_at")
        return [_device(row) for row in rows]

    async def devices_in_cluster(self, cluster_id: UUID) -> list[tuple[Device, User]]:
        members = MembershipRow.filter(cluster_id=cluster_id).values_list("user_id", flat=True)
        rows = (
            await _with_passkeys()
            .filter(user_id__in=await members)
            .prefetch_related("user")
            .order_by("-last_seen_at")
        )
        return [(_device(row), _user(row.user)) for row in rows]

    async def set_pin_hash(self, device_id: UUID, pin_hash: str) -> None:
        await DeviceRow.filter(id=device_id).update(pin_hash=pin_hash)

    async def count_pin_failure(self, device_id: UUID) -> int:
        await DeviceRow.filter(id=device_id).update(pin_failures=F("pin_failures") + 1)
        row = await DeviceRow.get(id=device_id)
        return row.pin_failures

    async def reset_pin_failures(self, device_id: UUID, now: datetime) -> None:
        await DeviceRow.filter(id=device_id).update(pin_failures=0, last_seen_at=now)

    async def revoke(self, device_id: UUID, now: datetime, reason: str) -> None:
        await DeviceRow.filter(id=device_id, revoked_at__isnull=True).update(
            revoked_at=now, revoked_reason=reason
        )
        await SessionRow.filter(device_id=device_id, ended_at__isnull=True).update(ended_at=now)
        await PasskeyRow.filter(device_id=device_id).delete()

    async def add_passkey(self, device_id: UUID, passkey: Passkey, now: datetime) -> None:
        await PasskeyRow.create(
            device_id=device_id,
            credential_id=passkey.credential_id,
            public_key=passkey.public_key,
            sign_count=passkey.sign_count,
            created_at=now,
        )

    async def passkeys(self, device_id: UUID) -> list[Passkey]:
        rows = await PasskeyRow.filter(device_id=device_id)
        return [Passkey(row.credential_id, bytes(row.public_key), row.sign_count) for row in rows]

    async def set_sign_count(self, credential_id: str, sign_count: int) -> None:
        await PasskeyRow.filter(credential_id=credential_id).update(sign_count=sign_count)

    async def save_challenge(
        self, challenge: str, device_id: UUID, purpose: str, expires_at: datetime
    ) -> None:
        await PasskeyChallengeRow.create(
            challenge=challenge, device_id=device_id, purpose=purpose, expires_at=expires_at
        )

    async def take_challenge(
        self, challenge: str, device_id: UUID, purpose: str, now: datetime
    ) -> bool:
        """Delete the challenge; only the one request that deleted a live one may use it."""
        await PasskeyChallengeRow.filter(expires_at__lt=now).delete()
        deleted = await PasskeyChallengeRow.filter(
            challenge=challenge, device_id=device_id, purpose=purpose, expires_at__gte=now
        ).delete()
        return deleted == 1


def _with_passkeys() -> QuerySet[DeviceRow]:
    return DeviceRow.annotate(passkey_count=Count("passkeys"))


def _device(row: DeviceRow) -> Device:
    return Device(
        id=row.id,
        user_id=row.user_id,
        label=row.label,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        revoked_at=row.revoked_at,
        has_pin=row.pin_hash is not None,
        pin_failures=row.pin_failures,
        passkey_count=int(getattr(row, "passkey_count", 0) or 0),
    )


def _user(row: UserRow) -> User:
    return User(row.id, row.email, row.display_name, row.is_system_admin, row.is_active)
