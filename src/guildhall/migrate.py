"""Applying and checking migrations, for the CLI and the server's start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from guildhall.db import Database

_SCRIPTS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def _upgrade(connection: Connection, cfg: Config, revision: str) -> None:
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


async def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to the newest migration (or to ``revision``)."""
    if db.is_sqlite:
        db.settings.data_dir.mkdir(parents=True, exist_ok=True)
    cfg = alembic_config(db.url)
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade, cfg, revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def pending(db: Database) -> tuple[str | None, str | None]:
    """(current revision, head revision) of the database."""
    head = ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
    async with db.engine.connect() as conn:
        current = await conn.run_sync(_current)
    return current, head
