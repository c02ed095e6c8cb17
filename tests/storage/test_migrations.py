"""Upgrading a database that holds photos: nothing is lost, indexes and constraints stay."""

import uuid
from datetime import UTC, datetime

from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate

from storage.database import close_database, tortoise_config

BEFORE_EXTERNAL = "sutura.0002_accounts_devices_search"


async def _rows(sql: str, values: list[object] | None = None) -> list[dict[str, object]]:
    return await Tortoise.get_connection("default").execute_query_dict(sql, values)


async def _execute(sql: str, values: list[object]) -> None:
    await Tortoise.get_connection("default").execute_query(sql, values)


async def _indexes(dialect: str) -> set[str]:
    if dialect == "sqlite":
        rows = await _rows(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'photo'"
        )
    else:
        rows = await _rows("SELECT indexname AS name FROM pg_indexes WHERE tablename = 'photo'")
    return {str(row["name"]) for row in rows}


async def _photo_with_a_blob() -> str:
    now = datetime.now(UTC)
    ids = {name: str(uuid.uuid4()) for name in ("cluster", "patient", "series", "photo", "blob")}
    await _execute(
        "INSERT INTO cluster (id, name, created_at) VALUES ($1, $2, $3)",
        [ids["cluster"], "Plastic", now],
    )
    await _execute(
        "INSERT INTO patient (id, name_sealed, created_by_id, created_at, cluster_id, is_acute) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        [ids["patient"], "sealed", ids["cluster"], now, ids["cluster"], False],
    )
    await _execute(
        "INSERT INTO series (id, patient_id, cluster_id, body_site_id, diagnosis_codes, "
        "procedure_codes, created_by_id, created_at, is_acute) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            ids["series"],
            ids["patient"],
            ids["cluster"],
            "face",
            "[]",
            "[]",
            ids["cluster"],
            now,
            False,
        ],
    )
    await _execute(
        "INSERT INTO photo (id, cluster_id, phase, view_id, received_at, captured_by_id, "
        "client_id, status, sha256, size_bytes, series_id, is_acute, search_scopes, shot_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        [
            ids["photo"],
            ids["cluster"],
            "pre_op",
            "face_frontal",
            now,
            ids["cluster"],
            "c1",
            "ready",
            "0" * 64,
            1,
            ids["series"],
            False,
            1,
            0,
        ],
    )
    await _execute(
        "INSERT INTO blob (id, variant, path, kid, wrapped_key, size_bytes, photo_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [ids["blob"], "original", "ab/cd", "k1", b"wrapped", 1, ids["photo"]],
    )
    return ids["photo"]


async def test_the_external_upload_migration_keeps_photos_keys_and_indexes(database_url):
    config = tortoise_config(database_url)
    dialect = "sqlite" if database_url.startswith("sqlite") else "postgres"
    await migrate(config=config, target=BEFORE_EXTERNAL)
    await Tortoise.init(config=config)
    photo_id = await _photo_with_a_blob()
    indexes_before = await _indexes(dialect)
    await close_database()

    await migrate(config=config)
    await Tortoise.init(config=config)
    try:
        blobs = await _rows("SELECT photo_id FROM blob")
        indexes_after = await _indexes(dialect)
        await _execute(  # an unfiled external upload has no series
            "UPDATE photo SET series_id = NULL WHERE id = $1", [photo_id]
        )
        duplicate_refused = False
        try:
            await _execute(
                "INSERT INTO photo (id, cluster_id, phase, view_id, received_at, captured_by_id, "
                "client_id, status, sha256, size_bytes, is_acute, search_scopes, shot_at) "
                "SELECT $1, cluster_id, phase, view_id, received_at, captured_by_id, client_id, "
                "status, sha256, size_bytes, is_acute, search_scopes, shot_at FROM photo",
                [str(uuid.uuid4())],
            )
        except Exception:  # the (captured_by, client_id) uniqueness still holds
            duplicate_refused = True
    finally:
        await close_database()

    assert [str(row["photo_id"]) for row in blobs] == [photo_id]
    assert indexes_before <= indexes_after and len(indexes_before) >= 9
    assert duplicate_refused


async def test_the_summary_migration_fills_series_code_from_the_photos(database_url):
    config = tortoise_config(database_url)
    await migrate(config=config, target="sutura.0004_series_code_covering")
    await Tortoise.init(config=config)
    photo_id = await _photo_with_a_blob()
    await _execute(
        "UPDATE photo SET age_years = $1, shot_at = $2 WHERE id = $3", [41, 1000, photo_id]
    )
    series = await _rows("SELECT series_id, cluster_id FROM photo")
    series_id, cluster_id = str(series[0]["series_id"]), str(series[0]["cluster_id"])
    await _execute(  # a second photo of the series, not ready, younger and earlier
        "INSERT INTO photo (id, cluster_id, phase, view_id, received_at, captured_by_id, "
        "client_id, status, sha256, size_bytes, series_id, is_acute, search_scopes, shot_at, "
        "age_years) SELECT $1, cluster_id, phase, view_id, received_at, captured_by_id, 'c2', "
        "'processing', sha256, size_bytes, series_id, is_acute, 0, 400, 39 FROM photo",
        [str(uuid.uuid4())],
    )
    for code in ("DC4", "DC43"):
        await _execute(
            "INSERT INTO series_code (series_id, cluster_id, kind, code) VALUES ($1, $2, $3, $4)",
            [series_id, cluster_id, "diagnosis", code],
        )
    await close_database()

    await migrate(config=config)
    await Tortoise.init(config=config)
    try:
        rows = await _rows(
            "SELECT code, scopes, age_low, age_high, shot_low, shot_high FROM series_code"
            " ORDER BY code"
        )
    finally:
        await close_database()

    assert [tuple(row.values()) for row in rows] == [
        ("DC4", 1, 39, 41, 400, 1000),
        ("DC43", 1, 39, 41, 400, 1000),
    ]
