"""Changing and resetting passwords. Either ends every session of the user.

A reset answers the same whether or not the email is known: the request only queues a job
(the same work either way); the job looks the user up and mails a link if there is one.
"""

from datetime import timedelta
from uuid import UUID

from domain import accounts, throttling
from domain.audit import record
from domain.errors import InvalidInput, NotAuthenticated
from domain.mail import reset_mail
from domain.model import AuditEvent, Client, Principal
from domain.passwords import check_password_rules, normalise_password
from domain.ports import Ports
from domain.tokens import is_plausible_token, new_token, token_hash

EXPIRED_LINK = "This link has expired or was already used. Ask for a new one."


async def change_password(
    ports: Ports, principal: Principal, current: str, new: str, client: Client
) -> str:
    """Check the current password, set the new one, end every session; returns a new token."""
    found = await ports.accounts.get_user(principal.user.id)
    if found is None:
        raise NotAuthenticated("Please sign in.")
    user, password_hash = found
    if not ports.verify_password(normalise_password(current), password_hash)[0]:
        await record(ports, principal, "auth.password_change", outcome="failed")
        raise InvalidInput("The current password is not correct.", field="current_password")
    password = check_password_rules(ports, new, user.email)
    await _store_password(ports, user.id, password)
    await record(ports, principal, "auth.password_change", object_type="user", object_id=user.id)
    token, _ = await accounts.open_session(ports, user, client)
    return token


async def ask_for_reset(ports: Ports, email: str, client: Client) -> None:
    """Queue a reset for the email, whoever it belongs to; raises Throttled when abused."""
    email = accounts.normalise_email(email)
    keys = throttling.reset_keys(email, client.address)
    await throttling.check(ports, keys)
    await throttling.count(ports, keys)
    await ports.queue.enqueue_password_reset(email)


async def send_reset_link(ports: Ports, email: str) -> bool:
    """Mail a fresh one-hour link to an active user (superseding older links); False otherwise."""
    found = await ports.accounts.find_user_by_email(email)
    if found is None or not found[0].is_active:
        await ports.audit.append(AuditEvent("auth.reset_request", "unknown", None), ports.clock())
        return False
    user = found[0]
    token, now = new_token(), ports.clock()
    expires_at = now + timedelta(minutes=ports.limits.reset_minutes)
    await ports.resets.replace(user.id, token_hash(token), now, expires_at)
    link = f"{ports.limits.public_url}/reset/{token}"
    await ports.mailer.send(reset_mail(user.email, link, ports.limits.reset_minutes))
    event = AuditEvent("auth.reset_request", "ok", None, object_type="user", object_id=str(user.id))
    await ports.audit.append(event, now)
    return True


async def reset_password(ports: Ports, token: str, password: str) -> None:
    """Spend the link, set the password, end every session; InvalidInput for a dead link."""
    if not is_plausible_token(token):
        raise InvalidInput(EXPIRED_LINK, field="token")
    now, hashed = ports.clock(), token_hash(token)
    found = None
    user_id = await ports.resets.peek(hashed, now)
    if user_id is not None:
        found = await ports.accounts.get_user(user_id)
    if found is None or not found[0].is_active:
        raise InvalidInput(EXPIRED_LINK, field="token")
    user = found[0]
    # A password refused by the rules must not waste the link: check before spending it.
    password = check_password_rules(ports, password, user.email)
    if await ports.resets.use(hashed, now) != user.id:
        raise InvalidInput(EXPIRED_LINK, field="token")
    await _store_password(ports, user.id, password)
    event = AuditEvent(
        "auth.password_reset", "ok", user.id, object_type="user", object_id=str(user.id)
    )
    await ports.audit.append(event, now)


async def _store_password(ports: Ports, user_id: UUID, password: str) -> None:
    now = ports.clock()
    await ports.accounts.set_password_hash(user_id, ports.hash_password(password), now)
    await ports.accounts.end_sessions_of(user_id, now, "password_changed")
