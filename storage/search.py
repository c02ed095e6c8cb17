"""Photo search in SQL over the photo table's copied columns, and saved searches.

One statement reads the matches up to a cap (PHOTO_COUNT_CAP photos) and groups them by
series: it gives the totals, and when it read every match, the page's series too. Past the cap
the totals are lower bounds, and a second statement reads only the newest matches in an index's
shot_at order until the page's series are settled. One more fetches the page's counts and
thumbnails. Consent is a condition in every statement: each photo row carries a bit per active
consent scope of its series, rewritten in the transaction that records or withdraws a consent,
so a withdrawal takes effect on the next search with no cache to clear.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain.search import (
    PHOTO_COUNT_CAP,
    SERIES_COUNT_CAP,
    THUMBNAILS_PER_HIT,
    HitPage,
    PhotoQuery,
    SavedSearch,
    SeriesHit,
    filters_from_mapping,
    filters_to_mapping,
)
from storage.models import SavedSearchRow
from storage.search_facts import ALL_SCOPES, scope_mask

# A code filter: the series holding the code in the cluster, whose summaries (SUMMARY, see
# storage/models.py SeriesCodeRow) do not rule them out, written three ways.
CODE = "sc.cluster_id = ? AND sc.kind = ? AND sc.code = ?"
CODE_HELD = "p.series_id IN (SELECT sc.series_id FROM series_code sc WHERE {code})"
# What a statement is for, which decides how SQLite is steered (PostgreSQL weighs all this
# itself from its statistics): "all" reads every match, driven by a code's series when a code
# is asked for (the quickest way even for a code most series hold); "newest" reads a few
# matches in shot_at order, so each photo's series is looked up in series_code and the other
# filters are hidden from the index choice (unary +) to keep an index in shot_at order;
# "page" reads the page's series, which are known to hold the codes asked for.
CODE_PROBE = "EXISTS (SELECT 1 FROM series_code sc WHERE {code} AND sc.series_id = p.series_id)"
# For "all" SQLite walks the first code's series and joins their photos: an IN list over the
# same series is built whole before the first photo is read (65,000 series for a procedure
# group as broad as KQ), while the join stops as soon as enough matches are found. A series
# holds each code prefix once, so the join yields each photo once.
CODE_DRIVES = "{code} AND p.series_id = sc.series_id"
# Series-wide ranges that must meet the asked ones for any photo of the series to match.
SUMMARY = (
    ("sc.age_high >= ?", "age_min"),
    ("sc.age_low <= ?", "age_max"),
    ("sc.shot_high >= ?", "shot_from"),
    ("sc.shot_low < ?", "shot_until"),
)


# The SQL below interpolates only "?" placeholders, the clause constants above and integers;
# every value a user chose travels as a parameter.


class SearchRepository:
    async def find(self, query: PhotoQuery, offset: int, limit: int) -> HitPage:
        if not _is_postgres(connections.get("default")):
            return await self._find(connections.get("default"), query, offset, limit)
        async with in_transaction("default") as connection:
            # asyncpg prepares each statement, and after five runs PostgreSQL may switch to a
            # generic plan that ignores the values (cluster, code, ages): for these statements
            # that plan was up to ten times slower. Plan each search for its own values, and
            # without parallel workers: starting them cost more than the few thousand rows a
            # search reads (a walk in shot_at order took 18 ms with two workers, 6 ms without).
            await connection.execute_script(
                "SET LOCAL plan_cache_mode = force_custom_plan;"
                " SET LOCAL max_parallel_workers_per_gather = 0"
            )
            return await self._find(connection, query, offset, limit)

    async def _find(
        self, connection: BaseDBAsyncClient, query: PhotoQuery, offset: int, limit: int
    ) -> HitPage:
        postgres = _is_postgres(connection)
        tables, where, params = photo_conditions(query, postgres)
        # One statement reads at most PHOTO_COUNT_CAP + 1 matches, in whatever order the best
        # index gives, and answers the totals and (when it read every match) the page.
        rows = await _rows(
            connection,
            "WITH matched AS (SELECT p.series_id AS series_id, p.shot_at AS shot_at"  # noqa: S608
            f" FROM {tables} WHERE {where} LIMIT {int(PHOTO_COUNT_CAP) + 1}),"
            " grouped AS (SELECT series_id, COUNT(*) AS n, MAX(shot_at) AS last"
            " FROM matched GROUP BY series_id)"
            " SELECT 0 AS part, NULL AS series_id, COUNT(*) AS n, SUM(n) AS last FROM grouped"
            " UNION ALL SELECT 1 AS part, series_id, n, last FROM (SELECT series_id, n, last"
            " FROM grouped ORDER BY last DESC, series_id"
            f" LIMIT {int(limit)} OFFSET {int(offset)}) page",
            params,
        )
        totals = next(row for row in rows if int(row["part"]) == 0)
        series, photos = int(totals["n"] or 0), int(totals["last"] or 0)
        capped = photos > PHOTO_COUNT_CAP
        if capped:
            # Only some matches were read: find the page among the newest ones instead.
            total_series, total_photos = min(series, SERIES_COUNT_CAP), PHOTO_COUNT_CAP
            _, walk_where, walk_params = photo_conditions(query, postgres, "newest")
            page_ids = await _newest_series(connection, walk_where, walk_params, offset + limit)
            page_ids = page_ids[offset:]
        else:
            total_series, total_photos = series, photos
            page = [row for row in rows if int(row["part"]) == 1]
            page.sort(key=lambda row: (-int(row["last"]), str(row["series_id"])))
            page_ids = [row["series_id"] for row in page]
        # The page's series hold the codes asked for: no need to test them again.
        _, details_where, details_params = photo_conditions(query, postgres, "page")
        details = await _page_details(connection, details_where, details_params, page_ids)
        hits = tuple(
            SeriesHit(_uuid(series_id), *details[str(series_id)])
            for series_id in page_ids
            if str(series_id) in details
        )
        return HitPage(total_series, total_photos, hits, capped)

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


def photo_conditions(
    query: PhotoQuery, postgres: bool, purpose: str = "all"
) -> tuple[str, str, list[Any]]:
    """The FROM and WHERE clauses (with ? placeholders) and the parameters for a checked query;
    `purpose` ("all", "newest", "page") steers SQLite's plan (see CODE_PROBE, CODE_DRIVES)."""

    def key(value: UUID) -> Any:
        return value if postgres else str(value)

    # search_scopes is 0 for photos not ready, acute or without clinical consent, and has a
    # bit per active consent scope otherwise (storage/search_facts.py keeps it in step with
    # the consent rows in the same transaction as every consent change).
    # The test (search_scopes & wanted) = wanted is written as the list of masks that pass it:
    # the same rows (a mask never exceeds ALL_SCOPES), but the planners can estimate an IN
    # list from the column's statistics, while a bitwise test gets a fixed guess of 0.5% that
    # led PostgreSQL into nested loops over tens of thousands of rows.
    wanted = scope_mask(query.scopes)
    passing = [mask for mask in range(ALL_SCOPES + 1) if mask & wanted == wanted]
    clauses = [
        "p.cluster_id = ?",
        f"p.search_scopes IN ({', '.join('?' for _ in passing)})",
    ]
    params: list[Any] = [key(query.cluster_id), *passing]
    tables = "photo p"
    if purpose != "page":
        tables, codes, code_params = _code_conditions(query, postgres, purpose, passing)
        clauses += codes
        params += code_params
    # Phase, photographer and capture time lead indexes that are also in shot_at order.
    hide = "+" if purpose == "newest" and not postgres else ""
    if query.body_site_ids is not None:
        sites = sorted(query.body_site_ids)
        clauses.append(f"{hide}p.body_site_id IN ({', '.join('?' for _ in sites)})")
        params += sites
    simple = (
        (f"{hide}p.side = ?", query.side),
        (f"{hide}p.sex = ?", query.sex),
        ("p.phase = ?", query.phase),
        (f"{hide}p.view_id = ?", query.view_id),
        (f"{hide}p.age_years >= ?", query.age_min),
        (f"{hide}p.age_years <= ?", query.age_max),
        ("p.shot_at >= ?", query.shot_from),
        ("p.shot_at < ?", query.shot_until),
        ("p.captured_by_id = ?", key(query.captured_by) if query.captured_by else None),
    )
    for clause, value in simple:
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return tables, " AND ".join(clauses), params


def _code_conditions(
    query: PhotoQuery, postgres: bool, purpose: str, passing: list[int]
) -> tuple[str, list[str], list[Any]]:
    """The tables, clauses and parameters of the diagnosis and procedure filters."""
    summary = [f"sc.scopes IN ({', '.join('?' for _ in passing)})"]
    summary_params: list[Any] = [*passing]
    for clause, name in SUMMARY:
        if (value := getattr(query, name)) is not None:
            summary.append(clause)
            summary_params.append(value)
    code = " AND ".join([CODE, *summary])
    cluster = query.cluster_id if postgres else str(query.cluster_id)
    tables, clauses, params = "photo p", [], []
    for kind, prefix in (
        ("diagnosis", query.diagnosis_prefix),
        ("procedure", query.procedure_prefix),
    ):
        if prefix is None:
            continue
        if postgres:
            template = CODE_HELD
        elif purpose == "all" and tables == "photo p":
            tables, template = "series_code sc CROSS JOIN photo p", CODE_DRIVES
        else:
            template = CODE_PROBE
        clauses.append(template.format(code=code))
        params += [cluster, kind, prefix, *summary_params]
    return tables, clauses, params


def _by_newest(rows: list[dict[str, Any]], above: int | None = None) -> list[Any]:
    """The series of these matches by their newest match (latest first, then by id), keeping
    only those whose newest match is later than `above` when given."""
    newest: dict[str, tuple[int, Any]] = {}
    for row in rows:
        key, shot_at = str(row["series_id"]), int(row["shot_at"])
        if key not in newest or newest[key][0] < shot_at:
            newest[key] = (shot_at, row["series_id"])
    ordered = sorted(newest.items(), key=lambda item: (-item[1][0], item[0]))
    return [raw for _, (shot_at, raw) in ordered if above is None or shot_at > above]


async def _newest_series(
    connection: BaseDBAsyncClient, where: str, params: list[Any], wanted: int
) -> list[Any]:
    """The first `wanted` series by newest match (then id), reading the newest matches only.

    The newest `fetch` matching photos, in an index's shot_at order, settle every series whose
    newest match is later than the oldest photo read; when fewer than `wanted` are settled,
    read four times as many. A broad search settles its first pages in a few hundred rows."""
    fetch = max(100, 5 * wanted)
    while True:
        rows = await _rows(
            connection,
            "SELECT p.series_id AS series_id, p.shot_at AS shot_at FROM photo p"  # noqa: S608
            f" WHERE {where} ORDER BY p.shot_at DESC LIMIT {int(fetch)}",
            params,
        )
        complete = len(rows) < fetch
        settled = _by_newest(rows, None if complete or not rows else int(rows[-1]["shot_at"]))
        if complete or len(settled) >= wanted:
            return settled[:wanted]
        fetch *= 4


async def _page_details(
    connection: BaseDBAsyncClient, where: str, params: list[Any], series_ids: Sequence[Any]
) -> dict[str, tuple[int, int, tuple[UUID, ...]]]:
    """Per series of the page: matching photos, newest match, and the newest few for thumbnails."""
    if not series_ids:
        return {}
    marks = ", ".join("?" for _ in series_ids)
    rows = await _rows(
        connection,
        "SELECT id, series_id, shot_at, n FROM (SELECT p.id AS id, p.series_id AS series_id,"  # noqa: S608
        " p.shot_at AS shot_at, COUNT(*) OVER (PARTITION BY p.series_id) AS n, ROW_NUMBER()"
        " OVER (PARTITION BY p.series_id ORDER BY p.shot_at DESC, p.id) AS rank"
        f" FROM photo p WHERE {where} AND p.series_id IN ({marks})) ranked"
        f" WHERE rank <= {THUMBNAILS_PER_HIT} ORDER BY rank",
        [*params, *series_ids],
    )
    found: dict[str, tuple[int, int, tuple[UUID, ...]]] = {}
    for row in rows:
        key = str(row["series_id"])
        if key in found:
            count, last, photos = found[key]
            found[key] = (count, last, (*photos, _uuid(row["id"])))
        else:  # rank 1 comes first: the newest match
            found[key] = (int(row["n"]), int(row["shot_at"]), (_uuid(row["id"]),))
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
