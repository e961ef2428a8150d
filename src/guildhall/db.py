"""Engines: the connections to SQLite or PostgreSQL, and the declarative base.

The unit of work (``Tx``, ``Runtime.transaction``, group commit) is in
``runtime.py``; what services need to know about the engine's differences is the
dialect object (``dialects.py``, ``Database.dialect``). Engine set-up differs
here: on SQLite we enable WAL, serialise writers inside the process (SQLite has
one writer anyway; waiting on an asyncio lock beats SQLite's sleeping busy
handler) and start write transactions with ``BEGIN IMMEDIATE`` so a read never
has to be upgraded to a write under contention. Writes go through one
connection whose statements run on the event loop's thread
(sqlite_driver.InlineDBAPI); reads keep a pool on aiosqlite's threads, except
brief ones (``BriefReaders``: a few indexed lookups, a bounded page), which
run inline too, on connections kept open between units. See
docs/decisions/write-path.md and realtime.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import greenlet_spawn

from guildhall.config import Settings
from guildhall.dialects import Dialect, dialect_for
from guildhall.sqlite_direct import Plans
from guildhall.sqlite_driver import BUSY_TIMEOUT_MS, InlineDBAPI, OneTripDBAPI

log = logging.getLogger("guildhall.db")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on every engine, always read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _sqlite_setup(
    engine: Engine, synchronous: str, mmap_mb: int, writer: bool = False, inline: bool = False
) -> None:
    """Pragmas for every connection. Reads may go through a memory map of the
    file (``mmap_mb``; 0, the default, is off): pages then live once, in the OS
    cache, instead of in each connection's 2 MiB page cache, which a search
    walking a few thousand rows of a large database kept missing
    (docs/decisions/search.md).
    The writer's transactions begin IMMEDIATE (take the write lock up front);
    readers' begin deferred. ``inline`` connections (statements on the loop's
    thread: the writer, brief readers) never sleep there: no busy timeout
    (sqlite_driver.InlineCursor waits elsewhere)."""
    busy_ms = 0 if inline else BUSY_TIMEOUT_MS

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _: Any) -> None:
        # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite's own is wrong).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute(f"PRAGMA mmap_size={mmap_mb * 1024 * 1024}")
        cur.close()

    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Straight to the DB-API cursor: SQLAlchemy's execution around a BEGIN
        # cost more than SQLite's (every transaction runs it).
        cur = conn.connection.dbapi_connection.cursor()
        cur.execute(begin)
        cur.close()


def sync_of(connection: AsyncConnection) -> Connection:
    """The sync connection under an open AsyncConnection."""
    sync = connection.sync_connection
    assert sync is not None, "the connection is open"
    return sync


class BriefReaders:
    """SQLite's brief reads: inline connections kept open from one unit to the
    next, each unit a deferred transaction on one of them.

    A pool's checkout and return, and a session's set-up and close around them,
    cost 150 µs a unit where its statements cost 20-40 µs (a socket's connect
    and join makes three); and a burst of units that found the pool empty opened
    connections (each an aiosqlite thread) only to close them again. Here a unit
    takes an idle connection and gives it back after its ROLLBACK. Up to
    ``SIZE`` are opened, when none is idle, and all stay open; past that a unit
    waits for one. A unit's statements run on the loop's thread, so units
    rarely overlap: opening a connection is what yields. The unit's session
    (``Tx.session``) is made only if asked for, and joins the connection's
    transaction: one snapshot per unit either way.
    """

    SIZE = 8

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._idle: list[AsyncConnection] = []
        self._opened = 0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._closed = False  # closed (the process stops): a unit still out closes its own

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        conn = await self._take()
        try:
            begun = await greenlet_spawn(sync_of(conn).begin)
        except BaseException:
            await self._discard(conn)
            raise
        try:
            yield conn
        finally:
            await self._end(conn, begun)

    async def _take(self) -> AsyncConnection:
        self._closed = False  # used again after close() (a test's dispose): keep again
        while not self._idle:
            if self._opened < self.SIZE:
                self._opened += 1
                try:
                    return await self.engine.connect()
                except BaseException:
                    self._opened -= 1
                    self._wake()
                    raise
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._wake()  # woken as it was cancelled: pass it on
                raise
        return self._idle.pop()

    def _wake(self) -> None:
        """A connection was given back (or a slot freed): the next waiter looks."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _end(self, conn: AsyncConnection, begun: Any) -> None:
        if not (self._closed or sync_of(conn).invalidated):
            try:
                await greenlet_spawn(begun.rollback)
            except Exception:  # the connection is unusable: it is not kept
                log.exception("a brief read's ROLLBACK failed")
            else:
                self._idle.append(conn)
                self._wake()
                return
        await self._discard(conn)

    async def _discard(self, conn: AsyncConnection) -> None:
        self._opened -= 1
        self._wake()
        await conn.close()

    async def close(self) -> None:
        self._closed = True
        while self._idle:
            self._opened -= 1
            await self._idle.pop().close()


class Database:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.resolved_database_url
        self.dialect: Dialect = dialect_for(self.url)
        self.is_sqlite = self.dialect.name == "sqlite"
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False}
            kwargs["module"] = OneTripDBAPI()  # one trip to aiosqlite's thread a statement
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        self.writer = self.brief = self.engine
        # SQLite: brief reads' connections (Runtime.transaction(brief=True)).
        self.brief_readers: BriefReaders | None = None
        # Statements compiled once for sqlite_direct (Tx.rows); used on SQLite only.
        self.plans = Plans(self.engine.sync_engine.dialect)
        if self.is_sqlite:
            synchronous = settings.sqlite_synchronous.upper()
            mmap_mb = settings.sqlite_mmap_mb
            _sqlite_setup(self.engine.sync_engine, synchronous, mmap_mb)
            # The one writer: statements on the loop's thread, used behind the lock.
            # (timeout 0: not even a new connection's pragmas sleep on the loop.)
            inline_args = {"check_same_thread": False, "timeout": 0}
            self.writer = create_async_engine(
                self.url,
                connect_args=inline_args,
                module=InlineDBAPI(),
                pool_size=1,
                max_overflow=0,
            )
            _sqlite_setup(self.writer.sync_engine, synchronous, mmap_mb, writer=True, inline=True)
            # Brief reads on the loop's thread as well: a socket's sign-in, its
            # join_room check and first history page cost less than a trip each.
            # Their connections are kept by BriefReaders, not by a pool.
            self.brief = create_async_engine(
                self.url, connect_args=inline_args, module=InlineDBAPI(), poolclass=NullPool
            )
            _sqlite_setup(self.brief.sync_engine, synchronous, mmap_mb, inline=True)
            self.brief_readers = BriefReaders(self.brief)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self.write_sessions = async_sessionmaker(
            self.writer, expire_on_commit=False, autoflush=False
        )
        # SQLite's one writer, taken by every write unit of work (runtime.py);
        # None on PostgreSQL, whose pool writes in parallel.
        self.write_lock = asyncio.Lock() if self.is_sqlite else None

    async def dispose(self) -> None:
        if self.brief_readers is not None:
            await self.brief_readers.close()
        for engine in {self.writer, self.brief} - {self.engine}:
            await engine.dispose()
        await self.engine.dispose()
