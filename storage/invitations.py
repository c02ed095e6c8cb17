"""Invitations and password reset links in the database; tokens only ever as SHA-256 hashes."""

from datetime import datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from domain.model import Invitation, Role
from domain.ports import NewInvitation
from storage.models import InvitationRow, PasswordResetRow

_MARKABLE = frozenset({"accepted_at", "revoked_at", "renewal_asked_at"})


class InvitationRepository:
    async def add(self, invitation: NewInvitation) -> Invitation:
        row = await InvitationRow.create(
            email=invitation.email,
            cluster_id=invitation.cluster_id,
            role=invitation.role.value,
            invited_by_id=invitation.invited_by,
            token_hash=invitation.token_hash,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
        )
        return _invitation(row)

    async def get(self, invitation_id: UUID) -> Invitation | None:
        row = await InvitationRow.get_or_none(id=invitation_id)
        return _invitation(row) if row else None

    async def find_by_token(self, token_hash: str) -> Invitation | None:
        row = await InvitationRow.get_or_none(token_hash=token_hash)
        return _invitation(row) if row else None

    async def open_for_cluster(self, cluster_id: UUID) -> list[Invitation]:
        rows = await InvitationRow.filter(
            cluster_id=cluster_id, accepted_at__isnull=True, revoked_at__isnull=True
        ).order_by("-created_at")
        return [_invitation(row) for row in rows]

    async def revoke_open(self, email: str, cluster_id: UUID, now: datetime) -> None:
        await InvitationRow.filter(
            email=email, cluster_id=cluster_id, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)

    async def renew(self, invitation_id: UUID, token_hash: str, expires_at: datetime) -> None:
        await InvitationRow.filter(id=invitation_id).update(
            token_hash=token_hash, expires_at=expires_at, renewal_asked_at=None
        )

    async def mark(self, invitation_id: UUID, column: str, now: datetime) -> bool:
        """Set one timestamp once; False when it was already set (a link used twice)."""
        if column not in _MARKABLE:
            raise ValueError(f"not a markable column: {column}")
        query = InvitationRow.filter(id=invitation_id, **{f"{column}__isnull": True})
        return bool(await query.update(**{column: now}))


class PasswordResetRepository:
    async def replace(
        self, user_id: UUID, token_hash: str, now: datetime, expires_at: datetime
    ) -> None:
        """Store a new link and forget every earlier one of the user (a new request supersedes)."""
        async with in_transaction() as connection:
            await PasswordResetRow.filter(user_id=user_id).using_db(connection).delete()
            await PasswordResetRow.create(
                using_db=connection,
                token_hash=token_hash,
                user_id=user_id,
                created_at=now,
                expires_at=expires_at,
            )

    async def peek(self, token_hash: str, now: datetime) -> UUID | None:
        row = await PasswordResetRow.filter(
            token_hash=token_hash, used_at__isnull=True, expires_at__gt=now
        ).first()
        return row.user_id if row else None

    async def use(self, token_hash: str, now: datetime) -> UUID | None:
        """Spend a live link once; returns its user, or None when unknown, used or expired."""
        live = PasswordResetRow.filter(
            token_hash=token_hash, used_at__isnull=True, expires_at__gt=now
        )
        row = await live.first()
        if row is None or not await live.update(used_at=now):
            return None
        return row.user_id


def _invitation(row: InvitationRow) -> Invitation:
    return Invitation(
        id=row.id,
        email=row.email,
        cluster_id=row.cluster_id,
        role=Role(row.role),
        invited_by=row.invited_by_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        accepted_at=row.accepted_at,
        revoked_at=row.revoked_at,
        renewal_asked_at=row.renewal_asked_at,
    )
