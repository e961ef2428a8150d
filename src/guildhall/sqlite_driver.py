"""SQLAlchemy's aiosqlite adapter, with one trip to the database thread per statement.

aiosqlite runs sqlite3 on its own thread; every call is a job queued to that
thread and a wake-up of the event loop when it is done. SQLAlchemy's adapter
makes four such trips for one statement (open a cursor, execute, fetch, close).
Under load each trip waits for the busy loop (and for the GIL) before the next
can start, and on SQLite every write transaction holds the write lock across all
of its trips, so they bound how many messages a second one process can store.

Here the cursor is a plain result holder: the statement, its rows and the
closing of the real cursor run as one job on aiosqlite's thread. Everything
else (connections, transactions, errors, server-side cursors) is SQLAlchemy's.
Measured in docs/decisions/architecture.md ("SQLite round trips").

The writer's connection goes further (``InlineDBAPI``): its statements run on the
event loop's own thread, with no trip at all. SQLite has one writer, so a write
transaction holds the write lock across every trip it makes; a hop to the thread
and back costs more than an indexed insert or lookup itself, and while it waits,
every other task of the loop runs first. Only what may wait on another process
or on the disk goes to the thread: ``COMMIT`` (a checkpoint, and the fsync under
``synchronous=FULL``), and a ``BEGIN`` that finds another process holding the
write lock (it waits there, up to ``busy_timeout``). Group commit (db.py) shares those two
trips among every send that arrived meanwhile. See docs/decisions/write-path.md.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT, await_

# The checker and aiosqlite: SQLAlchemy types a cursor's connection as its DB-API
# protocol, while it is aiosqlite's Connection (whose private ``_execute`` and
# ``_conn`` these cursors use, tests/test_private_names.py); ``_execute`` has no
# annotations. The ignores marked "see _aiosqlite" say only that.

_Result = tuple[Any, Sequence[Any], int, int | None]
# How long a connection waits for another process's write lock (PRAGMA busy_timeout).
BUSY_TIMEOUT_MS = 10_000


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Result:
    """On aiosqlite's thread: the whole statement, cursor opened and closed."""
    cur = conn.cursor()
    try:
        if many:
            cur.executemany(operation, parameters)
        else:
            cur.execute(operation, () if parameters is None else parameters)
        description = cur.description
        rows = cur.fetchall() if description else ()
        return description, rows, cur.rowcount, cur.lastrowid
    finally:
        cur.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_dbapi_connection) -> None:
        # No real cursor is opened here (that alone is a trip): _run opens its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        # SQLAlchemy types it as always there; this cursor never holds one.
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        # DB-API allows None (no row inserted); SQLAlchemy's base says int.
        return self._lastrowid  # type: ignore[return-value]

    async def _async_soft_close(self) -> None:
        """The real cursor was closed with its statement; the rows are kept here."""

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._trip(operation, seq_of_parameters, many=True)

    async def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        conn: aiosqlite.Connection = self._connection  # type: ignore[assignment]  # see _aiosqlite
        async with self._adapt_connection._execute_mutex:
            result = await conn._execute(  # type: ignore[no-untyped-call]  # see _aiosqlite
                _run, conn._conn, operation, parameters, many
            )
        self._keep(result)

    def _keep(self, result: _Result) -> None:
        self._description, rows, self._rowcount, self._lastrowid = result
        self._rows = deque(rows)


def _run_waiting(conn: sqlite3.Connection, operation: str, parameters: Any) -> _Result:
    """On aiosqlite's thread: the statement, waiting for another process's lock."""
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return _run(conn, operation, parameters, False)
    finally:
        conn.execute("PRAGMA busy_timeout=0")


class InlineCursor(OneTripCursor):
    """Runs its statement on the calling (event loop's) thread. The connection has
    no busy timeout, so nothing here ever sleeps: a statement that finds another
    process holding a lock it needs (the writer's ``BEGIN IMMEDIATE``; rarely a
    reader's first ``SELECT``, while a WAL index is rebuilt) is retried on
    aiosqlite's thread, waiting there."""

    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            self._keep(_run(self._connection._conn, operation, parameters, False))
        except sqlite3.OperationalError as error:
            failure: Exception = error
            if error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
                try:
                    return await_(self._run_on_thread(operation, parameters))
                except Exception as again:
                    failure = again
            self._adapt_connection._handle_exception(failure)
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _run_on_thread(self, operation: str, parameters: Any) -> None:
        conn: aiosqlite.Connection = self._connection  # type: ignore[assignment]  # see _aiosqlite
        async with self._adapt_connection._execute_mutex:
            self._keep(
                await conn._execute(  # type: ignore[no-untyped-call]  # see _aiosqlite
                    _run_waiting, conn._conn, operation, parameters
                )
            )

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            self._keep(_run(self._connection._conn, operation, seq_of_parameters, True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor


class InlineConnection(OneTripConnection):
    """Statements and ROLLBACK on the caller's thread; COMMIT on aiosqlite's."""

    __slots__ = ()
    _cursor_cls = InlineCursor

    def rollback(self) -> None:
        if self._connection._connection:
            try:
                self._connection._conn.rollback()
            except Exception as error:
                self._handle_exception(error)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module for ``create_async_engine(..., module=...)``."""

    connection_cls: type[OneTripConnection] = OneTripConnection

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return self.connection_cls(self, adapted._connection)


class InlineDBAPI(OneTripDBAPI):
    """For the one writer connection (a pool of one, behind the write lock), and
    for brief reads (``db.BriefReaders``)."""

    connection_cls = InlineConnection
