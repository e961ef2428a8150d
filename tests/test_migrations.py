"""Migrations upgrade a part-one database with its data intact, on both engines.

``fixtures/part_one_rows.json`` holds every row of a database that part one's
server (schema 0004) filled through its own API: users in two scripts, friends, a
pending request, two guilds with categories, read-only and voice channels, an
invite, messages with an edit, a file, reactions (unicode and custom), a pin, a poll
with a vote, an emoji and a sticker. The test loads them into a database at 0004,
upgrades to head, and checks that every row is still there and the server works
on it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Boolean, DateTime, MetaData, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from guildhall import migrate
from guildhall.app import create_app, start, stop
from guildhall.db import Database
from tests.conftest import BACKEND, PASSWORD, PG_ADMIN_URL, RUN_ID, Client, make_settings

PART_ONE = "0004"
ROWS: dict[str, list[dict[str, Any]]] = json.loads(
    (Path(__file__).parent / "fixtures" / "part_one_rows.json").read_text()
)
# Kept by triggers: loaded as 0 and recounted by the triggers as messages go in.
TRIGGER_KEPT = {"channels": {"message_count"}}


def _value(column: Any, value: Any) -> Any:
    if value is not None and isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if value is not None and isinstance(column.type, Boolean):
        return bool(value)
    return value


async def _load(conn: AsyncConnection) -> MetaData:
    meta = MetaData()
    await conn.run_sync(meta.reflect)
    for table in meta.sorted_tables:
        skip = TRIGGER_KEPT.get(table.name, set())
        rows = [
            {k: _value(table.c[k], v) for k, v in row.items() if k not in skip}
            for row in ROWS.get(table.name, [])
        ]
        if rows:
            await conn.execute(table.insert(), rows)
    if conn.dialect.name == "postgresql":
        # Explicit ids leave the sequences behind: move them past the rows.
        for table in meta.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement and ROWS.get(table.name):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )
    return meta


@pytest.fixture
async def part_one_db(tmp_path: Path) -> AsyncIterator[Any]:
    """Settings of a database at schema 0004 holding part one's rows."""
    overrides: dict[str, Any] = {}
    if BACKEND == "postgres":
        from tests.backends import create_database, drop_database

        name = f"{RUN_ID}_upgrade"
        await create_database(PG_ADMIN_URL, name)
        overrides["database_url"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    settings = make_settings(tmp_path / "data", **overrides)
    db = Database(settings)
    try:
        await migrate.upgrade(db, PART_ONE)
        async with db.engine.begin() as conn:
            await _load(conn)
        yield settings
    finally:
        await db.dispose()
        if BACKEND == "postgres":
            await drop_database(PG_ADMIN_URL, name)


async def test_every_part_one_row_survives_the_upgrade(part_one_db: Any) -> None:
    db = Database(part_one_db)
    try:
        await migrate.upgrade(db)
        current, head = await migrate.pending(db)
        assert current == head
        meta = MetaData()
        async with db.engine.connect() as conn:
            await conn.run_sync(meta.reflect)
            for name, rows in ROWS.items():
                table = meta.tables[name]
                got = (await conn.execute(select(table))).mappings().all()
                assert len(got) == len(rows), name
                for want in rows:
                    # Columns may be added by later migrations; none of part one's may change.
                    keys = set(want) - TRIGGER_KEPT.get(name, set())
                    assert any(
                        all(_value(table.c[k], want[k]) == row[k] for k in keys) for row in got
                    ), (name, want)
            channels = meta.tables["channels"]
            for row in ROWS["channels"]:
                stored = await conn.scalar(
                    select(channels.c.message_count).where(channels.c.id == row["id"])
                )
                assert stored == row["message_count"], row["name"]
            assert await conn.scalar(select(func.count()).select_from(meta.tables["users"])) == 4
    finally:
        await db.dispose()


async def test_the_server_works_on_an_upgraded_database(part_one_db: Any) -> None:
    """Alice logs in with her part-one password and finds her guild as she left it."""
    db = Database(part_one_db)
    await migrate.upgrade(db)
    await db.dispose()
    app = create_app(part_one_db)
    rt = app.state.rt
    await start(rt)
    try:
        alice = Client(
            transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 40000)),
            base_url="http://testserver",
        )
        r = await alice.post("/api/login", json={"username": "alice", "password": PASSWORD})
        assert r.status_code == 200, r.text
        guilds = (await alice.get("/api/guilds")).json()
        assert [g["name"] for g in guilds] == ["Book club"]
        gid = guilds[0]["id"]
        channels = (await alice.get(f"/api/guilds/{gid}/channels")).json()
        assert [c["name"] for c in channels] == ["Talk", "general", "news", "Voice"]
        general = next(c for c in channels if c["name"] == "general")
        history = (await alice.get(f"/api/channels/{general['id']}/messages")).json()["messages"]
        assert [m["content"] for m in history] == [
            "Hello, world!",
            "Привет, мир!",
            "читаем книгу",
            "with a file",
        ]
        assert history[0]["pinned"] and history[0]["reactions"][0]["count"] == 2
        assert history[3]["files"][0]["filename"] == "cat.png"
        found = (await alice.get("/api/search/messages", params={"q": "книг"})).json()
        assert [m["content"] for m in found] == ["читаем книгу"]
        # New rows get fresh ids beside the loaded ones (PostgreSQL's sequences moved).
        sent = await alice.post(f"/api/channels/{general['id']}/messages", json={"content": "new"})
        assert sent.status_code == 201, sent.text
        assert sent.json()["id"] > max(m["id"] for m in ROWS["messages"])
        # 0012: a DM with her part-one friend bob, whose messages have no guild.
        dm = await alice.post("/api/users/@me/channels", json={"recipient_id": 2})
        assert dm.status_code == 200, dm.text
        said = await alice.post(f"/api/channels/{dm.json()['id']}/messages", json={"content": "hi"})
        assert said.status_code == 201 and said.json()["guild_id"] is None
        # The search trigger of 0002 survived the schema edit: the DM message is indexed.
        found = (await alice.get("/api/search/messages", params={"q": "hi"})).json()
        assert [(m["content"], m["guild_id"]) for m in found] == [("hi", None)]
    finally:
        await stop(rt)
