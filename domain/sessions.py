"""A user's own sessions (devices): listing them and ending them."""

from datetime import timedelta
from uuid import UUID

from domain.audit import record
from domain.errors import NotFound
from domain.model import Principal, SessionInfo
from domain.ports import Ports


async def my_sessions(ports: Ports, principal: Principal) -> list[SessionInfo]:
    """The live sessions of the signed-in user, the current one marked."""
    now = ports.clock()
    idle_cutoff = now - timedelta(minutes=ports.limits.session_idle_minutes)
    found = await ports.accounts.live_sessions(principal.user.id, now, idle_cutoff)
    return [_marked(info) if hashed == principal.session_id else info for hashed, info in found]


async def end_my_session(ports: Ports, principal: Principal, session_id: UUID) -> None:
    """End one of the user's own sessions; NotFound for any other id."""
    now = ports.clock()
    idle_cutoff = now - timedelta(minutes=ports.limits.session_idle_minutes)
    found = await ports.accounts.live_sessions(principal.user.id, now, idle_cutoff)
    hashed = next((h for h, info in found if info.id == session_id), None)
    if hashed is None:
        raise NotFound("No such session.")
    await ports.accounts.end_session(hashed, now, reason="ended_by_user")
    await record(ports, principal, "session.end", object_type="session", object_id=session_id)


async def end_other_sessions(ports: Ports, principal: Principal) -> int:
    """End every session of the user but this one; returns how many ended."""
    ended = await ports.accounts.end_sessions_of(
        principal.user.id, ports.clock(), "ended_by_user", keep=principal.session_id
    )
    await record(
        ports, principal, "session.end_others", object_type="user", object_id=principal.user.id
    )
    return ended


def _marked(info: SessionInfo) -> SessionInfo:
    return SessionInfo(
        info.id, info.created_at, info.last_seen_at, info.user_agent, info.client_address, True
    )
