"""Hot statements on SQLite's inline connections, past SQLAlchemy's execution.

A statement ``Tx.rows`` runs (built once, at import) is compiled once here into
its SQL text, the order of its parameters and its type conversions, then run
straight on the ``sqlite3`` connection under the session's transaction. Measured
on one joined lookup: SQLite itself 19 µs, SQLAlchemy Core around it 194 µs, the
ORM 354 µs (docs/decisions/write-path.md, "Statements past SQLAlchemy"). The
rows come back as plain tuples with the same conversions SQLAlchemy applies
(``UTCDateTime`` included), and a failure as SQLAlchemy's own exception class
(``IntegrityError`` stays catchable as before).

Only where the statement runs on the event loop's thread anyway (the writer and
brief readers, ``sqlite_driver.InlineConnection``). An expanding ``IN`` gets a
plan per length of its list. Everything else goes the usual way: PostgreSQL,
the pooled readers on aiosqlite's thread, statements whose SQL depends on a
caller's literal or that leave columns to Python-side defaults SQLAlchemy
computes per row, and a statement that meets another process's lock
(SQLITE_BUSY: nothing ran, so the usual path runs it again and waits on
aiosqlite's thread).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from guildhall.sqlite_driver import InlineConnection

Convert = Callable[[Any], Any]
# Statements are module constants, so this stays small; a caller building a new
# statement per call would otherwise grow it without bound: then it starts over.
MAX_PLANS = 512


class Unplannable(Exception):
    """The statement's SQL is not fixed; run it the usual way."""


@dataclass(frozen=True, slots=True)
class Plan:
    sql: str
    # Per ``?`` mark: the parameter's name, and the item of its list it takes
    # (an expanding IN's), or -1 for the value itself.
    marks: tuple[tuple[str, int], ...]
    defaults: dict[str, Any]  # values the statement itself holds
    binds: tuple[Convert | None, ...]  # per mark
    results: tuple[Convert | None, ...] | None  # per column; None: no conversion

    def args(self, params: dict[str, Any] | None) -> tuple[Any, ...]:
        given = params or {}
        out = []
        for (name, item), convert in zip(self.marks, self.binds, strict=True):
            value = given[name] if name in given else self.defaults[name]
            if item >= 0:
                value = value[item]
            out.append(value if convert is None or value is None else convert(value))
        return tuple(out)

    def convert(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        results = self.results
        if results is None:
            return rows
        return [
            tuple(v if c is None else c(v) for v, c in zip(row, results, strict=True))
            for row in rows
        ]


@dataclass(slots=True)
class _Shape:
    """A statement compiled for one set of parameter names; its plans by the
    lengths of its expanding ``IN`` lists (one plan when it has none)."""

    stmt: Any  # kept: its id stays its own while it is here
    compiled: Any  # SQLAlchemy's SQLCompiler, or None: never plannable
    expanding: tuple[str, ...]
    plans: dict[tuple[int, ...], Plan]


def _shape(stmt: Any, dialect: Dialect, keys: list[str]) -> _Shape:
    """``stmt`` compiled as SQLAlchemy compiles it for parameters named ``keys``
    (an INSERT or UPDATE sets the columns they name)."""
    compiled = stmt.compile(dialect=dialect, column_keys=keys)
    late = compiled.post_compile_params | compiled.literal_execute_params
    fixed = (
        compiled.positional
        # (columns whose Python-side defaults SQLAlchemy computes per row)
        and not (compiled.insert_prefetch or compiled.update_prefetch)
        # Rendered into the SQL when run: an expanding IN of the caller's (a plan
        # per length), or a literal the statement holds (``aggregate_strings``'
        # separator), not a literal of the caller's.
        and all(b.key in keys if b.expanding else not (b.required or b.key in keys) for b in late)
    )
    expanding = tuple(sorted(b.key for b in late if b.expanding))
    return _Shape(stmt, compiled if fixed else None, expanding, {})


def _plan(compiled: Any, dialect: Dialect, lengths: dict[str, int]) -> Plan:
    binds = compiled.binds
    sql, positions = compiled.string, tuple(compiled.positiontup or ())
    processors = compiled._bind_processors
    items: dict[str, tuple[str, int]] = {}  # an expanded mark's list and item
    if compiled.post_compile_params or compiled.literal_execute_params:
        values: dict[str, Any] = {n: None for n in positions if binds[n].required}
        values.update({n: [None] * k for n, k in lengths.items()})
        state = compiled.construct_expanded_state(values)
        sql, positions = state.statement, tuple(state.positiontup or ())
        processors = {**processors, **state.processors}
        for name, expanded in state.parameter_expansion.items():
            items.update((each, (name, i)) for i, each in enumerate(expanded))
    marks = tuple(items.get(p, (p, -1)) for p in positions)
    plain = [p for p in positions if p not in items]
    results = tuple(
        entry.type._cached_result_processor(dialect, None) for entry in compiled._result_columns
    )
    return Plan(
        sql,
        marks,
        {n: binds[n].effective_value for n in plain if not binds[n].required},
        tuple(processors.get(p) for p in positions),
        results if any(results) else None,
    )


class RowsResult(Protocol):
    """What ``Tx.rows`` answers on every path: SQLAlchemy's Result, or ``Rows``."""

    def all(self) -> Sequence[Any]: ...

    def first(self) -> Any: ...

    def scalar(self) -> Any: ...


class Rows:
    """The rows of a statement run here, with the methods callers use of a Result."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows

    def all(self) -> Sequence[tuple[Any, ...]]:
        return self._rows

    def first(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None


class Plans:
    """Compiled statements for one dialect, by statement and parameter names."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._shapes: dict[tuple[int, tuple[str, ...]], _Shape] = {}

    def get(self, stmt: Any, params: dict[str, Any] | list[dict[str, Any]] | None) -> Plan | None:
        many = isinstance(params, list)
        first = (params[0] if params else {}) if isinstance(params, list) else params or {}
        keys = sorted(first)
        key = (id(stmt), tuple(keys))
        shape = self._shapes.get(key)
        if shape is None or shape.stmt is not stmt:
            if len(self._shapes) >= MAX_PLANS:
                self._shapes.clear()
            shape = self._shapes[key] = _shape(stmt, self.dialect, keys)
        if shape.compiled is None or (many and shape.expanding):
            return None
        lengths = tuple(len(first[n]) for n in shape.expanding)
        found = shape.plans.get(lengths)
        if found is None:
            if len(shape.plans) >= MAX_PLANS:
                shape.plans.clear()
            found = shape.plans[lengths] = _plan(
                shape.compiled, self.dialect, dict(zip(shape.expanding, lengths, strict=True))
            )
        return found


def connection_of(dbapi_connection: Any) -> sqlite3.Connection | None:
    """The ``sqlite3`` connection behind an inline SQLAlchemy DB-API connection."""
    if isinstance(dbapi_connection, InlineConnection):
        conn: sqlite3.Connection = dbapi_connection._connection._conn
        return conn
    return None


def run(
    conn: sqlite3.Connection, found: Plan, params: dict[str, Any] | list[dict[str, Any]] | None
) -> Rows | None:
    """Run ``found`` on ``conn``; None when another process holds a lock one
    statement needs (nothing ran: run it the usual way, which waits). A list of
    parameter sets runs in a write transaction, whose lock is already held."""
    many = isinstance(params, list)
    cur = conn.cursor()
    try:
        if isinstance(params, list):
            cur.executemany(found.sql, [found.args(p) for p in params])
            return Rows([])
        cur.execute(found.sql, found.args(params))
        return Rows(found.convert(cur.fetchall()) if cur.description else [])
    except sqlite3.OperationalError as error:
        if not many and error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
            return None
        raise DBAPIError.instance(found.sql, params, error, sqlite3.Error) from error
    except sqlite3.Error as error:
        raise DBAPIError.instance(found.sql, params, error, sqlite3.Error) from error
    finally:
        cur.close()
