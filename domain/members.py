"""Members of a cluster: listing, changing roles, removing; and disabling accounts.

Changes take effect at the next request, which reads memberships afresh. Removing a member
or disabling an account also ends their sessions, so open pages and the phone app stop too.
"""

from uuid import UUID

from domain.audit import record
from domain.errors import Conflict, NotFound
from domain.invitations import parse_role
from domain.model import Member, Principal, Role, User
from domain.policy import Action, require_cluster_admin, require_system_admin
from domain.ports import Ports


async def list_members(ports: Ports, principal: Principal, cluster_id: UUID) -> list[Member]:
    require_cluster_admin(principal, Action.MANAGE_MEMBERS, cluster_id)
    await _existing_cluster(ports, cluster_id)
    return await ports.accounts.members(cluster_id)


async def change_role(
    ports: Ports, principal: Principal, cluster_id: UUID, user_id: UUID, role: str
) -> Member:
    """Give a member another role; Conflict when it would leave the cluster without an admin."""
    require_cluster_admin(principal, Action.MANAGE_MEMBERS, cluster_id)
    new_role = parse_role(role)
    member = await _member(ports, cluster_id, user_id)
    if member.role == Role.CLUSTER_ADMIN and new_role != Role.CLUSTER_ADMIN:
        await _keep_an_admin(ports, cluster_id)
    await ports.accounts.add_membership(user_id, cluster_id, new_role)
    await record(
        ports,
        principal,
        f"member.role.{new_role.value}",
        cluster_id=cluster_id,
        object_type="user",
        object_id=user_id,
    )
    return Member(member.user, new_role)


async def remove_member(
    ports: Ports, principal: Principal, cluster_id: UUID, user_id: UUID
) -> None:
    """Take someone out of the cluster and end all their sessions."""
    require_cluster_admin(principal, Action.MANAGE_MEMBERS, cluster_id)
    member = await _member(ports, cluster_id, user_id)
    if member.role == Role.CLUSTER_ADMIN:
        await _keep_an_admin(ports, cluster_id)
    await ports.accounts.remove_membership(user_id, cluster_id)
    await ports.accounts.end_sessions_of(user_id, ports.clock(), "removed_from_cluster")
    await record(
        ports,
        principal,
        "member.remove",
        cluster_id=cluster_id,
        object_type="user",
        object_id=user_id,
    )


async def list_users(ports: Ports, principal: Principal) -> list[User]:
    require_system_admin(principal)
    return await ports.accounts.list_users()


async def set_user_active(
    ports: Ports, principal: Principal, user_id: UUID, is_active: bool
) -> None:
    """System admins disable (ending every session) or enable an account, not their own."""
    require_system_admin(principal)
    if await ports.accounts.get_user(user_id) is None:
        raise NotFound("No such user.")
    if user_id == principal.user.id:
        raise Conflict("You cannot disable your own account.")
    await ports.accounts.set_user_active(user_id, is_active)
    if not is_active:
        await ports.accounts.end_sessions_of(user_id, ports.clock(), "account_disabled")
    action = "user.enable" if is_active else "user.disable"
    await record(ports, principal, action, object_type="user", object_id=user_id)


async def _existing_cluster(ports: Ports, cluster_id: UUID) -> None:
    if await ports.accounts.get_cluster(cluster_id) is None:
        raise NotFound("No such cluster.")


async def _member(ports: Ports, cluster_id: UUID, user_id: UUID) -> Member:
    for member in await ports.accounts.members(cluster_id):
        if member.user.id == user_id:
            return member
    raise NotFound("No such member.")


async def _keep_an_admin(ports: Ports, cluster_id: UUID) -> None:
    admins = [m for m in await ports.accounts.members(cluster_id) if m.role == Role.CLUSTER_ADMIN]
    if len(admins) <= 1:
        raise Conflict("A cluster keeps at least one cluster administrator.")
