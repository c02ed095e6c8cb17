"""Photo search in SQL over the photo table's copied columns, and saved searches.

One statement groups the matches by series and counts them, one fetches the page's thumbnails.
Consent is a condition in the same statement: each photo row carries a bit per active consent
scope of its series, rewritten in the transaction that records or withdraws a consent, so a
withdrawal takes effect on the next search with no cache to clear.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from domain.search import (
    THUMBNAILS_PER_HIT,
    HitPage,
    PhotoQuery,
    SavedSearch,
    SeriesHit,
    filters_from_mapping,
    filters_to_mapping,
)
from storage.models import SavedSearchRow
from storage.search_facts import scope_mask

CODE_HELD = (
    "p.series_id IN (SELECT sc.series_id FROM series_code sc"
    " WHERE sc.cluster_id = ? AND sc.kind = ? AND sc.code = ?)"
)


# The SQL below interpolates only "?" placeholders, the clause constants above and integers;
# every value a user chose travels as a parameter.


class SearchRepository:
    async def find(self, query: PhotoQuery, offset: int, limit: int) -> HitPage:
        connection = connections.get("default")
        postgres = _is_postgres(connection)
        where, params = photo_conditions(query, postgres)
        # SQLite would rather walk the whole series index than sort the matches for GROUP BY;
        # the unary + hides that index's order so it picks the index that narrows the search.
        group = "p.series_id" if postgres else "+p.series_id"
        # One pass: group the matches by series, then count the groups with window functions
        # before the page is cut, so the totals cost no second scan.
        page = await _rows(
            connection,
            "SELECT series_id, n, last, COUNT(*) OVER () AS total_series,"  # noqa: S608
            " SUM(n) OVER () AS total_photos FROM (SELECT p.series_id AS series_id,"
            " COUNT(*) AS n, MAX(p.shot_at) AS last"
            f" FROM photo p WHERE {where} GROUP BY {group}) grouped"
            f" ORDER BY last DESC, series_id LIMIT {int(limit)} OFFSET {int(offset)}",
            params,
        )
        if not page:
            return await self._totals_only(connection, where, params)
        thumbs = await _thumbnails(connection, where, params, [row["series_id"] for row in page])
        hits = tuple(
            SeriesHit(
                _uuid(row["series_id"]),
                int(row["n"]),
                int(row["last"]),
                thumbs.get(str(row["series_id"]), ()),
            )
            for row in page
        )
        return HitPage(int(page[0]["total_series"]), int(page[0]["total_photos"]), hits)

    async def _totals_only(
        self, connection: BaseDBAsyncClient, where: str, params: list[Any]
    ) -> HitPage:
        totals = await _rows(
            connection,
            f"SELECT COUNT(DISTINCT p.series_id) AS s, COUNT(*) AS n FROM photo p WHERE {where}",  # noqa: S608
            params,
        )
        return HitPage(int(totals[0]["s"] or 0), int(totals[0]["n"] or 0), ())

    async def save(self, saved: SavedSearch) -> None:
        await SavedSearchRow.create(
            id=saved.id,
            cluster_id=saved.cluster_id,
            owner_id=saved.owner_id,
            name=saved.name,
            filters=filters_to_mapping(saved.filters),
            is_shared=saved.is_shared,
            created_at=saved.created_at,
        )

    async def saved(self, cluster_id: UUID, user_id: UUID) -> list[SavedSearch]:
        rows = await SavedSearchRow.filter(cluster_id=cluster_id).order_by("name")
        return [_saved(row) for row in rows if row.is_shared or row.owner_id == user_id]

    async def get_saved(self, search_id: UUID) -> SavedSearch | None:
        row = await SavedSearchRow.get_or_none(id=search_id)
        return _saved(row) if row else None

    async def delete_saved(self, search_id: UUID) -> None:
        await SavedSearchRow.filter(id=search_id).delete()


def photo_conditions(query: PhotoQuery, postgres: bool) -> tuple[str, list[Any]]:
    """The WHERE clause (with ? placeholders) and its parameters for a checked query."""

    def key(value: UUID) -> Any:
        return value if postgres else str(value)

    # search_scopes is 0 for photos not ready, acute or without clinical consent, and has a
    # bit per active consent scope otherwise (storage/search_facts.py keeps it in step with
    # the consent rows in the same transaction as every consent change).
    wanted = scope_mask(query.scopes)
    clauses = ["p.cluster_id = ?", "(p.search_scopes & ?) = ?"]
    params: list[Any] = [key(query.cluster_id), wanted, wanted]
    for kind, prefix in (
        ("diagnosis", query.diagnosis_prefix),
        ("procedure", query.procedure_prefix),
    ):
        if prefix is not None:
            clauses.append(CODE_HELD)
            params += [key(query.cluster_id), kind, prefix]
    if query.body_site_ids is not None:
        sites = sorted(query.body_site_ids)
        clauses.append(f"p.body_site_id IN ({', '.join('?' for _ in sites)})")
        params += sites
    simple = (
        ("p.side = ?", query.side),
        ("p.sex = ?", query.sex),
        ("p.phase = ?", query.phase),
        ("p.view_id = ?", query.view_id),
        ("p.age_years >= ?", query.age_min),
        ("p.age_years <= ?", query.age_max),
        ("p.shot_at >= ?", query.shot_from),
        ("p.shot_at < ?", query.shot_until),
        ("p.captured_by_id = ?", key(query.captured_by) if query.captured_by else None),
    )
    for clause, value in simple:
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return " AND ".join(clauses), params


async def _thumbnails(
    connection: BaseDBAsyncClient, where: str, params: list[Any], series_ids: Sequence[Any]
) -> dict[str, tuple[UUID, ...]]:
    if not series_ids:
        return {}
    marks = ", ".join("?" for _ in series_ids)
    rows = await _rows(
        connection,
        "SELECT id, series_id FROM (SELECT p.id AS id, p.series_id AS series_id, ROW_NUMBER()"  # noqa: S608
        " OVER (PARTITION BY p.series_id ORDER BY p.shot_at DESC, p.id) AS rank"
        f" FROM photo p WHERE {where} AND p.series_id IN ({marks})) ranked"
        f" WHERE rank <= {THUMBNAILS_PER_HIT} ORDER BY rank",
        [*params, *series_ids],
    )
    found: dict[str, tuple[UUID, ...]] = {}
    for row in rows:
        key = str(row["series_id"])
        found[key] = (*found.get(key, ()), _uuid(row["id"]))
    return found


async def _rows(connection: BaseDBAsyncClient, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    if _is_postgres(connection):
        sql = numbered_placeholders(sql)
    return await connection.execute_query_dict(sql, params)


def numbered_placeholders(sql: str) -> str:
    """? placeholders as PostgreSQL's $1, $2, ... (the SQL here holds no literal question marks)."""
    parts = sql.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]


def _is_postgres(connection: BaseDBAsyncClient) -> bool:
    return connection.capabilities.dialect == "postgres"


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _saved(row: SavedSearchRow) -> SavedSearch:
    return SavedSearch(
        id=row.id,
        cluster_id=row.cluster_id,
        owner_id=row.owner_id,
        name=row.name,
        filters=filters_from_mapping(row.filters),
        is_shared=row.is_shared,
        created_at=row.created_at,
    )
