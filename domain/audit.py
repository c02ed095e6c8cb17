"""Recording what members did, without patient data: ids, actions and outcomes only."""

import csv
import io
from dataclasses import replace
from datetime import UTC
from uuid import UUID

from domain.model import AuditEntry, AuditEvent, AuditQuery, Principal
from domain.policy import Action, require_cluster_admin, require_system_admin
from domain.ports import Ports


async def record(
    ports: Ports,
    principal: Principal | None,
    action: str,
    *,
    cluster_id: UUID | None = None,
    object_type: str | None = None,
    object_id: UUID | str | None = None,
    outcome: str = "ok",
) -> None:
    actor = principal.user.id if principal else None
    target = str(object_id) if object_id is not None else None
    event = AuditEvent(action, outcome, actor, cluster_id, object_type, target)
    await ports.audit.append(event, ports.clock())


MAX_EXPORT_ROWS = 100_000
CSV_COLUMNS = (
    "id",
    "at_utc",
    "actor_id",
    "actor_email",
    "action",
    "object_type",
    "object_id",
    "outcome",
)


async def browse(
    ports: Ports, principal: Principal, query: AuditQuery
) -> tuple[list[AuditEntry], dict[UUID, str]]:
    """A cluster's entries for its admins (every entry for a system admin with no cluster)."""
    if query.cluster_id is None:
        require_system_admin(principal)
    else:
        require_cluster_admin(principal, Action.VIEW_AUDIT, query.cluster_id)
    entries = await ports.audit.entries(query)
    actors = [e.actor_id for e in entries if e.actor_id is not None]
    users = await ports.accounts.users_by_id(actors)
    return entries, {user_id: user.email for user_id, user in users.items()}


async def export_csv(ports: Ports, principal: Principal, query: AuditQuery) -> str:
    """The matching entries as CSV (UTC times), itself recorded as an export."""
    query = replace(query, limit=MAX_EXPORT_ROWS, before_id=None)
    entries, emails = await browse(ports, principal, query)
    await record(ports, principal, "audit.export", cluster_id=query.cluster_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        email = emails.get(entry.actor_id, "") if entry.actor_id else ""
        row = (
            entry.id,
            entry.at.astimezone(UTC).isoformat(),
            entry.actor_id or "",
            email,
            entry.action,
            entry.object_type or "",
            entry.object_id or "",
            entry.outcome,
        )
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value: object) -> str:
    # A spreadsheet runs cells that start like a formula; a quote keeps them as text.
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
