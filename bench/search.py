"""Search benchmark: a dozen typical searches over 100,000 patients and 1,000,000 photos.

Run `python bench/search.py` (both engines) or with `--engine sqlite|postgres`. Each engine
gets a throwaway database (a temporary SQLite file; a PostgreSQL database created on the
local server and dropped afterwards), filled in bulk, analysed, then each search runs
`--runs` times through the domain use case (count, page of 20 series, thumbnails, sealed
names of that page, audit entry). With `--keep DIR` the loaded data stays in DIR (the SQLite
file, the keys, and a PostgreSQL database named in DIR/postgres/dataset.json) and later runs
with the same DIR and sizes reuse it instead of loading again (migrations still run on open).
With `--portal` the real server is started on each engine's data and each search's first results
page of /search is opened in Debian's Chromium (bench/portal_timing.py), timing both the
server's time to build the page and navigation start to results drawn.
Targets: p95 under 50 ms per search, portal page under 300 ms.
"""

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import connections

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_data import Dataset, Generator
from domain import search
from domain.model import Principal, Role, User
from domain.ports import Ports
from domain.search import SearchFilters
from runtime import NoQueue, build_ports
from settings import load_settings
from storage.crypto import load_keyring
from storage.database import close_database, open_database

POSTGRES_URL = os.environ.get("SUTURA_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
TARGET_MS = 50.0


def typical_searches(data: Dataset) -> dict[str, SearchFilters]:
    someone = data.users[0]
    return {
        "diagnosis group C43 + age 20-30": SearchFilters(diagnosis="C43", age_min=20, age_max=30),
        "diagnosis code DC447": SearchFilters(diagnosis="DC447"),
        "site head (subtree) + pre-op + 2024": SearchFilters(
            body_site="head", phase="pre_op", date_from=date(2024, 1, 1), date_to=date(2024, 12, 31)
        ),
        "procedure KQ + post-op": SearchFilters(procedure="KQ", phase="post_op"),
        "breast subtree + female + age 40-60": SearchFilters(
            body_site="breast", sex="female", age_min=40, age_max=60
        ),
        "teaching consent + C44": SearchFilters(scope="teaching", diagnosis="C44"),
        "view face_frontal + one month": SearchFilters(
            view="face_frontal", date_from=date(2025, 3, 1), date_to=date(2025, 3, 31)
        ),
        "captured by one clinician + 2025": SearchFilters(
            captured_by=someone, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)
        ),
        "left side + trunk subtree": SearchFilters(side="left", body_site="trunk"),
        "research consent + age 65+": SearchFilters(scope="research", age_min=65),
        "follow-up + one week": SearchFilters(
            phase="follow_up", date_from=date(2023, 6, 1), date_to=date(2023, 6, 7)
        ),
        "male + per-op (broad)": SearchFilters(sex="male", phase="per_op"),
    }


def bench_ports(data_dir: Path) -> Ports:
    settings = load_settings({"SUTURA_DATA_DIR": str(data_dir)})
    return build_ports(settings, NoQueue())


@dataclass
class Figures:
    name: str
    p50: float
    p95: float
    series: int
    photos: int


async def measure(ports: Ports, data: Dataset, runs: int) -> list[Figures]:
    cluster_id = data.clusters[0]
    user = User(uuid.uuid4(), "bench@example.org", "Bench", False, True)
    principal = Principal(user, "bench", {cluster_id: Role.CLINICIAN})
    figures = []
    for name, filters in typical_searches(data).items():
        timings = []
        result = None
        for _ in range(runs + 1):  # the first run warms the caches and is not counted
            started = time.perf_counter()
            result = await search.search_photos(ports, principal, cluster_id, filters)
            timings.append((time.perf_counter() - started) * 1000)
        timings = sorted(timings[1:])
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        if result is None:
            raise RuntimeError("no search ran")
        figures.append(
            Figures(name, statistics.median(timings), p95, result.total_series, result.total_photos)
        )
    return figures


async def drop_search_indexes(postgres: bool) -> list[str]:
    """Drop the photo table's secondary indexes before a bulk load; returns how to remake them.

    Building an index once over a million rows is far quicker than keeping six of them in
    step with every insert."""
    connection = connections.get("default")
    if postgres:
        rows = await connection.execute_query_dict(
            "SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE tablename = 'photo'"
            " AND indexdef NOT LIKE 'CREATE UNIQUE%'"
        )
    else:
        rows = await connection.execute_query_dict(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'photo'"
            " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"
        )
        await connection.execute_script("PRAGMA synchronous = OFF")
    for row in rows:
        await connection.execute_script(f'DROP INDEX "{row["name"]}"')
    return [str(row["sql"]) for row in rows]


async def restore_indexes(statements: list[str], postgres: bool) -> None:
    connection = connections.get("default")
    for statement in statements:
        await connection.execute_script(statement)
    await connection.execute_script("VACUUM ANALYZE" if postgres else "ANALYZE")


async def run_engine(
    engine: str,
    data_dir: Path,
    patients: int,
    photos: int,
    runs: int,
    *,
    keep: bool = False,
    portal: bool = False,
) -> tuple[list[Figures], float, Dataset, str]:
    """Load (or with `keep`, reuse what an earlier run kept in data_dir) and measure; with
    `portal`, then time the portal's results page on the same database. Returns the figures,
    the loading time, the data, and the portal's report (empty without `portal`)."""
    kept = _kept_dataset(data_dir, patients, photos) if keep else None
    database_url, dropper = await _database(engine, data_dir, kept)
    try:
        await open_database(database_url)
        ports = bench_ports(data_dir)
        started = time.perf_counter()
        if kept is None:
            generator = Generator(ports.taxonomy, load_keyring(None, data_dir / "keys"))
            indexes = await drop_search_indexes(engine == "postgres")
            data = await generator.generate(patients, photos, clusters=3, users=40, keep=False)
            await restore_indexes(indexes, engine == "postgres")
            if keep:
                _keep_dataset(data_dir, patients, photos, data, database_url)
                dropper = None
        else:
            data = Dataset(
                [uuid.UUID(c) for c in kept["clusters"]], [uuid.UUID(u) for u in kept["users"]]
            )
            await restore_indexes([], engine == "postgres")  # statistics for any new index
        generation_s = time.perf_counter() - started
        figures = await measure(ports, data, runs)
        await close_database()
        portal_report = ""
        if portal:
            from bench.portal_timing import time_search_pages

            searches = typical_searches(data)
            portal_report = await time_search_pages(data_dir, database_url, data, searches, runs)
        return figures, generation_s, data, portal_report
    finally:
        if dropper is not None and engine == "postgres":
            await dropper()


def _kept_dataset(data_dir: Path, patients: int, photos: int) -> dict[str, Any] | None:
    path = data_dir / "dataset.json"
    if not path.exists():
        return None
    kept: dict[str, Any] = json.loads(path.read_text())
    return kept if (kept["patients"], kept["photos"]) == (patients, photos) else None


def _keep_dataset(
    data_dir: Path, patients: int, photos: int, data: Dataset, database_url: str
) -> None:
    kept = {
        "patients": patients,
        "photos": photos,
        "clusters": [str(c) for c in data.clusters],
        "users": [str(u) for u in data.users],
        "database_url": database_url,
    }
    (data_dir / "dataset.json").write_text(json.dumps(kept, indent=1))


async def _database(
    engine: str, data_dir: Path, kept: dict[str, Any] | None = None
) -> tuple[str, Any]:
    if kept is not None:
        return str(kept["database_url"]), None
    if engine == "sqlite":
        (data_dir / "bench.sqlite3").unlink(missing_ok=True)
        return f"sqlite://{data_dir / 'bench.sqlite3'}", None
    name = f"sutura_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(f"{POSTGRES_URL}/postgres", timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()

    async def drop() -> None:
        await close_database()
        connection = await asyncpg.connect(f"{POSTGRES_URL}/postgres", timeout=5)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    return f"{POSTGRES_URL.replace('postgres://', 'asyncpg://')}/{name}", drop


def report(
    engine: str, figures: list[Figures], generation_s: float, photos: int, reused: bool = False
) -> bool:
    done = "kept from an earlier run, analysed" if reused else "generated and analysed"
    print(f"\n{engine}: {photos:,} photos {done} in {generation_s:.0f} s")
    print(f"{'search':40} {'p50 ms':>8} {'p95 ms':>8} {'series':>8} {'photos':>8}")
    for f in figures:
        print(f"{f.name:40} {f.p50:8.1f} {f.p95:8.1f} {f.series:8,} {f.photos:8,}")
    worst = max(f.p95 for f in figures)
    print(f"worst p95 {worst:.1f} ms = {worst / TARGET_MS:.2f}x the {TARGET_MS:.0f} ms target")
    return worst <= TARGET_MS


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--photos", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--portal", action="store_true", help="also time the portal page")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep the loaded data in DIR and reuse it"
    )
    return parser.parse_args(argv)


async def main_async(arguments: argparse.Namespace) -> int:
    engines = ["sqlite", "postgres"] if arguments.engine == "both" else [arguments.engine]
    all_met = True
    for engine in engines:
        with tempfile.TemporaryDirectory(prefix="sutura-bench-") as folder:
            data_dir = Path(folder) if arguments.keep is None else arguments.keep / engine
            data_dir.mkdir(parents=True, exist_ok=True)
            reused = _kept_dataset(data_dir, arguments.patients, arguments.photos) is not None
            figures, generation_s, _, portal_report = await run_engine(
                engine,
                data_dir,
                arguments.patients,
                arguments.photos,
                arguments.runs,
                keep=arguments.keep is not None,
                portal=arguments.portal,
            )
            all_met &= report(engine, figures, generation_s, arguments.photos, reused)
            if portal_report:
                print(f"\n{engine}, {portal_report.strip()}")
    return 0 if all_met else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main_async(parse_arguments(sys.argv[1:]))))
