"""Users, clusters, memberships and sessions in the database."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from domain.model import Cluster, Role, User
from storage.models import ClusterRow, MembershipRow, SessionRow, UserRow


class AccountRepository:
    async def create_cluster(self, name: str) -> Cluster:
        row = await ClusterRow.create(name=name)
        return Cluster(row.id, row.name)

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

    async def set_password_hash(self, user_id: UUID, password_hash: str) -> None:
        await UserRow.filter(id=user_id).update(password_hash=password_hash)

    async def count_users(self) -> int:
        return await UserRow.all().count()

    async def add_membership(self, user_id: UUID, cluster_id: UUID, role: Role) -> None:
        await MembershipRow.update_or_create(
            defaults={"role": role.value}, user_id=user_id, cluster_id=cluster_id
        )

    async def memberships(self, user_id: UUID) -> dict[UUID, Role]:
        rows = await MembershipRow.filter(user_id=user_id).values("cluster_id", "role")
        return {row["cluster_id"]: Role(row["role"]) for row in rows}

    async def create_session(
        self, token_hash: str, user_id: UUID, now: datetime, expires_at: datetime
    ) -> None:
        await SessionRow.create(
            token_hash=token_hash,
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
        )

    async def touch_session(
        self, token_hash: str, now: datetime, idle_cutoff: datetime
    ) -> User | None:
        live = SessionRow.filter(
            token_hash=token_hash,
            ended_at__isnull=True,
            expires_at__gt=now,
            last_seen_at__gt=idle_cutoff,
        )
        if not await live.update(last_seen_at=now):
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

    async def end_session(self, token_hash: str, now: datetime) -> None:
        await SessionRow.filter(token_hash=token_hash, ended_at__isnull=True).update(ended_at=now)


def _user(row: UserRow) -> User:
    return User(
        row.id, row.email, row.display_name, row.is_system_admin, row.is_active, row.language
    )
