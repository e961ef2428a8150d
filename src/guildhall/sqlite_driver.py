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
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

_Result = tuple[Any, Sequence[Any], int, int | None]


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

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No real cursor is opened here (that alone is a trip): _run opens its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}
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
        conn: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            result = await conn._execute(_run, conn._conn, operation, parameters, many)
        self._description, rows, self._rowcount, self._lastrowid = result
        self._rows = deque(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module for ``create_async_engine(..., module=...)``."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)
