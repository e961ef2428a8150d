"""The SQLite adapter (guildhall/sqlite_driver.py): one trip to aiosqlite's thread
per statement, and the same DBAPI behaviour SQLAlchemy relies on."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite.core
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from guildhall.config import Settings
from guildhall.db import Database


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(Settings(data_dir=tmp_path, database_url=None))
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield database
    await database.dispose()


@pytest.fixture
def trips(monkeypatch):
    seen: list[str] = []
    real = aiosqlite.core.Connection._execute

    async def counting(self, fn, *args, **kwargs):
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counting)
    return seen


async def test_a_select_is_one_trip_with_its_rows(db, trips):
    async with db.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))  # the transaction's BEGIN
        trips.clear()
        rows = (await conn.execute(text("SELECT 1 AS a UNION ALL SELECT 2"))).all()
        assert trips == ["_run"]  # not cursor, execute, fetchall, close
    assert [r.a for r in rows] == [1, 2]


async def test_inserts_updates_and_many(db):
    async with db.engine.begin() as conn:
        first = await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert first.lastrowid == 1
        await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}])
        changed = await conn.execute(text("UPDATE t SET v = v || '!' WHERE id > 1"))
        assert changed.rowcount == 2
    async with db.engine.connect() as conn:
        values = (await conn.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert values == ["a", "b!", "c!"]


async def test_errors_are_sqlalchemy_errors_and_roll_back(db):
    with pytest.raises(IntegrityError):
        async with db.engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('x')"))
            await conn.execute(text("INSERT INTO t (v) VALUES ('x')"))
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0


# --- the writer's connection (InlineDBAPI): statements on the loop's thread ------


async def test_the_writer_trips_only_to_commit(db, trips):
    # (The writer is used through sessions, as Database.transaction does.)
    async with db.write_sessions() as session:
        await session.execute(text("INSERT INTO t (v) VALUES ('a')"))
        rows = (await session.execute(text("SELECT v FROM t"))).scalars().all()
        assert rows == ["a"]
        trips.clear()  # the pool's first connect and its pragmas made some
        await session.execute(text("SELECT 1"))
        assert trips == []  # statements run inline
        await session.commit()
    assert trips == ["commit"]
    trips.clear()
    async with db.write_sessions() as session:
        await session.execute(text("INSERT INTO t (v) VALUES ('b')"))
        with pytest.raises(IntegrityError):  # errors are SQLAlchemy's
            await session.execute(text("INSERT INTO t (v) VALUES ('a')"))
        await session.rollback()
    assert trips == []  # BEGIN and ROLLBACK inline too
    async with db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT v FROM t"))).scalars().all() == ["a"]


@asynccontextmanager
async def loop_ticks() -> AsyncIterator[list[int]]:
    """How often the event loop got to run (10 ms ticks) while the block waited."""
    ticks = [0]

    async def ticking() -> None:
        while True:
            await asyncio.sleep(0.01)
            ticks[0] += 1

    ticker = asyncio.create_task(ticking())
    try:
        yield ticks
    finally:
        ticker.cancel()


async def test_a_begin_behind_another_process_waits_off_the_loop(db, tmp_path, trips):
    """Another connection (another process, as far as SQLite knows) holds the write
    lock: the writer's BEGIN is retried on aiosqlite's thread, which waits there
    (the loop keeps running) until the lock is free, then proceeds."""
    other = sqlite3.connect(tmp_path / "guildhall.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def release_later() -> None:
        await asyncio.sleep(0.3)
        other.execute("INSERT INTO t (v) VALUES ('other')")
        other.execute("COMMIT")

    releaser = asyncio.create_task(release_later())
    try:
        async with loop_ticks() as ticks:
            async with db.write_sessions() as session:
                await session.execute(text("INSERT INTO t (v) VALUES ('writer')"))
                await session.commit()
    finally:
        await releaser
        other.close()
    assert "_run_waiting" in trips
    assert ticks[0] >= 10  # the loop ran while the BEGIN waited
    async with db.engine.connect() as conn:
        values = (await conn.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert values == ["other", "writer"]


# --- brief reads (Database.brief_readers): on the loop's thread as well -----------


async def test_brief_reads_make_no_trip(db, trips):
    async with db.write_sessions() as session:
        await session.execute(text("INSERT INTO t (v) VALUES ('a')"))
        await session.commit()
    async with db.brief_readers.transaction() as conn:  # the first connect
        await conn.run_sync(lambda c: c.execute(text("SELECT 1")))
    trips.clear()
    async with db.brief_readers.transaction() as conn:
        values = await conn.run_sync(lambda c: c.execute(text("SELECT v FROM t")).scalars().all())
        assert values == ["a"]
    assert trips == []  # BEGIN, the statement and the ROLLBACK all inline


async def test_a_brief_read_behind_an_exclusive_lock_waits_off_the_loop(db, tmp_path, trips):
    """Another process holds the database file exclusively (it can while no other
    connection is open), so the reader's statements find it locked: they are
    retried on aiosqlite's thread, which waits (the loop keeps running) until
    the lock is gone."""
    await db.dispose()  # the engines connect again when next used
    other = sqlite3.connect(tmp_path / "guildhall.db", isolation_level=None)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO t (v) VALUES ('other')")
    other.execute("COMMIT")  # the exclusive lock stays until the mode changes

    async def release_later() -> None:
        await asyncio.sleep(0.3)
        other.close()  # in WAL mode, only closing ends an exclusive lock

    trips.clear()
    releaser = asyncio.create_task(release_later())
    try:
        async with loop_ticks() as ticks:
            async with db.brief_readers.transaction() as conn:
                values = await conn.run_sync(
                    lambda c: c.execute(text("SELECT v FROM t")).scalars().all()
                )
    finally:
        await releaser
    assert values == ["other"]
    assert "_run_waiting" in trips  # the new connection's first pragma found the lock
    assert ticks[0] >= 10  # the loop ran while the SELECT waited
