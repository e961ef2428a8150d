"""Statements that differ by dialect but mean the same thing on both engines."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from guildhall.db import Tx


async def insert_ignore(tx: Tx, model: type[Any], **values: Any) -> bool:
    """Insert a row unless its key exists; ``True`` when it was inserted.

    ``ON CONFLICT DO NOTHING`` makes idempotent writes (a reaction, a vote)
    safe under concurrent retries without a savepoint per row.
    """
    dialect = sqlite if tx.rt.db.is_sqlite else postgresql
    stmt = dialect.insert(model).values(**values).on_conflict_do_nothing()
    result = await tx.session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]
