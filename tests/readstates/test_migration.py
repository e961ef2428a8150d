"""Migration 0008 on a database that already holds messages: the backfills make
an upgrade show nothing unread, and the triggers work from then on."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from guildhall.db import Database
from guildhall.migrate import alembic_config
from guildhall.readstates import service as readstates
from tests.conftest import BACKEND, make_settings

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="a fresh SQLite file per run")

NOW = "2024-01-01 00:00:00"


async def test_upgrade_from_0004_keeps_old_messages_read(tmp_path: Path, rt):
    db = Database(make_settings(tmp_path / "old"))
    db.settings.data_dir.mkdir(parents=True)
    cfg = alembic_config(db.url)

    def migrate_to(revision: str):
        def run(connection):
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)

        return run

    async with db.engine.begin() as conn:
        await conn.run_sync(migrate_to("0004"))
        for sql in (
            "INSERT INTO users (id, username, email, username_key, email_key, password_hash, "
            f"created_at) VALUES (1, 'a', 'a@x', 'a', 'a@x', 'x', '{NOW}'), "
            f"(2, 'b', 'b@x', 'b', 'b@x', 'x', '{NOW}')",
            f"INSERT INTO guilds (id, name, owner_id, created_at) VALUES (1, 'g', 1, '{NOW}')",
            f"INSERT INTO members (guild_id, user_id, joined_at) VALUES (1, 1, '{NOW}'), "
            f"(1, 2, '{NOW}')",
            "INSERT INTO channels (id, guild_id, name, type, position, read_only, created_at) "
            f"VALUES (1, 1, 'c', 'text', 0, 0, '{NOW}'), (2, 1, 'd', 'text', 1, 0, '{NOW}')",
            "INSERT INTO messages (id, channel_id, guild_id, author_id, content, created_at, "
            f"pinned) VALUES (1, 1, 1, 1, 'x', '{NOW}', 0), (2, 1, 1, 1, 'y', '{NOW}', 0)",
        ):
            await conn.execute(text(sql))
        await conn.run_sync(migrate_to("head"))
        last = (await conn.execute(text("SELECT id, last_message_id FROM channels"))).all()
        assert sorted(last) == [(1, 2), (2, 0)]
        baselines = (await conn.execute(text("SELECT read_baseline_id FROM members"))).all()
        assert baselines == [(2,), (2,)]
        # From now on a new message moves last_message_id and acks its author.
        await conn.execute(
            text(
                "INSERT INTO messages (id, channel_id, guild_id, author_id, content, created_at, "
                f"pinned) VALUES (3, 1, 1, 2, 'z', '{NOW}', 0)"
            )
        )
        assert (await conn.scalar(text("SELECT last_message_id FROM channels WHERE id = 1"))) == 3
        acked = (
            await conn.execute(text("SELECT user_id, channel_id, last_read_id FROM read_states"))
        ).all()
        assert acked == [(2, 1, 3)]
    await db.dispose()

    # The same rows through the service: user 1 sees one unread message (user 2's).
    upgraded = Database(db.settings)
    rt.db, original = upgraded, rt.db
    try:
        async with rt.transaction(write=False) as tx:
            entries = {e["channel_id"]: e for e in await readstates.read_states(tx, 1)}
    finally:
        rt.db = original
        await upgraded.dispose()
    assert entries[1]["last_read_id"] == 2 and entries[1]["unread_count"] == 1
    assert entries[2] == {
        "channel_id": 2,
        "guild_id": 1,
        "last_read_id": 0,
        "last_message_id": 0,
        "unread_count": 0,
        "mention_count": 0,
    }
