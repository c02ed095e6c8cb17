"""Users, clusters, memberships and sessions: signing in and knowing who asks."""

import hashlib
import re
import secrets
from datetime import timedelta

from domain.audit import record
from domain.errors import Conflict, InvalidInput, NotAuthenticated
from domain.model import AuditEvent, Cluster, Principal, Role, User
from domain.policy import require_system_admin
from domain.ports import Ports

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Verified when the email is unknown, so both answers cost the same time.
_DUMMY_HASH: dict[str, str] = {}


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise InvalidInput("Enter an email address such as name@hospital.dk.", field="email")
    return cleaned


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput("That password is too long.", field="password")


async def create_admin(ports: Ports, email: str, password: str, cluster_name: str | None) -> User:
    """Create a system admin (and, with a cluster name, that cluster with them as its admin)."""
    email = normalise_email(email)
    check_password_rules(password)
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


async def sign_in(ports: Ports, email: str, password: str) -> tuple[str, Principal]:
    """Check the credentials and open a session; returns the session token and the principal."""
    found = await ports.accounts.find_user_by_email(email.strip().lower())
    if found is None:
        ports.verify_password(password, _dummy_hash(ports))
        await record(ports, None, "auth.sign_in", outcome="failed")
        raise NotAuthenticated("The email or password is not correct.")
    user, password_hash = found
    is_valid, new_hash = ports.verify_password(password, password_hash)
    if not is_valid or not user.is_active:
        await ports.audit.append(AuditEvent("auth.sign_in", "failed", user.id), ports.clock())
        raise NotAuthenticated("The email or password is not correct.")
    if new_hash is not None:
        await ports.accounts.set_password_hash(user.id, new_hash)
    return await _open_session(ports, user)


async def resolve_session(ports: Ports, token: str | None) -> Principal:
    """The principal behind a session token; raises NotAuthenticated when it is not valid."""
    if not token:
        raise NotAuthenticated("Please sign in.")
    now = ports.clock()
    idle_cutoff = now - timedelta(minutes=ports.limits.session_idle_minutes)
    token_hash = _token_hash(token)
    user = await ports.accounts.touch_session(token_hash, now, idle_cutoff)
    if user is None or not user.is_active:
        raise NotAuthenticated("Your session has ended. Please sign in again.")
    return Principal(user, token_hash, await ports.accounts.memberships(user.id))


async def sign_out(ports: Ports, principal: Principal) -> None:
    await ports.accounts.end_session(principal.session_id, ports.clock())
    await ports.audit.append(AuditEvent("auth.sign_out", "ok", principal.user.id), ports.clock())


async def open_session(ports: Ports, user: User) -> tuple[str, Principal]:
    """A new session for a user verified another way (the phone app's PIN or passkey)."""
    return await _open_session(ports, user)


async def _open_session(ports: Ports, user: User) -> tuple[str, Principal]:
    token = secrets.token_urlsafe(32)
    now = ports.clock()
    expires_at = now + timedelta(hours=ports.limits.session_absolute_hours)
    await ports.accounts.create_session(_token_hash(token), user.id, now, expires_at)
    await ports.audit.append(AuditEvent("auth.sign_in", "ok", user.id), now)
    memberships = await ports.accounts.memberships(user.id)
    return token, Principal(user, _token_hash(token), memberships)


async def _cluster_named(ports: Ports, name: str) -> Cluster:
    name = _cluster_name(name)
    existing = await ports.accounts.find_cluster_by_name(name)
    return existing or await ports.accounts.create_cluster(name)


def _cluster_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 2 <= len(cleaned) <= 100:
        raise InvalidInput("A cluster name has 2 to 100 characters.", field="name")
    return cleaned


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _dummy_hash(ports: Ports) -> str:
    if "hash" not in _DUMMY_HASH:
        _DUMMY_HASH["hash"] = ports.hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH["hash"]


async def has_users(ports: Ports) -> bool:
    """Whether anyone can sign in yet (a fresh install has no accounts at all)."""
    return await ports.accounts.count_users() > 0
