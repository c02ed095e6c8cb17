"""Migration operations Tortoise's own cannot do safely (on SQLite, or on tables with rows).

Tortoise makes a column nullable on SQLite by rebuilding the table: it drops the table's
indexes and UNIQUE constraints, and dropping the old table with foreign keys on would
cascade into the rows that refer to it (a photo's blob keys). Removing a NOT NULL
constraint does not change a single stored row, so on SQLite this edits the table's
definition in the schema instead, as SQLite's documentation allows for exactly this change;
other databases get the plain ALTER.
"""

import re
from typing import Any

from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor


class DropNotNull(ops.AlterField):
    """Make a NOT NULL column (a foreign key included) nullable, keeping indexes and rows."""

    def __init__(self, model_name: str, name: str, field: Any, table: str, column: str) -> None:
        super().__init__(model_name, name, field)
        self.table = table
        self.column = column

    async def database_forward(
        self,
        app_label: str,
        old_state: Any,
        new_state: Any,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        if state_editor is None:
            return
        if state_editor.DIALECT != "sqlite":
            await super().database_forward(app_label, old_state, new_state, state_editor)
            return
        await drop_not_null_sqlite(state_editor.client, self.table, self.column)


async def drop_not_null_sqlite(client: Any, table: str, column: str) -> None:
    rows = await client.execute_query_dict(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    )
    if not rows:
        raise RuntimeError(f"no table {table}")
    definition = rows[0]["sql"]
    pattern = re.compile(rf'("{re.escape(column)}"\s+[A-Z]+(?:\(\d+\))?)\s+NOT NULL')
    changed, count = pattern.subn(r"\1", definition)
    if count == 0:
        return  # already nullable
    if count != 1:
        raise RuntimeError(f"ambiguous definition of {table}.{column}")
    version = (await client.execute_query_dict("PRAGMA schema_version"))[0]["schema_version"]
    await client.execute_script("PRAGMA writable_schema = ON")
    await client.execute_query(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", [changed, table]
    )
    # A new schema version makes every connection read the changed definition.
    await client.execute_script(f"PRAGMA schema_version = {int(version) + 1}")
    await client.execute_script("PRAGMA writable_schema = OFF")
    check = await client.execute_query_dict("PRAGMA quick_check")
    if [row["quick_check"] for row in check] != ["ok"]:
        raise RuntimeError(f"schema check failed after changing {table}.{column}")


class AddCountColumn(ops.AddField):
    """Add a NOT NULL integer column with a default to a table that may hold rows.

    Tortoise's AddField leaves the default out of the ALTER TABLE (the model applies it on
    insert), which both databases refuse for a NOT NULL column once the table has rows."""

    def __init__(
        self, model_name: str, name: str, field: Any, table: str, default: int = 0
    ) -> None:
        super().__init__(model_name, name, field)
        self.table = table
        self.default = int(default)

    async def database_forward(
        self,
        app_label: str,
        old_state: Any,
        new_state: Any,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        if state_editor is None:
            return
        await state_editor.client.execute_script(
            f'ALTER TABLE "{self.table}" ADD COLUMN "{self.name}" INT NOT NULL'
            f" DEFAULT {self.default}"
        )


class AnalyzeOnPostgres(ops.RunSQL):
    """Fresh planner statistics for a table whose columns a migration filled: PostgreSQL
    otherwise plans with none for the new columns until autovacuum comes round (one search
    took 270 ms instead of 20 in that window). SQLite keeps no statistics unless asked."""

    def __init__(self, table: str) -> None:
        super().__init__(f'ANALYZE "{table}"')

    async def database_forward(
        self,
        app_label: str,
        old_state: Any,
        new_state: Any,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        if state_editor is not None and state_editor.DIALECT != "sqlite":
            await super().database_forward(app_label, old_state, new_state, state_editor)
