"""The per-process runtime and its unit of work.

``Runtime`` holds what a process runs on — settings, database, limits, the bus
and presence (``ports``), file storage, the realtime transport — as typed
fields, built once by ``app.build_runtime`` and reachable from every unit of
work as ``tx.rt``, so services take one argument for their context and nothing
is global.

``Runtime.transaction`` is the unit of work: one transaction, committed once,
then its events handed to the bus. ``Runtime.grouped`` is group commit for the
hot write (a message send): on SQLite, work that arrives while a write
transaction runs joins the next one, each piece in a SAVEPOINT of its own, all
committed at once, each answered (and its events published) only after that
commit. On PostgreSQL it is a plain transaction of its own: the pool commits
sends to different channels in parallel. See docs/decisions/write-path.md.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.util import greenlet_spawn

from guildhall import sqlite_direct
from guildhall.audit.reason import current_reason
from guildhall.config import Settings
from guildhall.db import Database, sync_of
from guildhall.dialects import Dialect
from guildhall.events import Event, EventBuffer
from guildhall.kit.threads import ThreadSlots
from guildhall.observability import count_events
from guildhall.ports.bus import Bus
from guildhall.ports.presence import Presence
from guildhall.ports.realtime import Realtime
from guildhall.ports.storage import Storage
from guildhall.ratelimit import RateLimits
from guildhall.sqlite_direct import RowsResult

log = logging.getLogger("guildhall.db")
T = TypeVar("T")
# Most pieces of work one group commit holds: bounds how long its last one waits.
MAX_GROUP = 128
# Session.info's key for Tx._direct_connection.
_DIRECT = "guildhall.direct"


@dataclass
class Tx:
    """What a service works in: the session, the runtime, the events it causes."""

    _session: AsyncSession | None
    rt: Runtime
    events: EventBuffer = field(default_factory=EventBuffer)
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # The request's X-Audit-Log-Reason (audit.reason): what audit entries record.
    audit_reason: str | None = field(default_factory=current_reason)
    # A brief read on SQLite (db.BriefReaders): the connection its transaction is
    # on, which the session, made only when first asked for, joins.
    connection: AsyncConnection | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = AsyncSession(self.connection, expire_on_commit=False, autoflush=False)
        return self._session

    @property
    def settings(self) -> Settings:
        return self.rt.settings

    @property
    def dialect(self) -> Dialect:
        """How this engine differs (row locks, upserts): ``dialects.py``."""
        return self.rt.db.dialect

    async def rows(
        self, stmt: Any, params: dict[str, Any] | list[dict[str, Any]] | None = None
    ) -> RowsResult:
        """Run a Core statement built once (a module constant) on the transaction's
        connection, past the ORM (no objects, no identity map, no bulk-persistence
        machinery): for hot statements whose rows are plain values, read by
        position; a list of parameter sets runs it for each. ``session.execute``
        for everything else.

        On SQLite's inline connections the statement is compiled once and run
        straight on ``sqlite3`` (``sqlite_direct``)."""
        direct = await self._direct_connection()
        if direct is not None:
            found = self.rt.db.plans.get(stmt, params)
            if found is not None:
                done = sqlite_direct.run(direct, found, params)
                if done is not None:
                    return done
        # In a greenlet on the sync session's connection, as the session runs its
        # own statements: AsyncSession.connection() builds async proxies each call,
        # and AsyncConnection.execute would insist on an await, which the inline
        # SQLite connections never make.
        if self.connection is not None:
            return await greenlet_spawn(sync_of(self.connection).execute, stmt, params)
        sync_session = self.session.sync_session
        return await greenlet_spawn(lambda: sync_session.connection().execute(stmt, params))

    async def _direct_connection(self) -> sqlite3.Connection | None:
        """The sqlite3 connection under the session's transaction when it is an
        inline one, else None; looked up once a session (every session here is
        one transaction: a unit of work, or a group commit's pieces)."""
        if self.connection is not None:  # a brief read's: inline, and open already
            return sqlite_direct.connection_of(sync_of(self.connection).connection.dbapi_connection)
        info = self.session.info
        if _DIRECT not in info:
            if self.rt.db.is_sqlite:
                connection = await greenlet_spawn(self.session.sync_session.connection)
                dbapi = connection.connection.dbapi_connection
                info[_DIRECT] = sqlite_direct.connection_of(dbapi)
            else:  # PostgreSQL: never one (and no greenlet trip to learn so)
                info[_DIRECT] = None
        direct: sqlite3.Connection | None = info[_DIRECT]
        return direct

    def on_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run ``action`` after a successful commit (e.g. delete files of deleted rows)."""
        self.after_commit.append(action)

    def emit(
        self,
        room: str,
        name: str,
        data: Any,
        skip_sid: str | None = None,
        skip_rooms: tuple[str, ...] = (),
    ) -> None:
        """Record an event; it leaves only if the transaction commits. Sockets in
        ``skip_rooms`` (as in ``room``) do not get it."""
        self.events.add(Event(room, name, data, skip_sid, skip_rooms))


@dataclass(slots=True)
class _Work:
    """One piece of grouped work, waiting for the commit that holds it."""

    run: Callable[[Tx], Awaitable[Any]]
    audit_reason: str | None
    answer: asyncio.Future[Any]
    tx: Tx | None = None
    result: Any = None


@dataclass(eq=False)
class Runtime:
    settings: Settings
    db: Database
    limits: RateLimits
    bus: Bus
    presence: Presence
    storage: Storage
    # Blocking content checks of uploads (image decoding) run at once in threads.
    file_checks: ThreadSlots
    # Run by a write unit of work with events, just before it commits: numbers
    # the channel events and writes them to the replay log (contract section 18).
    before_commit: Callable[[Tx], Awaitable[None]] | None = None
    # The socket transport; made from the runtime itself, so set by the builder
    # (``app.build_runtime``) right after the rest.
    realtime: Realtime = field(init=False)
    # Background work the process owns: periodic sweepers, mail being sent.
    sweepers: list[asyncio.Task[None]] = field(default_factory=list)
    mail: set[asyncio.Task[None]] = field(default_factory=set)
    # Group commit (SQLite): work waiting for the next write transaction.
    _waiting: deque[_Work] = field(default_factory=deque, init=False, repr=False)
    _committer: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    @asynccontextmanager
    async def transaction(self, write: bool = True, brief: bool = False) -> AsyncIterator[Tx]:
        """One unit of work: committed once, then its events go to the bus.

        ``brief`` (a read): only indexed lookups and a bounded page, never a scan;
        on SQLite it then runs on the loop's thread (``db.BriefReaders``)."""
        readers = self.db.brief_readers if brief and not write else None
        if readers is not None:
            async with readers.transaction() as connection:
                tx = Tx(None, self, connection=connection)
                try:
                    yield tx
                finally:
                    if tx._session is not None:
                        await tx._session.close()
            await _after_commit(self, [tx])
            return
        lock = self.db.write_lock if write else None
        if lock is not None:
            await lock.acquire()
        db = self.db
        sessions = db.write_sessions if write else db.sessions
        try:
            async with sessions() as session:
                tx = Tx(session, self)
                try:
                    yield tx
                    if write:
                        if tx.events and self.before_commit is not None:
                            # Channel events take their numbers in this transaction.
                            await self.before_commit(tx)
                        await session.commit()
                    # A read-only unit just closes: loaded objects stay readable.
                except BaseException:
                    await session.rollback()
                    raise
        finally:
            if lock is not None:
                lock.release()
        await _after_commit(self, [tx])

    async def grouped(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """``work(tx)`` in a write transaction shared with the grouped work that
        arrives meanwhile (SQLite), rolled back alone if it raises; returns once
        the transaction holding it has committed and its events are published."""
        if self.db.write_lock is None:  # PostgreSQL: a transaction (and connection) each
            async with self.transaction() as tx:
                return await work(tx)
        answer: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Work(work, current_reason(), answer))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_groups())
        return await answer

    async def _commit_groups(self) -> None:
        while self._waiting:
            group = [self._waiting.popleft() for _ in range(min(MAX_GROUP, len(self._waiting)))]
            done: list[_Work] = []
            try:
                done = await self._commit_group(group)
                await _after_commit(self, [w.tx for w in done if w.tx is not None])
            except Exception as exc:
                if not done:  # the commit (or a savepoint) failed: all of it did
                    _answer(group, exc)
                    continue
                log.exception("publishing a group commit's events failed")
            except BaseException as exc:  # cancelled (shutdown): nobody is left waiting
                _answer([*group, *self._waiting], exc)
                self._waiting.clear()
                raise
            for w in done:
                if not w.answer.done():
                    w.answer.set_result(w.result)

    async def _commit_group(self, group: list[_Work]) -> list[_Work]:
        """One write transaction for ``group``; the work that succeeded, committed."""
        assert self.db.write_lock is not None
        done: list[_Work] = []
        async with self.db.write_lock:
            async with self.db.write_sessions() as session:
                alone = len(group) == 1  # no savepoint needed: its failure is the whole
                for w in group:
                    tx = Tx(session, self, audit_reason=w.audit_reason)
                    savepoint = None if alone else await _Savepoint.open(tx)
                    try:
                        w.result = await w.run(tx)
                        if tx.events and self.before_commit is not None:
                            # Numbered inside its savepoint: a failure takes only it back.
                            await self.before_commit(tx)
                    except Exception as exc:
                        if savepoint is not None:
                            savepoint.rollback()
                        else:
                            await session.rollback()
                        w.answer.set_exception(exc)
                        continue
                    if savepoint is not None:
                        await savepoint.release()
                    w.tx = tx
                    done.append(w)
                if done:
                    await session.commit()
        return done


@dataclass(slots=True)
class _Savepoint:
    """A group commit's piece, taken back alone if it fails: SQLite's SAVEPOINT
    run on the writer's connection directly. SQLAlchemy's ``begin_nested`` cost a
    send more than its statements (docs/decisions/write-path.md); the session is
    kept in step here instead: a piece's changes are flushed inside it, and a
    failed piece's objects leave the session with it."""

    tx: Tx
    conn: sqlite3.Connection

    @classmethod
    async def open(cls, tx: Tx) -> _Savepoint:
        conn = await tx._direct_connection()
        assert conn is not None, "group commit runs on SQLite's inline writer"
        conn.execute("SAVEPOINT piece")
        return cls(tx, conn)

    async def release(self) -> None:
        session = self.tx.session
        if session.new or session.deleted or session.dirty:
            await session.flush()
        self.conn.execute("RELEASE piece")

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK TO piece")
        self.conn.execute("RELEASE piece")
        # Nothing the piece loaded, added or changed stays (or gets flushed later).
        self.tx.session.expunge_all()


def _answer(group: list[_Work], exc: BaseException) -> None:
    """Fail every piece of ``group`` not answered yet."""
    for w in group:
        if w.answer.done():
            continue
        if isinstance(exc, Exception):
            w.answer.set_exception(exc)
        else:
            w.answer.cancel()


async def _after_commit(rt: Runtime, units: list[Tx]) -> None:
    """After the commit: each unit's clean-ups, then all their events, in order."""
    events: list[Event] = []
    for tx in units:
        for action in tx.after_commit:
            try:
                await action()
            except Exception:  # the data is committed; a failed clean-up is only logged
                log.exception("after-commit action failed")
        if tx.events:
            events += tx.events.drain()
    if events:
        count_events(events)
        await rt.bus.publish(events)
