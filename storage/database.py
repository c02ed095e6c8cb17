"""Database set-up: the Tortoise configuration, SQLite pragmas, and migrations at start-up."""

import logging
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate

logger = logging.getLogger(__name__)

APP = "sutura"


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            APP: {
                "models": ["storage.models"],
                "migrations": "storage.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_database(database_url: str) -> None:
    """Bring the schema up to date, then connect for this process (global fallback on)."""
    config = tortoise_config(database_url)
    await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config, _enable_global_fallback=True)
    logger.info("database ready (%s)", database_url.split(":", 1)[0])


async def close_database() -> None:
    await Tortoise.close_connections()
    # Tortoise caches SQL per connection name and table, not per dialect: a process that
    # reopens on another engine (the tests switch between SQLite and PostgreSQL) must forget it.
    EXECUTOR_CACHE.clear()


def _connection(database_url: str) -> str | dict[str, Any]:
    if not database_url.startswith("sqlite://"):
        return database_url
    return {
        "engine": "tortoise.backends.sqlite",
        "credentials": {
            "file_path": database_url.removeprefix("sqlite://"),
            "journal_mode": "WAL",
            "synchronous": "FULL",
            "foreign_keys": "ON",
            "busy_timeout": 10000,
        },
    }


# For `python -m tortoise --config storage.database.MIGRATION_CONFIG makemigrations`.
MIGRATION_CONFIG = tortoise_config("sqlite://:memory:")
