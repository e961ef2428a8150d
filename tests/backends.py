"""Backend-specific test helpers (PostgreSQL reset between tests)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from guildhall import migrate
from guildhall.db import Base


async def reset_postgres(rt: Any) -> None:
    """Migrate once, then empty every table (identities restarted) for each test."""
    await migrate.upgrade(rt.db)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with rt.db.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    if rt.settings.redis_url:
        import redis.asyncio as redis

        client = redis.from_url(rt.settings.redis_url)
        await client.flushdb()
        await client.aclose()
