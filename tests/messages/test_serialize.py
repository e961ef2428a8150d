"""The message serializer costs a constant number of queries, whatever the list size."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from guildhall import sqlite_direct
from tests.conftest import BACKEND
from tests.messages.factories import make_upload


@contextmanager
def count_queries(rt):
    """Every statement, wherever it runs: each engine's (the pooled readers, the
    writer, brief readers) and those run straight on sqlite3 (sqlite_direct)."""
    seen: list[str] = []

    def on_execute(conn, cursor, statement, *args):
        seen.append(statement)

    real_run = sqlite_direct.run

    def direct(conn, found, params):
        seen.append(found.sql)
        return real_run(conn, found, params)

    engines = {e.sync_engine for e in (rt.db.engine, rt.db.writer, rt.db.brief)}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", on_execute)
    sqlite_direct.run = direct
    try:
        yield seen
    finally:
        sqlite_direct.run = real_run
        for engine in engines:
            event.remove(engine, "before_cursor_execute", on_execute)


async def decorated_messages(world, n: int) -> None:
    for i in range(n):
        up = await make_upload(world.alice, f"f{i}.png")
        m = await world.send(world.alice, f"m{i}", files=[up["path"]])
        await world.bob.put(f"/api/messages/{m['id']}/reactions/%F0%9F%91%8D")
        r = await world.alice.post(
            f"/api/messages/{m['id']}/poll", json={"question": "q?", "options": ["a", "b"]}
        )
        assert r.status_code == 201, r.text


class TestSerializerQueries:
    async def test_history_costs_the_same_for_2_and_20_messages(self, world):
        url = f"/api/channels/{world.channel_id}/messages?limit=100"
        await decorated_messages(world, 2)
        with count_queries(world.rt) as small:
            r = await world.alice.get(url)
        assert len(r.json()["messages"]) == 2
        await decorated_messages(world, 18)
        with count_queries(world.rt) as large:
            r = await world.alice.get(url)
        body = r.json()["messages"]
        assert len(body) == 20
        assert all(m["files"] and m["reactions"] and m["poll"] for m in body)
        assert len(large) == len(small), (small, large)


class TestSendQueries:
    """Sending is the hot path of every chat: each statement is a round trip (on
    SQLite, to aiosqlite's thread) inside the write lock, so it is kept short."""

    async def test_a_plain_send_is_six_statements(self, world):
        await world.send(world.alice, "warm-up")
        with count_queries(world.rt) as seen:
            await world.send(world.alice, "hello")
        # The REST session's lookup, channel + membership + author, INSERT; then
        # the channel's seq (UPDATE ... RETURNING) and its replay log row. (BEGIN
        # and COMMIT go to the DB-API connection on their own, uncounted.) On
        # PostgreSQL, also the channel's row lock that orders ids and seq.
        assert len(seen) <= (6 if BACKEND == "postgres" else 5), seen
        assert not any("reactions" in s or "attachments" in s or "polls" in s for s in seen)

    async def test_a_send_with_a_nonce_adds_only_its_lookup_and_a_savepoint(self, world):
        await world.send(world.alice, "warm-up")
        with count_queries(world.rt) as seen:
            r = await world.alice.post(
                f"/api/channels/{world.channel_id}/messages",
                json={"content": "hello", "nonce": "n-1"},
            )
        assert r.status_code == 201, r.text
        assert len(seen) <= 9, seen  # + the seq and the replay log row
