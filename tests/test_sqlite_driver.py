"""The SQLite adapter (guildhall/sqlite_driver.py): one trip to aiosqlite's thread
per statement, and the same DBAPI behaviour SQLAlchemy relies on."""

from __future__ import annotations

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
