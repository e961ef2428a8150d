"""Brief reads on SQLite (``db.BriefReaders``, ``Runtime.transaction(brief=True)``):
connections kept open from one unit to the next, never more than ``SIZE`` of
them, each unit its own transaction (rolled back, whatever the unit did), and a
unit's session, made only when asked for, in that same transaction."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, text

from guildhall.config import Settings
from guildhall.db import BriefReaders, Database, sync_of
from guildhall.sqlite_direct import connection_of
from tests.conftest import BACKEND


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(Settings(data_dir=tmp_path, database_url=None))
    async with database.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
    yield database
    await database.dispose()


@pytest.fixture
def connects(db: Database) -> list[object]:
    """Every new connection the brief readers' engine opens."""
    seen: list[object] = []
    event.listen(db.brief.sync_engine, "connect", lambda dbapi, _: seen.append(dbapi))
    return seen


async def query(conn, sql: str, **params: object) -> list[object]:
    """A statement's first column, as a brief read runs it: inline, so not
    through AsyncConnection.execute (which insists on an await)."""
    return await conn.run_sync(lambda c: c.execute(text(sql), params).scalars().all())


def sqlite_of(conn) -> sqlite3.Connection:
    found = connection_of(sync_of(conn).connection.dbapi_connection)
    assert found is not None
    return found


async def test_one_connection_serves_unit_after_unit(db, connects):
    readers = db.brief_readers
    assert readers is not None
    for _ in range(20):
        async with readers.transaction() as conn:
            assert await query(conn, "SELECT v FROM t") == ["a"]
            assert sqlite_of(conn).in_transaction
    assert len(connects) == 1
    # Given back rolled back: no transaction (and no old snapshot) stays open.
    assert not sqlite_of(readers._idle[0]).in_transaction


async def test_a_burst_opens_at_most_size_connections_and_every_unit_runs(db, connects):
    readers = db.brief_readers
    assert readers is not None
    inside = 0
    most = 0

    async def unit(i: int) -> int:
        nonlocal inside, most
        async with readers.transaction() as conn:
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.001)  # units that overlap, as opening one makes them
            (value,) = await query(conn, "SELECT :i", i=i)
            inside -= 1
            return int(value)  # type: ignore[call-overload]

    assert await asyncio.gather(*(unit(i) for i in range(200))) == list(range(200))
    assert most == BriefReaders.SIZE
    assert len(connects) == BriefReaders.SIZE
    assert len(readers._idle) == BriefReaders.SIZE and not readers._waiting


async def test_a_unit_that_raises_is_rolled_back_and_its_connection_kept(db, connects):
    readers = db.brief_readers
    assert readers is not None
    with pytest.raises(LookupError):
        async with readers.transaction() as conn:
            await query(conn, "SELECT v FROM t")
            raise LookupError("a service's refusal, say")
    async with readers.transaction() as conn:
        assert await query(conn, "SELECT count(*) FROM t") == [1]
    assert len(connects) == 1 and len(readers._idle) == 1


async def test_a_waiter_cancelled_leaves_the_rest_served(db):
    readers = db.brief_readers
    assert readers is not None
    release = asyncio.Event()

    async def hold() -> None:
        async with readers.transaction():
            await release.wait()

    holders = [asyncio.create_task(hold()) for _ in range(BriefReaders.SIZE)]
    await asyncio.sleep(0.05)
    cancelled = asyncio.create_task(hold())
    waiting = asyncio.create_task(hold())
    await asyncio.sleep(0.01)
    assert len(readers._waiting) == 2
    cancelled.cancel()
    release.set()
    await asyncio.wait_for(asyncio.gather(*holders, waiting), 5)
    assert cancelled.cancelled()
    assert len(readers._idle) == BriefReaders.SIZE


@pytest.mark.skipif(
    BACKEND != "sqlite",
    reason="BriefReaders exist on SQLite only; on PostgreSQL a brief read is a "
    "pooled session like any other read (READ COMMITTED, no unit snapshot)",
)
async def test_a_units_session_joins_its_transaction_one_snapshot(rt):
    count = text("SELECT count(*) FROM side")
    async with rt.transaction() as tx:
        await tx.session.execute(text("CREATE TABLE side (v TEXT)"))
    async with rt.transaction(write=False, brief=True) as tx:
        assert (await tx.rows(count)).scalar() == 0
        # Another unit commits a row meanwhile (SQLite's WAL lets it).
        async with rt.transaction() as writer:
            await writer.session.execute(text("INSERT INTO side (v) VALUES ('late')"))
        assert tx._session is None  # no session until asked for
        # The session made now reads in the unit's snapshot, not a new one.
        assert (await tx.session.execute(count)).scalar_one() == 0
    async with rt.transaction(write=False, brief=True) as tx:
        assert (await tx.session.execute(count)).scalar_one() == 1


async def test_a_unit_out_when_the_readers_close_closes_its_connection(db):
    """Nothing stays open after ``Database.dispose`` (each connection is an
    aiosqlite thread, which would keep the process from exiting)."""
    readers = db.brief_readers
    assert readers is not None
    release = asyncio.Event()

    async def hold() -> None:
        async with readers.transaction() as conn:
            await query(conn, "SELECT 1")
            await release.wait()

    held = asyncio.create_task(hold())
    async with readers.transaction():  # a second, idle once given back
        pass
    await asyncio.sleep(0.01)
    await readers.close()
    assert not readers._idle
    release.set()
    await held
    assert not readers._idle and readers._opened == 0
