"""The bare insert probe: Starlette under the same uvicorn as Guildhall, one
``POST /api/channels/{id}/messages`` that inserts one row and commits it, and
answers 201 with the row as JSON. No authentication, no validation, no events:
what one process can store a second on this machine, the ceiling the send path
is measured against.

    python probe.py PORT sqlite PATH          # sqlite3 in WAL, synchronous=NORMAL
    python probe.py PORT postgres DSN         # an asyncpg pool of 10

SQLite runs on the event loop's thread (an insert and a WAL commit take tens of
microseconds): no thread hop, the cheapest way Python can do it.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL,"
    " author_id INTEGER NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL)"
)
PG_SCHEMA = SCHEMA.replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY")
INSERT = "INSERT INTO messages (channel_id, author_id, content, created_at) VALUES "


def sqlite_app(path: str) -> Starlette:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(SCHEMA)

    async def send(request: Request) -> JSONResponse:
        body = await request.json()
        cid = int(request.path_params["cid"])
        now = datetime.now(UTC).isoformat()
        cur = conn.execute(INSERT + "(?, ?, ?, ?)", (cid, 1, body["content"], now))
        return JSONResponse(_row(cur.lastrowid, cid, body["content"], now), status_code=201)

    return Starlette(routes=[Route("/api/channels/{cid}/messages", send, methods=["POST"])])


def postgres_app(dsn: str) -> Starlette:
    import asyncpg

    pool: Any = None

    async def startup() -> None:
        nonlocal pool
        pool = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
        async with pool.acquire() as conn:
            await conn.execute(PG_SCHEMA)

    async def send(request: Request) -> JSONResponse:
        body = await request.json()
        cid = int(request.path_params["cid"])
        now = datetime.now(UTC)
        async with pool.acquire() as conn:
            mid = await conn.fetchval(
                INSERT + "($1, $2, $3, $4) RETURNING id", cid, 1, body["content"], now.isoformat()
            )
        return JSONResponse(_row(mid, cid, body["content"], now.isoformat()), status_code=201)

    return Starlette(
        routes=[Route("/api/channels/{cid}/messages", send, methods=["POST"])],
        on_startup=[startup],
    )


def _row(mid: int | None, cid: int, content: str, now: str) -> dict[str, Any]:
    return {"id": mid, "channel_id": cid, "author_id": 1, "content": content, "created_at": now}


def main() -> None:
    port, engine, target = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    app = sqlite_app(target) if engine == "sqlite" else postgres_app(target)
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", loop="uvloop", http="httptools"
    )


if __name__ == "__main__":
    main()
