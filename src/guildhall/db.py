"""Engines and the unit of work: one transaction, committed once, then its events.

SQLite (embedded) and PostgreSQL (scaled out) differ only here and in migrations:
on SQLite we enable WAL, serialise writers inside the process (SQLite has one
writer anyway; waiting on an asyncio lock beats SQLite's sleeping busy handler)
and start write transactions with ``BEGIN IMMEDIATE`` so a read never has to be
upgraded to a write under contention.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from guildhall.audit.reason import current_reason
from guildhall.config import Settings
from guildhall.events import Event, EventBuffer
from guildhall.observability import count_events
from guildhall.sqlite_driver import OneTripDBAPI

if TYPE_CHECKING:
    from guildhall.runtime import Runtime

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


_write_tx: contextvars.ContextVar[bool] = contextvars.ContextVar("write_tx", default=False)


def _sqlite_setup(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _: Any) -> None:
        # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite's own is wrong).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_tx.get() else "BEGIN")


@dataclass
class Tx:
    """What a service works in: the session, the runtime, the events it causes."""

    session: AsyncSession
    rt: Runtime
    events: EventBuffer = field(default_factory=EventBuffer)
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # The request's X-Audit-Log-Reason (audit.reason): what audit entries record.
    audit_reason: str | None = field(default_factory=current_reason)

    @property
    def settings(self) -> Settings:
        return self.rt.settings

    def on_commit(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run ``action`` after a successful commit (e.g. delete files of deleted rows)."""
        self.after_commit.append(action)

    def emit(self, room: str, name: str, data: Any, skip_sid: str | None = None) -> None:
        """Record an event; it leaves only if the transaction commits."""
        self.events.add(Event(room, name, data, skip_sid))


class Database:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.resolved_database_url
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False}
            kwargs["module"] = OneTripDBAPI()  # one trip to aiosqlite's thread a statement
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            _sqlite_setup(self.engine.sync_engine, settings.sqlite_synchronous.upper())
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def transaction(self, rt: Runtime, write: bool = True) -> AsyncIterator[Tx]:
        """Run one unit of work; commit once, then hand its events to the bus."""
        lock = self._write_lock if write else None
        if lock is not None:
            await lock.acquire()
        token = _write_tx.set(write)
        try:
            async with self.sessions() as session:
                tx = Tx(session, rt)
                try:
                    yield tx
                    if write:
                        await session.commit()
                    # A read-only unit just closes: loaded objects stay readable.
                except BaseException:
                    await session.rollback()
                    raise
        finally:
            _write_tx.reset(token)
            if lock is not None:
                lock.release()
        for action in tx.after_commit:
            try:
                await action()
            except Exception:  # the data is committed; a failed clean-up is only logged
                log.exception("after-commit action failed")
        if tx.events and rt.bus is not None:
            events = tx.events.drain()
            count_events(events)
            await rt.bus.publish(events)

    async def dispose(self) -> None:
        await self.engine.dispose()
