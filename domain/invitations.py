"""Inviting people into a cluster by email, and the life of the single-use link.

A new address gets an invitation: a link valid for 72 hours (the token is stored only as a
hash) where they choose a password. An address that already has an account is added at once
and told by mail. Invitations can be resent (a new link) and revoked.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from uuid import UUID

from domain import accounts
from domain.audit import record
from domain.errors import Conflict, InvalidInput, NotFound
from domain.mail import added_to_cluster_mail, invitation_mail, renewal_request_mail
from domain.model import Invitation, Principal, Role
from domain.passwords import check_password_rules
from domain.policy import Action, require_cluster_admin
from domain.ports import NewInvitation, Ports
from domain.tokens import is_plausible_token, new_token, token_hash


class LinkState(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    USED = "used"  # accepted, revoked or unknown: nothing to do with this link


@dataclass(frozen=True)
class LinkStatus:
    state: LinkState
    email: str = ""
    cluster_name: str = ""


async def invite(
    ports: Ports, principal: Principal, cluster_id: UUID, email: str, role: str
) -> Invitation | None:
    """Invite an address with a role; returns None when an existing user was added directly."""
    require_cluster_admin(principal, Action.MANAGE_MEMBERS, cluster_id)
    cluster = await accounts.get_cluster(ports, principal, cluster_id)
    email, parsed_role = accounts.normalise_email(email), parse_role(role)
    existing = await ports.accounts.find_user_by_email(email)
    if existing is not None:
        await _add_existing(ports, principal, cluster_id, cluster.name, existing[0].id, parsed_role)
        return None
    now, token = ports.clock(), new_token()
    await ports.invitations.revoke_open(email, cluster_id, now)
    expires_at = now + timedelta(hours=ports.limits.invitation_hours)
    new = NewInvitation(
        email, cluster_id, parsed_role, principal.user.id, token_hash(token), now, expires_at
    )
    invitation = await ports.invitations.add(new)
    await _mail_link(ports, invitation, cluster.name, token)
    await _audit(ports, principal, "member.invite", invitation)
    return invitation


async def resend(ports: Ports, principal: Principal, invitation_id: UUID) -> Invitation:
    """A new link (the old one stops working) and a new 72 hours."""
    invitation = await _open_invitation(ports, principal, invitation_id)
    cluster = await accounts.get_cluster(ports, principal, invitation.cluster_id)
    token = new_token()
    expires_at = ports.clock() + timedelta(hours=ports.limits.invitation_hours)
    await ports.invitations.renew(invitation.id, token_hash(token), expires_at)
    await _mail_link(ports, invitation, cluster.name, token)
    await _audit(ports, principal, "member.invite_resend", invitation)
    return await _get(ports, invitation.id)


async def revoke(ports: Ports, principal: Principal, invitation_id: UUID) -> None:
    invitation = await _open_invitation(ports, principal, invitation_id)
    await ports.invitations.mark(invitation.id, "revoked_at", ports.clock())
    await _audit(ports, principal, "member.invite_revoke", invitation)


async def pending(ports: Ports, principal: Principal, cluster_id: UUID) -> list[Invitation]:
    """Invitations not yet accepted nor revoked (expired ones included, to resend)."""
    require_cluster_admin(principal, Action.MANAGE_MEMBERS, cluster_id)
    return await ports.invitations.open_for_cluster(cluster_id)


async def link_status(ports: Ports, token: str) -> LinkStatus:
    """What the invitation page should offer for this link."""
    invitation = await _by_token(ports, token)
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return LinkStatus(LinkState.USED)
    cluster = await ports.accounts.get_cluster(invitation.cluster_id)
    name = cluster.name if cluster else ""
    if not invitation.is_open(ports.clock()):
        return LinkStatus(LinkState.EXPIRED, invitation.email, name)
    return LinkStatus(LinkState.OPEN, invitation.email, name)


async def accept(ports: Ports, token: str, password: str) -> None:
    """Set the password, create the account and the membership; the link then stops working."""
    invitation = await _by_token(ports, token)
    if invitation is None or not invitation.is_open(ports.clock()):
        raise InvalidInput("This invitation has expired or was already used.", field="token")
    existing = await ports.accounts.find_user_by_email(invitation.email)
    if existing is None:
        password = check_password_rules(ports, password, invitation.email)
    if not await ports.invitations.mark(invitation.id, "accepted_at", ports.clock()):
        raise InvalidInput("This invitation has expired or was already used.", field="token")
    if existing is None:
        user = await ports.accounts.create_user(
            invitation.email,
            invitation.email.split("@")[0],
            ports.hash_password(password),
            is_system_admin=False,
        )
    else:
        user = existing[0]
    await ports.accounts.add_membership(user.id, invitation.cluster_id, invitation.role)
    await record(
        ports,
        None,
        "member.invite_accept",
        cluster_id=invitation.cluster_id,
        object_type="user",
        object_id=user.id,
    )


async def ask_for_new_link(ports: Ports, token: str) -> None:
    """Mail the inviter that an expired invitation is wanted again (once per invitation)."""
    invitation = await _by_token(ports, token)
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        raise InvalidInput("This invitation is no longer valid.", field="token")
    if invitation.is_open(ports.clock()):
        raise Conflict("This invitation is still valid: use the link to choose a password.")
    if not await ports.invitations.mark(invitation.id, "renewal_asked_at", ports.clock()):
        return
    cluster = await ports.accounts.get_cluster(invitation.cluster_id)
    inviter = (
        await ports.accounts.get_user(invitation.invited_by) if invitation.invited_by else None
    )
    if cluster is None or inviter is None or not inviter[0].is_active:
        return
    link = f"{ports.limits.public_url}/members?cluster={cluster.id}"
    await ports.mailer.send(
        renewal_request_mail(inviter[0].email, invitation.email, cluster.name, link)
    )
    await record(
        ports,
        None,
        "member.invite_renewal_asked",
        cluster_id=cluster.id,
        object_type="invitation",
        object_id=invitation.id,
    )


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput(f"A role is one of: {choices}.", field="role") from None


async def _add_existing(
    ports: Ports, principal: Principal, cluster_id: UUID, cluster: str, user_id: UUID, role: Role
) -> None:
    found = await ports.accounts.get_user(user_id)
    if found is None or not found[0].is_active:
        raise Conflict("This account is disabled; a system administrator can enable it.")
    if cluster_id in await ports.accounts.memberships(user_id):
        raise Conflict("This person is already a member of the cluster.")
    await ports.accounts.add_membership(user_id, cluster_id, role)
    sign_in = f"{ports.limits.public_url}/login"
    await ports.mailer.send(added_to_cluster_mail(found[0].email, cluster, role, sign_in))
    await record(
        ports,
        principal,
        "member.add",
        cluster_id=cluster_id,
        object_type="user",
        object_id=user_id,
    )


async def _mail_link(ports: Ports, invitation: Invitation, cluster: str, token: str) -> None:
    link = f"{ports.limits.public_url}/invite/{token}"
    mail = invitation_mail(
        invitation.email, cluster, invitation.role, link, ports.limits.invitation_hours
    )
    await ports.mailer.send(mail)


async def _by_token(ports: Ports, token: str) -> Invitation | None:
    if not is_plausible_token(token):
        return None
    return await ports.invitations.find_by_token(token_hash(token))


async def _get(ports: Ports, invitation_id: UUID) -> Invitation:
    invitation = await ports.invitations.get(invitation_id)
    if invitation is None:
        raise NotFound("No such invitation.")
    return invitation


async def _open_invitation(ports: Ports, principal: Principal, invitation_id: UUID) -> Invitation:
    invitation = await _get(ports, invitation_id)
    if not principal.user.is_system_admin and invitation.cluster_id not in principal.memberships:
        raise NotFound("No such invitation.")
    require_cluster_admin(principal, Action.MANAGE_MEMBERS, invitation.cluster_id)
    if invitation.accepted_at or invitation.revoked_at:
        raise Conflict("This invitation was already accepted or revoked.")
    return invitation


async def _audit(ports: Ports, principal: Principal, action: str, invitation: Invitation) -> None:
    await record(
        ports,
        principal,
        action,
        cluster_id=invitation.cluster_id,
        object_type="invitation",
        object_id=invitation.id,
    )
