"""Shared fixtures: a real redis-server, real databases (SQLite and PostgreSQL), a real runtime."""

import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest

from domain import accounts
from domain.model import Principal, Role
from runtime import Runtime, start_runtime
from settings import Settings, load_settings
from workers.embedded_redis import EmbeddedRedis

PHOTOS = Path(__file__).parent / "data" / "photos"
PASSWORD = "correct horse battery staple"
POSTGRES_URL = os.environ.get("SUTURA_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis") / "redis.sock")
    server.start()
    yield server.url
    server.stop()


async def _postgres_database() -> str:
    name = f"sutura_test_{secrets.token_hex(6)}"
    try:
        connection = await asyncpg.connect(f"{POSTGRES_URL}/postgres", timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable here: {error}")
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return name


async def _drop_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(f"{POSTGRES_URL}/postgres", timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'sutura.sqlite3'}"
        return
    name = await _postgres_database()
    yield f"{POSTGRES_URL.replace('postgres://', 'asyncpg://')}/{name}"
    await _drop_postgres_database(name)


@pytest.fixture
def settings(tmp_path: Path, redis_url: str) -> Settings:
    base = load_settings({"SUTURA_DATA_DIR": str(tmp_path / "data")})
    return replace(base, redis_url=redis_url)


async def _runtime(settings: Settings) -> Runtime:
    runtime = await start_runtime(settings)
    await runtime.redis.flushdb()
    return runtime


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime on SQLite (the embedded default) with a real Redis."""
    started = await _runtime(settings)
    yield started
    await started.stop()


@pytest.fixture
async def any_runtime(settings: Settings, database_url: str) -> AsyncIterator[Runtime]:
    """The same, once on SQLite and once on PostgreSQL."""
    started = await _runtime(replace(settings, database_url=database_url))
    yield started
    await started.stop()


async def make_member(runtime: Runtime, cluster_name: str, role: Role) -> Principal:
    """A user with one role in one (possibly new) cluster, signed in."""
    ports = runtime.ports
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.org"
    user = await ports.accounts.create_user(
        email, email, ports.hash_password(PASSWORD), is_system_admin=False
    )
    cluster = await ports.accounts.find_cluster_by_name(cluster_name)
    if cluster is None:
        cluster = await ports.accounts.create_cluster(cluster_name)
    await ports.accounts.add_membership(user.id, cluster.id, role)
    _, principal = await accounts.sign_in(ports, email, PASSWORD)
    return principal


async def drain_queue(runtime: Runtime) -> None:
    """Run a burst worker until the queue is empty (a real arq worker, in this process)."""
    runtime.start_worker(burst=True)
    await runtime.wait_for_worker()
    runtime.worker = None
