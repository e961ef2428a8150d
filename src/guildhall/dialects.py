"""Where SQLite and PostgreSQL differ, for the code above the engines: one object.

``Database.dialect`` (``tx.dialect`` in a unit of work) is a ``SqliteDialect`` or a
``PostgresDialect``; services ask it instead of branching on the engine, as
Synapse's ``storage/engines/`` do. What differs:

* row locks: PostgreSQL takes ``SELECT ... FOR UPDATE`` to serialise a
  read-then-write; SQLite has one writer (``db.py`` serialises it), so the lock
  is a no-op there;
* upserts: ``INSERT ... ON CONFLICT`` is written with each dialect's ``insert``;
* boolean columns in raw SQL: SQLite stores them as 0/1.

Engine set-up (pragmas, the one writer) stays in ``db.py``, schema differences in
the migrations, and full-text search (FTS5 against ``tsvector``) in
``search/engines.py``, keyed by ``Dialect.name``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from guildhall.kit.sql import affected


class Dialect:
    name: ClassVar[str]
    # Whether row locks exist (and are needed): writers run in parallel.
    locks_rows: ClassVar[bool]

    def insert(self, model: type[Any]) -> Any:
        """An INSERT with this dialect's ``on_conflict_do_*`` methods."""
        raise NotImplementedError

    def is_true(self, column_sql: str) -> str:
        """A raw-SQL predicate that a boolean column is true."""
        raise NotImplementedError

    async def lock(
        self, session: AsyncSession, stmt: Select[Any], params: dict[str, Any] | None = None
    ) -> None:
        """Lock the rows ``stmt`` selects until commit (serialise read-then-write);
        a no-op where writers are serialised anyway."""
        if self.locks_rows:
            await session.execute(stmt.with_for_update(), params)

    async def lock_loaded(self, session: AsyncSession, obj: Any) -> None:
        """Lock a loaded row until commit, reading it again under the lock."""
        if self.locks_rows:
            await session.refresh(obj, with_for_update=True)

    def skip_locked(self, stmt: Select[Any]) -> Select[Any]:
        """``stmt`` taking only rows no other transaction holds (work shared by
        nodes: each takes different rows instead of waiting)."""
        return stmt.with_for_update(skip_locked=True) if self.locks_rows else stmt

    async def insert_ignore(self, session: AsyncSession, model: type[Any], **values: Any) -> bool:
        """Insert a row unless its key exists; ``True`` when it was inserted.

        ``ON CONFLICT DO NOTHING`` makes idempotent writes (a reaction, a vote)
        safe under concurrent retries without a savepoint per row.
        """
        stmt = self.insert(model).values(**values).on_conflict_do_nothing()
        return bool(await affected(session, stmt))


class SqliteDialect(Dialect):
    name = "sqlite"
    locks_rows = False

    def insert(self, model: type[Any]) -> Any:
        return sqlite.insert(model)

    def is_true(self, column_sql: str) -> str:
        return f"{column_sql} = 1"


class PostgresDialect(Dialect):
    name = "postgresql"
    locks_rows = True

    def insert(self, model: type[Any]) -> Any:
        return postgresql.insert(model)

    def is_true(self, column_sql: str) -> str:
        return column_sql


def dialect_for(url: str) -> Dialect:
    return SqliteDialect() if url.startswith("sqlite") else PostgresDialect()
