"""Migration 0010_roles on a database that already has guilds: each gets its
@everyone with the defaults, so its members keep what they could do."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from guildhall import migrate
from guildhall.db import Database
from guildhall.permissions.bits import EVERYONE_DEFAULT
from guildhall.permissions.resolver import visible_channel_ids
from guildhall.runtime import Tx
from tests.conftest import BACKEND, PG_ADMIN_URL, RUN_ID, make_settings

ROWS = [
    "INSERT INTO users (id, username, email, username_key, email_key, password_hash, created_at)"
    " VALUES (1, 'alice', 'a@x.org', 'alice', 'a@x.org', 'h', '2024-01-01 00:00:00'),"
    " (2, 'bob', 'b@x.org', 'bob', 'b@x.org', 'h', '2024-01-01 00:00:00')",
    "INSERT INTO guilds (id, name, owner_id, created_at)"
    " VALUES (1, 'one', 1, '2024-01-01 00:00:00'), (2, 'two', 2, '2024-01-02 00:00:00')",
    "INSERT INTO members (guild_id, user_id, joined_at) VALUES (1, 1, '2024-01-01 00:00:00'),"
    " (1, 2, '2024-01-01 00:00:00'), (2, 2, '2024-01-02 00:00:00')",
    "INSERT INTO channels (id, guild_id, name, type, position, read_only, created_at)"
    " VALUES (1, 1, 'general', 'text', 0, false, '2024-01-01 00:00:00'),"
    " (2, 2, 'lounge', 'text', 0, false, '2024-01-02 00:00:00')",
]


async def _database(tmp_path: Path) -> Database:
    if BACKEND == "postgres":
        from tests.backends import create_database

        name = f"{RUN_ID}_mig"
        await create_database(PG_ADMIN_URL, name)
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        return Database(make_settings(tmp_path, database_url=url))
    return Database(make_settings(tmp_path))


def _upgrade_to(revision: str, url: str):
    def run(connection) -> None:
        cfg = migrate.alembic_config(url)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    return run


async def test_existing_guilds_get_everyone(tmp_path):
    db = await _database(tmp_path)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_upgrade_to("0004", db.url))
            for statement in ROWS:
                await conn.execute(text(statement))
        await migrate.upgrade(db)
        async with db.engine.connect() as conn:
            roles = (
                await conn.execute(
                    text(
                        "SELECT guild_id, name, permissions, position FROM roles ORDER BY guild_id"
                    )
                )
            ).all()
            timeouts = (
                await conn.execute(text("SELECT communication_disabled_until FROM members"))
            ).all()
        everyone = int(EVERYONE_DEFAULT)
        assert [tuple(r) for r in roles] == [
            (1, "@everyone", everyone, 0),
            (2, "@everyone", everyone, 0),
        ]
        assert [t[0] for t in timeouts] == [None, None, None]
        # bob, a plain member of both, sees both channels as before roles existed.
        async with db.sessions() as session:
            assert await visible_channel_ids(Tx(session, None), 2) == {1, 2}  # type: ignore[arg-type]
    finally:
        await db.dispose()
        if BACKEND == "postgres":
            from tests.backends import drop_database

            await drop_database(PG_ADMIN_URL, f"{RUN_ID}_mig")
