"""The hash-chained audit log: each entry's hash covers its content and the previous hash."""

import asyncio
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from domain.model import AuditEntry, AuditEvent, AuditQuery
from storage.models import AuditEventRow

GENESIS = "0" * 64


_ADVISORY_LOCK_ID = 0x5375747572


class AuditRepository:
    def __init__(self) -> None:
        # Appends are serialised, in-process by this lock and across processes on PostgreSQL
        # by an advisory lock held to the end of the transaction: no two share a predecessor.
        self._lock = asyncio.Lock()

    async def append(self, event: AuditEvent, at: datetime) -> None:
        async with self._lock, in_transaction() as connection:
            if connection.capabilities.dialect == "postgres":
                await connection.execute_query(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK_ID})")
            last = await AuditEventRow.all().using_db(connection).order_by("-id").first()
            previous = last.hash if last else GENESIS
            fields = _fields(event, at)
            await AuditEventRow.create(
                using_db=connection,
                **fields,
                previous_hash=previous,
                hash=chain_hash(previous, fields),
            )

    async def verify(self) -> tuple[int, int | None]:
        """Check the whole chain; returns (entries checked, id of the first broken entry)."""
        previous, count = GENESIS, 0
        async for row in AuditEventRow.all().order_by("id"):
            fields = {
                "at": row.at,
                "actor_id": row.actor_id,
                "cluster_id": row.cluster_id,
                "action": row.action,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "outcome": row.outcome,
            }
            if row.previous_hash != previous or row.hash != chain_hash(previous, fields):
                return count, row.id
            previous, count = row.hash, count + 1
        return count, None

    async def entries(self, query: AuditQuery) -> list[AuditEntry]:
        """Entries matching the query, newest first."""
        rows = AuditEventRow.all()
        filters: dict[str, object] = {
            "cluster_id": query.cluster_id,
            "actor_id": query.actor_id,
            "outcome": query.outcome,
            "at__gte": query.since,
            "at__lt": query.until,
            "id__lt": query.before_id,
        }
        rows = rows.filter(**{name: value for name, value in filters.items() if value is not None})
        if query.action:
            rows = rows.filter(action__startswith=query.action)
        found = await rows.order_by("-id").limit(query.limit)
        return [_entry(row) for row in found]


def _entry(row: AuditEventRow) -> AuditEntry:
    return AuditEntry(
        row.id,
        row.at,
        row.actor_id,
        row.cluster_id,
        row.action,
        row.object_type,
        row.object_id,
        row.outcome,
    )


def chain_hash(previous: str, fields: Mapping[str, object]) -> str:
    canonical = json.dumps(fields, sort_keys=True, default=_canonical, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def _fields(event: AuditEvent, at: datetime) -> dict[str, object]:
    return {
        "at": at,
        "actor_id": event.actor_id,
        "cluster_id": event.cluster_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": event.outcome,
    }


def _canonical(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return str(value)
