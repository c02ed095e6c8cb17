"""Users, clusters and sessions: signing in, knowing who asks, and signing out."""

import re
import secrets
from datetime import datetime, timedelta
from uuid import UUID

from domain import throttling
from domain.audit import record
from domain.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from domain.model import AuditEvent, Client, Cluster, Principal, Role, User
from domain.passwords import MAX_PASSWORD_LENGTH, check_password_rules, normalise_password
from domain.policy import require_system_admin
from domain.ports import NewSession, Ports
from domain.tokens import new_token, token_hash

__all__ = ["MAX_PASSWORD_LENGTH", "sign_in"]

# One plain address: no display names, encoded words, comments or lists that a mail header
# would read as something else (or as several recipients).
_EMAIL = re.compile(
    r"^(?!.*=\?)[a-z0-9.!#$%&'*+/=?^_`{|}~-]+"  # the local part: no quotes, spaces, commas or =?
    r"@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"  # a domain
)
# Verified when the email is unknown, so both answers cost the same time.
_DUMMY_HASH: dict[str, str] = {}


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise InvalidInput("Enter an email address such as name@hospital.dk.", field="email")
    return cleaned


async def create_admin(ports: Ports, email: str, password: str, cluster_name: str | None) -> User:
    """Create a system admin (and, with a cluster name, that cluster with them as its admin)."""
    email = normalise_email(email)
    password = check_password_rules(ports, password, email)
    if await ports.accounts.find_user_by_email(email) is not None:
        raise Conflict("A user with this email already exists.")
    user = await ports.accounts.create_user(
        email, email.split("@")[0], ports.hash_password(password), is_system_admin=True
    )
    if cluster_name:
        cluster = await _cluster_named(ports, cluster_name)
        await ports.accounts.add_membership(user.id, cluster.id, Role.CLUSTER_ADMIN)
    await record(ports, None, "user.create_admin", object_type="user", object_id=user.id)
    return user


async def create_cluster(ports: Ports, principal: Principal, name: str) -> Cluster:
    """System admins create clusters; raises Conflict when the name is taken."""
    require_system_admin(principal)
    name = _cluster_name(name)
    if await ports.accounts.find_cluster_by_name(name) is not None:
        raise Conflict("A cluster with this name already exists.")
    cluster = await ports.accounts.create_cluster(name)
    await record(
        ports,
        principal,
        "cluster.create",
        cluster_id=cluster.id,
        object_type="cluster",
        object_id=cluster.id,
    )
    return cluster


async def list_clusters(ports: Ports, principal: Principal) -> list[Cluster]:
    if principal.user.is_system_admin:
        return await ports.accounts.list_clusters()
    names = await ports.accounts.cluster_names(list(principal.memberships))
    return [Cluster(cluster_id, name) for cluster_id, name in names.items()]


async def get_cluster(ports: Ports, principal: Principal, cluster_id: UUID) -> Cluster:
    """A cluster the principal belongs to (any cluster for a system admin); else NotFound."""
    cluster = await ports.accounts.get_cluster(cluster_id)
    visible = principal.user.is_system_admin or cluster_id in principal.memberships
    if cluster is None or not visible:
        raise NotFound("No such cluster.")
    return cluster


async def sign_in(
    ports: Ports, email: str, password: str, client: Client | None = None
) -> tuple[str, Principal]:
    """Check the credentials and open a session; raises NotAuthenticated or Throttled."""
    client = client or Client()
    email = email.strip().lower()
    keys = throttling.sign_in_keys(email, client.address)
    await throttling.check(ports, keys)
    password = normalise_password(password)
    found = await ports.accounts.find_user_by_email(email)
    password_hash = found[1] if found else _dummy_hash(ports)
    is_valid, new_hash = ports.verify_password(password, password_hash)
    if found is None or not is_valid or not found[0].is_active:
        await throttling.count(ports, keys)
        actor = found[0].id if found else None
        await ports.audit.append(AuditEvent("auth.sign_in", "failed", actor), ports.clock())
        raise NotAuthenticated("The email or password is not correct.")
    user = found[0]
    await throttling.forget(ports, keys[:1])
    if new_hash is not None:
        await ports.accounts.set_password_hash(user.id, new_hash)
    return await open_session(ports, user, client)


async def resolve_session(ports: Ports, token: str | None) -> Principal:
    """The principal behind a session token, marking it used; raises NotAuthenticated."""
    if not token:
        raise NotAuthenticated("Please sign in.")
    now = ports.clock()
    hashed = token_hash(token)
    user = await ports.accounts.touch_session(hashed, now, _idle_cutoff(ports))
    if user is None or not user.is_active:
        raise NotAuthenticated("Your session has ended. Please sign in again.")
    return Principal(user, hashed, await ports.accounts.memberships(user.id))


async def is_session_live(ports: Ports, token: str) -> bool:
    """Whether the session still holds, without counting this as activity (for open pages)."""
    user = await ports.accounts.peek_session(token_hash(token), ports.clock(), _idle_cutoff(ports))
    return user is not None and user.is_active


async def sign_out(ports: Ports, principal: Principal) -> None:
    await ports.accounts.end_session(principal.session_id, ports.clock())
    await ports.audit.append(AuditEvent("auth.sign_out", "ok", principal.user.id), ports.clock())


async def open_session(ports: Ports, user: User, client: Client) -> tuple[str, Principal]:
    """A new session (a new id at every sign-in) for a user whose credentials were checked."""
    token = new_token()
    now = ports.clock()
    expires_at = now + timedelta(hours=ports.limits.session_absolute_hours)
    session = NewSession(
        token_hash(token), user.id, now, expires_at, client.user_agent, client.address
    )
    await ports.accounts.create_session(session)
    await ports.audit.append(AuditEvent("auth.sign_in", "ok", user.id), now)
    memberships = await ports.accounts.memberships(user.id)
    return token, Principal(user, token_hash(token), memberships)


def _idle_cutoff(ports: Ports) -> datetime:
    return ports.clock() - timedelta(minutes=ports.limits.session_idle_minutes)


async def _cluster_named(ports: Ports, name: str) -> Cluster:
    name = _cluster_name(name)
    existing = await ports.accounts.find_cluster_by_name(name)
    return existing or await ports.accounts.create_cluster(name)


def _cluster_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 2 <= len(cleaned) <= 100:
        raise InvalidInput("A cluster name has 2 to 100 characters.", field="name")
    return cleaned


def _dummy_hash(ports: Ports) -> str:
    if "hash" not in _DUMMY_HASH:
        _DUMMY_HASH["hash"] = ports.hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH["hash"]


async def has_users(ports: Ports) -> bool:
    """Whether anyone can sign in yet (a fresh install has no accounts at all)."""
    return await ports.accounts.count_users() > 0
