"""Cluster members and invitations (cluster admins, system admins) and accounts (system admins)."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import PortsDep, PrincipalDep
from domain import invitations, members
from domain.model import Invitation, Member, User

router = APIRouter(tags=["members"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InvitationIn(Strict):
    email: str = Field(max_length=254)
    role: str = Field(max_length=20)


class RoleIn(Strict):
    role: str = Field(max_length=20)


class ActiveIn(Strict):
    is_active: bool


class UserOut(BaseModel):
    id: UUID
    email: str
    display_name: str
    is_system_admin: bool
    is_active: bool


class MemberOut(UserOut):
    role: str


class InvitationOut(BaseModel):
    id: UUID
    email: str
    cluster_id: UUID
    role: str
    created_at: datetime
    expires_at: datetime
    renewal_asked: bool


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        is_system_admin=user.is_system_admin,
        is_active=user.is_active,
    )


def member_out(member: Member) -> MemberOut:
    return MemberOut(**user_out(member.user).model_dump(), role=member.role.value)


def invitation_out(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.id,
        email=invitation.email,
        cluster_id=invitation.cluster_id,
        role=invitation.role.value,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        renewal_asked=invitation.renewal_asked_at is not None,
    )


@router.get("/clusters/{cluster_id}/members")
async def list_members(
    cluster_id: UUID, principal: PrincipalDep, ports: PortsDep
) -> list[MemberOut]:
    return [member_out(m) for m in await members.list_members(ports, principal, cluster_id)]


@router.put("/clusters/{cluster_id}/members/{user_id}/role")
async def change_role(
    cluster_id: UUID, user_id: UUID, body: RoleIn, principal: PrincipalDep, ports: PortsDep
) -> MemberOut:
    changed = await members.change_role(ports, principal, cluster_id, user_id, body.role)
    return member_out(changed)


@router.delete("/clusters/{cluster_id}/members/{user_id}", status_code=204)
async def remove_member(
    cluster_id: UUID, user_id: UUID, principal: PrincipalDep, ports: PortsDep
) -> Response:
    await members.remove_member(ports, principal, cluster_id, user_id)
    return Response(status_code=204)


@router.get("/clusters/{cluster_id}/invitations")
async def list_invitations(
    cluster_id: UUID, principal: PrincipalDep, ports: PortsDep
) -> list[InvitationOut]:
    return [invitation_out(i) for i in await invitations.pending(ports, principal, cluster_id)]


@router.post("/clusters/{cluster_id}/invitations", status_code=201)
async def invite(
    cluster_id: UUID, body: InvitationIn, principal: PrincipalDep, ports: PortsDep
) -> dict[str, object]:
    """An unknown address gets an invitation mail; a known account is added at once."""
    made = await invitations.invite(ports, principal, cluster_id, body.email, body.role)
    if made is None:
        return {"added": True, "invitation": None}
    return {"added": False, "invitation": invitation_out(made).model_dump(mode="json")}


@router.post("/invitations/{invitation_id}/resend")
async def resend_invitation(
    invitation_id: UUID, principal: PrincipalDep, ports: PortsDep
) -> InvitationOut:
    return invitation_out(await invitations.resend(ports, principal, invitation_id))


@router.delete("/invitations/{invitation_id}", status_code=204)
async def revoke_invitation(
    invitation_id: UUID, principal: PrincipalDep, ports: PortsDep
) -> Response:
    await invitations.revoke(ports, principal, invitation_id)
    return Response(status_code=204)


@router.get("/users", tags=["accounts"])
async def list_users(principal: PrincipalDep, ports: PortsDep) -> list[UserOut]:
    return [user_out(u) for u in await members.list_users(ports, principal)]


@router.put("/users/{user_id}/active", status_code=204, tags=["accounts"])
async def set_user_active(
    user_id: UUID, body: ActiveIn, principal: PrincipalDep, ports: PortsDep
) -> Response:
    await members.set_user_active(ports, principal, user_id, body.is_active)
    return Response(status_code=204)
