"""Applying and checking migrations, for the CLI and the server's start-up.

Alembic is imported by the functions that use it, not with this module: it brings
every dialect it supports and Mako's templates, which ``import guildhall.app`` (and
so every process and test that builds the app) need not pay for.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from guildhall.db import Database

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

_SCRIPTS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def _upgrade(connection: Connection, cfg: Config, revision: str) -> None:
    from alembic import command

    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    # On the DBAPI connection, outside any transaction: inside one the pragma is
    # silently ignored.
    cursor = connection.connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


def _sqlite_check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration left rows breaking foreign keys: {broken[:5]}")


async def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to the newest migration (or to ``revision``).

    SQLite: foreign keys are off while migrations run. Batch mode rebuilds a table
    by copying it and dropping the original, and with foreign keys on that drop
    cascades: rebuilding ``uploads`` deleted every attachment. The keys are checked
    before the migration commits instead."""
    if db.is_sqlite:
        db.settings.data_dir.mkdir(parents=True, exist_ok=True)
    cfg = alembic_config(db.url)
    async with db.engine.connect() as conn:
        if db.is_sqlite:
            await conn.run_sync(_sqlite_foreign_keys, False)
        try:
            async with conn.begin():
                await conn.run_sync(_upgrade, cfg, revision)
                if db.is_sqlite:
                    await conn.run_sync(_sqlite_check_foreign_keys)
        finally:
            if db.is_sqlite:
                await conn.run_sync(_sqlite_foreign_keys, True)


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def pending(db: Database) -> tuple[str | None, str | None]:
    """(current revision, head revision) of the database."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
    async with db.engine.connect() as conn:
        current = await conn.run_sync(_current)
    return current, head
