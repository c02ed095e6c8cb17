"""The audit log of a cluster for its admins: browsing with filters, and CSV export."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import PortsDep, PrincipalDep
from domain import audit
from domain.model import AuditQuery

router = APIRouter(tags=["audit"])


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor_id: UUID | None
    actor_email: str | None
    cluster_id: UUID | None
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str


def _query(
    cluster_id: UUID,
    action: str | None,
    actor_id: UUID | None,
    outcome: str | None,
    since: datetime | None,
    until: datetime | None,
    before_id: int | None = None,
    limit: int = 100,
) -> AuditQuery:
    return AuditQuery(cluster_id, action, actor_id, outcome, since, until, before_id, limit)


Text = Annotated[str | None, Query(max_length=64)]


@router.get("/clusters/{cluster_id}/audit")
async def browse_audit(
    cluster_id: UUID,
    principal: PrincipalDep,
    ports: PortsDep,
    action: Text = None,
    actor_id: UUID | None = None,
    outcome: Text = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditEntryOut]:
    """Newest first; page with before_id=<the last id you got>."""
    query = _query(cluster_id, action, actor_id, outcome, since, until, before_id, limit)
    entries, emails = await audit.browse(ports, principal, query)
    return [
        AuditEntryOut(
            **{k: getattr(e, k) for k in AuditEntryOut.model_fields if k != "actor_email"},
            actor_email=emails.get(e.actor_id) if e.actor_id else None,
        )
        for e in entries
    ]


@router.get("/clusters/{cluster_id}/audit.csv", response_class=Response)
async def export_audit(
    cluster_id: UUID,
    principal: PrincipalDep,
    ports: PortsDep,
    action: Text = None,
    actor_id: UUID | None = None,
    outcome: Text = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Response:
    query = _query(cluster_id, action, actor_id, outcome, since, until)
    text = await audit.export_csv(ports, principal, query)
    filename = f"sutura-audit-{cluster_id}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
