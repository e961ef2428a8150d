"""Statements answered by how many rows they changed."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.ext.asyncio import AsyncSession


async def affected(session: AsyncSession, stmt: Executable) -> int:
    """Run an INSERT, UPDATE or DELETE and answer the rows it changed (the DB-API
    ``rowcount``). SQLAlchemy answers such a statement with a ``CursorResult`` but
    types ``AsyncSession.execute`` as a plain ``Result``, which has no rowcount:
    the one cast says so here instead of an ignore at every caller."""
    result = await session.execute(stmt)
    return cast(CursorResult[Any], result).rowcount
