"""Users, clusters, memberships and sessions in the database."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tortoise.queryset import QuerySet

from domain.model import Cluster, Member, Role, SessionInfo, User
from domain.ports import NewSession
from storage.models import ClusterRow, MembershipRow, SessionRow, UserRow


class AccountRepository:
    async def create_cluster(self, name: str) -> Cluster:
        row = await ClusterRow.create(name=name)
        return Cluster(row.id, row.name)

    async def get_cluster(self, cluster_id: UUID) -> Cluster | None:
        row = await ClusterRow.get_or_none(id=cluster_id)
        return Cluster(row.id, row.name) if row else None

    async def find_cluster_by_name(self, name: str) -> Cluster | None:
        row = await ClusterRow.get_or_none(name=name)
        return Cluster(row.id, row.name) if row else None

    async def list_clusters(self) -> list[Cluster]:
        return [Cluster(row.id, row.name) for row in await ClusterRow.all().order_by("name")]

    async def cluster_names(self, cluster_ids: Sequence[UUID]) -> dict[UUID, str]:
        rows = await ClusterRow.filter(id__in=list(cluster_ids)).order_by("name")
        return {row.id: row.name for row in rows}

    async def create_user(
        self, email: str, display_name: str, password_hash: str, *, is_system_admin: bool
    ) -> User:
        row = await UserRow.create(
            email=email,
            display_name=display_name,
            password_hash=password_hash,
            is_system_admin=is_system_admin,
        )
        return _user(row)

    async def find_user_by_email(self, email: str) -> tuple[User, str] | None:
        row = await UserRow.get_or_none(email=email)
        return (_user(row), row.password_hash) if row else None

    async def get_user(self, user_id: UUID) -> tuple[User, str] | None:
        row = await UserRow.get_or_none(id=user_id)
        return (_user(row), row.password_hash) if row else None

    async def users_by_id(self, user_ids: Sequence[UUID]) -> dict[UUID, User]:
        rows = await UserRow.filter(id__in=list(set(user_ids)))
        return {row.id: _user(row) for row in rows}

    async def list_users(self) -> list[User]:
        return [_user(row) for row in await UserRow.all().order_by("email")]

    async def set_user_active(self, user_id: UUID, is_active: bool) -> None:
        await UserRow.filter(id=user_id).update(is_active=is_active)

    async def set_password_hash(
        self, user_id: UUID, password_hash: str, changed_at: datetime | None = None
    ) -> None:
        if changed_at is None:
            await UserRow.filter(id=user_id).update(password_hash=password_hash)
            return
        await UserRow.filter(id=user_id).update(
            password_hash=password_hash, password_changed_at=changed_at
        )

    async def count_users(self) -> int:
        return await UserRow.all().count()

    async def add_membership(self, user_id: UUID, cluster_id: UUID, role: Role) -> None:
        await MembershipRow.update_or_create(
            defaults={"role": role.value}, user_id=user_id, cluster_id=cluster_id
        )

    async def remove_membership(self, user_id: UUID, cluster_id: UUID) -> bool:
        return bool(await MembershipRow.filter(user_id=user_id, cluster_id=cluster_id).delete())

    async def memberships(self, user_id: UUID) -> dict[UUID, Role]:
        rows = await MembershipRow.filter(user_id=user_id).values("cluster_id", "role")
        return {row["cluster_id"]: Role(row["role"]) for row in rows}

    async def members(self, cluster_id: UUID) -> list[Member]:
        rows = await MembershipRow.filter(cluster_id=cluster_id).prefetch_related("user")
        found = [Member(_user(row.user), Role(row.role)) for row in rows]
        return sorted(found, key=lambda member: member.user.email)

    async def create_session(self, session: NewSession) -> None:
        await SessionRow.create(
            token_hash=session.token_hash,
            user_id=session.user_id,
            created_at=session.created_at,
            last_seen_at=session.created_at,
            expires_at=session.expires_at,
            user_agent=session.user_agent[:200],
            client_address=session.client_address[:64],
        )

    async def touch_session(
        self, token_hash: str, now: datetime, idle_cutoff: datetime
    ) -> User | None:
        if not await _live(now, idle_cutoff).filter(token_hash=token_hash).update(last_seen_at=now):
            return None
        row = await SessionRow.get(token_hash=token_hash).prefetch_related("user")
        return _user(row.user)

    async def set_language(self, user_id: UUID, language: str | None) -> None:
        await UserRow.filter(id=user_id).update(language=language)

    async def display_names(self, user_ids: Sequence[UUID]) -> dict[UUID, str]:
        rows = await UserRow.filter(id__in=list(set(user_ids))).values("id", "display_name")
        return {row["id"]: row["display_name"] for row in rows}

    async def cluster_members(self, cluster_id: UUID) -> dict[UUID, str]:
        rows = await MembershipRow.filter(cluster_id=cluster_id).prefetch_related("user")
        members = {row.user.id: row.user.display_name for row in rows}
        return dict(sorted(members.items(), key=lambda item: item[1].lower()))

    async def peek_session(
        self, token_hash: str, now: datetime, idle_cutoff: datetime
    ) -> User | None:
        row = await _live(now, idle_cutoff).filter(token_hash=token_hash).first()
        if row is None:
            return None
        await row.fetch_related("user")
        return _user(row.user)

    async def end_session(self, token_hash: str, now: datetime, reason: str = "sign_out") -> None:
        await SessionRow.filter(token_hash=token_hash, ended_at__isnull=True).update(
            ended_at=now, end_reason=reason
        )

    async def live_sessions(
        self, user_id: UUID, now: datetime, idle_cutoff: datetime
    ) -> list[tuple[str, SessionInfo]]:
        rows = await _live(now, idle_cutoff).filter(user_id=user_id).order_by("-last_seen_at")
        return [(row.token_hash, _session(row)) for row in rows]

    async def end_sessions_of(
        self, user_id: UUID, now: datetime, reason: str, *, keep: str | None = None
    ) -> int:
        query = SessionRow.filter(user_id=user_id, ended_at__isnull=True)
        if keep is not None:
            query = query.exclude(token_hash=keep)
        return await query.update(ended_at=now, end_reason=reason)


def _live(now: datetime, idle_cutoff: datetime) -> QuerySet[SessionRow]:
    return SessionRow.filter(
        ended_at__isnull=True, expires_at__gt=now, last_seen_at__gt=idle_cutoff
    )


def _user(row: UserRow) -> User:
    return User(
        row.id, row.email, row.display_name, row.is_system_admin, row.is_active, row.language
    )


def _session(row: SessionRow) -> SessionInfo:
    return SessionInfo(
        row.public_id, row.created_at, row.last_seen_at, row.user_agent, row.client_address
    )
