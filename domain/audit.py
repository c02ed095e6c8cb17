"""Recording what members did, without patient data: ids, actions and outcomes only."""

from uuid import UUID

from domain.model import AuditEvent, Principal
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
