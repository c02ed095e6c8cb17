"""External upload links in the database; their tokens only ever as SHA-256 hashes."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from domain.model import ExternalInvite
from domain.ports import NewExternalInvite
from storage.models import ExternalInviteRow

_MARKABLE = frozenset({"mailed_at", "opened_at", "revoked_at"})


class ExternalInviteRepository:
    async def add(self, invite: NewExternalInvite) -> ExternalInvite:
        row = await ExternalInviteRow.create(
            cluster_id=invite.cluster_id,
            created_by_id=invite.created_by,
            email=invite.email,
            patient_id=invite.patient_id,
            series_id=invite.series_id,
            label=invite.label,
            message=invite.message,
            token_hash=invite.token_hash,
            created_at=invite.created_at,
            expires_at=invite.expires_at,
            max_files=invite.max_files,
            max_bytes=invite.max_bytes,
        )
        return _invite(row)

    async def get(self, invite_id: UUID) -> ExternalInvite | None:
        row = await ExternalInviteRow.get_or_none(id=invite_id)
        return _invite(row) if row else None

    async def find_by_token(self, token_hash: str) -> ExternalInvite | None:
        row = await ExternalInviteRow.get_or_none(token_hash=token_hash)
        return _invite(row) if row else None

    async def of_cluster(self, cluster_id: UUID, limit: int) -> list[ExternalInvite]:
        rows = await ExternalInviteRow.filter(cluster_id=cluster_id).order_by("-created_at")
        return [_invite(row) for row in rows[:limit]]

    async def by_ids(self, invite_ids: Sequence[UUID]) -> dict[UUID, ExternalInvite]:
        rows = await ExternalInviteRow.filter(id__in=list(set(invite_ids)))
        return {row.id: _invite(row) for row in rows}

    async def mark(self, invite_id: UUID, column: str, now: datetime) -> bool:
        """Set one timestamp once; False when it was already set."""
        if column not in _MARKABLE:
            raise ValueError(f"not a markable column: {column}")
        query = ExternalInviteRow.filter(id=invite_id, **{f"{column}__isnull": True})
        return bool(await query.update(**{column: now}))


async def reserve_file(
    invite_id: UUID, size: int, now: datetime, connection: BaseDBAsyncClient
) -> bool:
    """Count one more file against the link, atomically; False when the link may take no more.

    The condition sits in the UPDATE, so two uploads racing for the last place cannot both win.
    """
    updated = await (
        ExternalInviteRow.filter(
            id=invite_id,
            revoked_at__isnull=True,
            expires_at__gt=now,
            files_received__lt=F("max_files"),
            bytes_received__lte=F("max_bytes") - size,
        )
        .using_db(connection)
        .update(files_received=F("files_received") + 1, bytes_received=F("bytes_received") + size)
    )
    return bool(updated)


def _invite(row: ExternalInviteRow) -> ExternalInvite:
    return ExternalInvite(
        id=row.id,
        cluster_id=row.cluster_id,
        created_by=row.created_by_id,
        email=row.email,
        patient_id=row.patient_id,
        series_id=row.series_id,
        label=row.label,
        message=row.message,
        created_at=row.created_at,
        expires_at=row.expires_at,
        max_files=row.max_files,
        max_bytes=row.max_bytes,
        files_received=row.files_received,
        bytes_received=row.bytes_received,
        mailed_at=row.mailed_at,
        opened_at=row.opened_at,
        revoked_at=row.revoked_at,
    )
