"""Accounts end to end in the domain with real parts: SQLite, Redis, the arq worker, .eml mail."""

import re
import uuid
from email import message_from_bytes, policy

import pytest

from domain import accounts, audit, credentials, invitations, members, sessions
from domain.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    Throttled,
)
from domain.invitations import LinkState
from domain.model import AuditQuery, Client, Role
from tests.conftest import PASSWORD, drain_queue, make_member

NEW_PASSWORD = "a brand new passphrase 2026"
HOSTILE_PASSWORDS = ["short", "x" * 20, "123456654321", "  123123QWEQWE ", "012345678910"]


def mails(runtime):
    found = []
    for path in sorted(runtime.settings.mail_dir.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        found.append((message["To"], message["Subject"], message.get_content()))
    return found


def link_token(body, kind):
    match = re.search(rf"/{kind}/([A-Za-z0-9_-]{{43}})", body)
    assert match, body
    return match.group(1)


async def test_an_invited_person_sets_a_password_and_signs_in(runtime):
    ports = runtime.ports
    admin = await make_member(runtime, "Plastic", Role.CLUSTER_ADMIN)
    cluster_id = next(iter(admin.memberships))
    email = f"new-{uuid.uuid4().hex[:6]}@example.org"

    invitation = await invitations.invite(ports, admin, cluster_id, email, "secretary")
    await drain_queue(runtime)
    to, subject, body = mails(runtime)[-1]
    token = link_token(body, "invite")
    before = await invitations.link_status(ports, token)
    await invitations.accept(ports, token, NEW_PASSWORD)
    _, principal = await accounts.sign_in(ports, email, NEW_PASSWORD)

    assert invitation is not None and to == email and "Plastic" in subject
    assert before.state == LinkState.OPEN
    assert principal.role_in(cluster_id) == Role.SECRETARY
    assert (await invitations.link_status(ports, token)).state == LinkState.USED
    with pytest.raises(InvalidInput):
        await invitations.accept(ports, token, NEW_PASSWORD)


async def test_an_expired_invitation_says_so_and_asks_the_inviter_for_a_new_one(runtime):
    ports = runtime.ports
    admin = await make_member(runtime, "Plastic", Role.CLUSTER_ADMIN)
    cluster_id = next(iter(admin.memberships))
    invitation = await invitations.invite(ports, admin, cluster_id, "late@example.org", "clinician")
    await drain_queue(runtime)
    token = link_token(mails(runtime)[-1][2], "invite")
    later = ports.clock() + __import__("datetime").timedelta(hours=73)
    object.__setattr__(ports, "clock", lambda: later)

    status = await invitations.link_status(ports, token)
    await invitations.ask_for_new_link(ports, token)
    await drain_queue(runtime)

    assert invitation is not None and status.state == LinkState.EXPIRED
    assert mails(runtime)[-1][0] == admin.user.email
    with pytest.raises(InvalidInput):
        await invitations.accept(ports, token, NEW_PASSWORD)


async def test_resending_replaces_the_link_and_revoking_ends_it(runtime):
    ports = runtime.ports
    admin = await make_member(runtime, "Plastic", Role.CLUSTER_ADMIN)
    cluster_id = next(iter(admin.memberships))
    invitation = await invitations.invite(
        ports, admin, cluster_id, "again@example.org", "clinician"
    )
    await drain_queue(runtime)
    first = link_token(mails(runtime)[-1][2], "invite")

    await invitations.resend(ports, admin, invitation.id)
    await drain_queue(runtime)
    second = link_token(mails(runtime)[-1][2], "invite")
    old_state = (await invitations.link_status(ports, first)).state
    await invitations.revoke(ports, admin, invitation.id)

    assert first != second and old_state == LinkState.USED
    assert (await invitations.link_status(ports, second)).state == LinkState.USED


async def test_a_password_reset_answers_alike_for_unknown_emails_and_ends_every_session(runtime):
    ports = runtime.ports
    member = await make_member(runtime, "Plastic", Role.CLINICIAN)
    device_token, _ = await accounts.sign_in(ports, member.user.email, PASSWORD)

    await credentials.ask_for_reset(ports, "nobody@example.org", Client("10.0.0.1"))
    await credentials.ask_for_reset(ports, member.user.email, Client("10.0.0.1"))
    await credentials.ask_for_reset(ports, member.user.email, Client("10.0.0.1"))
    await drain_queue(runtime)
    sent = mails(runtime)
    tokens = [link_token(body, "reset") for _, _, body in sent]
    working = []
    for token in tokens:  # the newer request superseded the older link
        try:
            await credentials.reset_password(ports, token, NEW_PASSWORD)
        except InvalidInput:
            continue
        working.append(token)

    assert [to for to, _, _ in sent] == [member.user.email, member.user.email]
    assert len(working) == 1
    assert f"{ports.limits.public_url}/reset/" in sent[-1][2]
    assert not await accounts.is_session_live(ports, device_token)
    with pytest.raises(NotAuthenticated):
        await accounts.sign_in(ports, member.user.email, PASSWORD)
    await accounts.sign_in(ports, member.user.email, NEW_PASSWORD)
    with pytest.raises(InvalidInput):
        await credentials.reset_password(ports, working[0], "another good passphrase")


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
async def test_weak_and_breached_passwords_are_refused(runtime, password):
    admin = await make_member(runtime, "Plastic", Role.CLUSTER_ADMIN)

    with pytest.raises(InvalidInput) as refused:
        await credentials.change_password(runtime.ports, admin, PASSWORD, password, Client())

    assert refused.value.field == "password"


async def test_long_unicode_passwords_are_kept_whole(runtime):
    ports = runtime.ports
    admin = await make_member(runtime, "Plastic", Role.CLUSTER_ADMIN)
    long_password = "Ærø æbleskiver 🍎 " * 12  # 216 characters, none truncated

    await credentials.change_password(ports, admin, PASSWORD, long_password, Client())

    await accounts.sign_in(ports, admin.user.email, long_password)
    with pytest.raises(NotAuthenticated):
        await accounts.sign_in(ports, admin.user.email, long_password[:-1])


async def test_repeated_failures_are_throttled_for_known_and_unknown_emails_alike(runtime):
    ports = runtime.ports
    member = await make_member(runtime, "Plastic", Role.CLINICIAN)
    outcomes = {}

    for email in (member.user.email, "ghost@example.org"):
        for _ in range(5):
            with pytest.raises(NotAuthenticated):
                await accounts.sign_in(ports, email, "wrong password!!", Client("10.9.9.9"))
        with pytest.raises(Throttled) as throttled:
            await accounts.sign_in(ports, email, PASSWORD, Client("10.9.9.9"))
        outcomes[email] = (throttled.value.message, throttled.value.retry_after_s <= 60)

    await accounts.sign_in(ports, member.user.email, PASSWORD, Client("10.1.1.1"))
    assert outcomes[member.user.email] == outcomes["ghost@example.org"]


async def test_ending_sessions_removal_and_disabling_take_effect_at_once(runtime):
    ports = runtime.ports
    admin = await make_member(runtime, "Plastic", Role.CLUSTER_ADMIN)
    member = await make_member(runtime, "Plastic", Role.CLINICIAN)
    cluster_id = next(iter(admin.memberships))
    token, laptop = await accounts.sign_in(
        ports, member.user.email, PASSWORD, Client("1.2.3.4", "Firefox")
    )

    listed = await sessions.my_sessions(ports, laptop)
    await sessions.end_other_sessions(ports, laptop)
    changed = await members.change_role(ports, admin, cluster_id, member.user.id, "secretary")
    again = await accounts.resolve_session(ports, token)
    await members.remove_member(ports, admin, cluster_id, member.user.id)

    assert len(listed) == 2 and sum(s.is_current for s in listed) == 1
    assert changed.role == Role.SECRETARY and again.role_in(cluster_id) == Role.SECRETARY
    assert not await accounts.is_session_live(ports, token)
    with pytest.raises(NotAuthenticated):
        await accounts.resolve_session(ports, token)


async def test_the_last_cluster_admin_stays_and_others_may_not_manage(runtime):
    ports = runtime.ports
    admin = await make_member(runtime, "Plastic", Role.CLUSTER_ADMIN)
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    outsider = await make_member(runtime, "Hand", Role.CLUSTER_ADMIN)
    cluster_id = next(iter(admin.memberships))

    with pytest.raises(Conflict):
        await members.change_role(ports, admin, cluster_id, admin.user.id, "clinician")
    with pytest.raises(NotPermitted):
        await invitations.invite(ports, clinician, cluster_id, "x@example.org", "clinician")
    with pytest.raises(NotFound):
        await members.list_members(ports, outsider, cluster_id)
    with pytest.raises(InvalidInput):
        await invitations.invite(ports, admin, cluster_id, "y@example.org", "owner")


async def test_audit_records_acts_and_exports_csv_without_formulas(runtime):
    ports = runtime.ports
    admin = await make_member(runtime, "Plastic", Role.CLUSTER_ADMIN)
    cluster_id = next(iter(admin.memberships))
    await invitations.invite(ports, admin, cluster_id, "=cmd@example.org", "clinician")

    entries, emails = await audit.browse(ports, admin, AuditQuery(cluster_id, action="member."))
    exported = await audit.export_csv(ports, admin, AuditQuery(cluster_id))
    checked, broken = await runtime.ports.audit.verify()

    assert [e.action for e in entries] == ["member.invite"]
    assert emails[admin.user.id] == admin.user.email
    assert exported.startswith("id,at_utc,actor_id,actor_email,action")
    assert "member.invite" in exported and "=cmd" not in exported
    assert broken is None and checked > 0
