"""Backend-specific test helpers: a PostgreSQL database per test run, reset
between tests; this run's Redis keys cleared."""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy import text

from guildhall import migrate
from guildhall.db import Base


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def create_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(_dsn(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(_dsn(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def reset_postgres(rt: Any) -> None:
    """Migrate (once per database), then empty every table and this run's Redis keys."""
    await migrate.upgrade(rt.db)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with rt.db.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    if rt.settings.redis_url:
        import redis.asyncio as redis

        client = redis.from_url(rt.settings.redis_url)
        try:
            keys = [k async for k in client.scan_iter(f"{rt.settings.redis_namespace}:*")]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()
