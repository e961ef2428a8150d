"""The searches of ``history_bench.py`` on PostgreSQL: p50 and EXPLAIN ANALYZE.

Not a test. Loads the same data as ``history_bench.bulk_load`` (users, guilds,
``n`` messages of the same generated text, attachments, pins, polls) into a
PostgreSQL database by INSERT ... SELECT over ``generate_series``, then for each
search of ``history_bench.searches`` times the service (median and range of
``--runs``), then runs ``EXPLAIN (ANALYZE, BUFFERS)`` of every statement the
search sent (as sent: the driver's SQL and parameters, captured from the engine)
``--explain-runs`` times, and keeps the median and minimum of their summed
execution times (PostgreSQL's own clock: no client, no waiting for a CPU between
statements) with the plans of the last round. A search on PostgreSQL walking id
windows sends one statement a window (``search/windows.py``); the visibility
lookups are in the sum for every search alike. Writes
``bench/results/search-pg.json`` and ``bench/results/search-pg-plans-<label>.txt``.

Measure older code on the same database with ``PYTHONPATH=<old tree>/src`` and
``--skip-load --label before``.

    .venv/bin/python bench/search_explain_pg.py \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench --sizes 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from history_bench import (
    _CONTENT,
    EPOCH,
    USERS,
    _channel_of,
    searches,
    settings_for,
    vocabulary,
)
from sqlalchemy import event, text

from guildhall import migrate
from guildhall.app import build_runtime
from guildhall.runtime import Runtime
from guildhall.search import service as search

RESULTS = Path(__file__).parent / "results"


def extra(n: int) -> dict[str, tuple[int, search.SearchFilters]]:
    """A rarer word (244 matches at 1M messages) and a word in the vocabulary that
    the generated text never uses (0), where looking at id windows row by row first
    (search/windows.py) is pure overhead; the same with filters, and a common word
    needing many hits in one channel, a common word with a filter that leaves few
    or none of its matches: where a walk's rest reads every match first or walks
    the id order (``windows.text_index_first``)."""
    window = searches(n)["q+time"][1]  # a tenth of the history, half way back
    return {
        "rare word": (1, search.SearchFilters(q="yukglhnl")),
        "no match": (1, search.SearchFilters(q="zzzwjwv")),
        "rare word+channel": (1, search.SearchFilters(q="yukglhnl", channel_id=1)),
        "rare word, oldest": (1, search.SearchFilters(q="yukglhnl", sort="oldest")),
        "no match+author": (1, search.SearchFilters(q="zzzwjwv", author_id=7)),
        "no match+has=link": (1, search.SearchFilters(q="zzzwjwv", has=frozenset({"link"}))),
        "no match+time": (1, dataclasses.replace(window, q="zzzwjwv")),
        "q+has=file": (1, search.SearchFilters(q="hello", has=frozenset({"file"}))),
        "q+pinned": (1, search.SearchFilters(q="hello", pinned=True)),
        "q+channel, oldest, offset 1000": (
            1,
            search.SearchFilters(q="hello", channel_id=1, sort="oldest", offset=1000),
        ),
    }


async def load(rt: Runtime, n: int) -> float:
    now = EPOCH.replace(tzinfo=None)
    started = time.perf_counter()
    async with rt.db.engine.begin() as conn:
        ex = conn.execute
        for u in range(1, USERS + 1):
            await ex(
                text(
                    "INSERT INTO users (id, username, email, username_key, email_key, "
                    "password_hash, created_at) VALUES (:u, :n, :e, :n, :e, 'x', :t)"
                ),
                {"u": u, "n": f"user{u}", "e": f"u{u}@x.test", "t": now},
            )
        await ex(
            text(
                "INSERT INTO guilds (id, name, owner_id, created_at) VALUES "
                "(1, 'bench', 1, :t), (2, 'small', 100, :t)"
            ),
            {"t": now},
        )
        for g, u in [(1, u) for u in range(1, 91)] + [(2, 100)]:
            await ex(
                text("INSERT INTO members (guild_id, user_id, joined_at) VALUES (:g, :u, :t)"),
                {"g": g, "u": u, "t": now},
            )
        for c in range(1, 12):
            await ex(
                text(
                    "INSERT INTO channels (id, guild_id, name, type, position, read_only, "
                    "created_at) VALUES (:c, :g, :n, 'text', :p, false, :t)"
                ),
                {"c": c, "g": 1 if c <= 10 else 2, "n": f"c{c}", "p": c, "t": now},
            )
        await ex(text("CREATE TEMP TABLE vocab (k bigint PRIMARY KEY, w text)"))
        words = vocabulary(random.Random(42))
        await ex(
            text(
                "INSERT INTO vocab SELECT k - 1, w "
                "FROM unnest(CAST(:w AS text[])) WITH ORDINALITY AS t(w, k)"
            ),
            {"w": words},
        )
        await ex(
            text(
                "INSERT INTO messages (id, channel_id, guild_id, author_id, content, "
                "created_at, pinned) SELECT i, "
                + _channel_of("i")
                + ", CASE WHEN i % 1000 = 0 THEN 2 ELSE 1 END"
                + ", CASE WHEN i % 1000 = 0 THEN 100 ELSE 1 + ((i * 2654435761) / 4096) % 90 END, "
                + _CONTENT
                + ", timestamp '2024-01-01' + i * interval '1 second', i % 997 = 0"
                + " FROM generate_series(1::bigint, :n) AS s(i)"
            ),
            {"n": n},
        )
        await ex(
            text(
                "INSERT INTO uploads (id, path, filename, size, mimetype, owner_id, created_at) "
                "SELECT id, 'uploads/b' || id || '/f', 'f', 1000, "
                "CASE WHEN id % 100 = 0 THEN 'image/png' ELSE 'application/pdf' END, author_id, "
                "created_at FROM messages WHERE id % 50 = 0"
            )
        )
        await ex(
            text(
                "INSERT INTO attachments (id, message_id, upload_id, position) "
                "SELECT id, id, id, 0 FROM uploads"
            )
        )
        await ex(
            text(
                "INSERT INTO polls (id, message_id, question, allow_multiple, expires_at, "
                "created_at) SELECT 'p' || id, id, 'q', false, created_at, created_at "
                "FROM messages WHERE id % 500 = 0"
            )
        )
        await ex(
            text(
                "UPDATE channels SET message_count = "
                "(SELECT count(*) FROM messages WHERE messages.channel_id = channels.id)"
            )
        )
    async with rt.db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE"))
    return round(time.perf_counter() - started, 1)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--explain-runs", type=int, default=5)
    parser.add_argument("--label", default="after")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--only", nargs="*", help="these searches only")
    args = parser.parse_args()
    out: dict[str, Any] = {}
    plans: list[str] = []
    sent: list[tuple[str, Any]] = []

    def recording(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, params))

    for n in args.sizes:
        settings = settings_for(Path(tempfile.mkdtemp())).model_copy(
            update={"database_url": args.database_url.replace("{n}", str(n))}
        )
        rt = build_runtime(settings)
        if not args.skip_load:
            await migrate.upgrade(rt.db)
            out.setdefault("load_seconds", {})[n] = await load(rt, n)
        for name, (user, filters) in {**searches(n), **extra(n)}.items():
            if args.only and name not in args.only:
                continue
            samples = []
            for _ in range(args.runs + 2):  # two warm-ups
                sent.clear()
                event.listen(rt.db.engine.sync_engine, "before_cursor_execute", recording)
                start = time.perf_counter()
                try:
                    async with rt.transaction(write=False) as tx:
                        await search.search_messages(tx, user, filters)
                finally:
                    event.remove(rt.db.engine.sync_engine, "before_cursor_execute", recording)
                samples.append((time.perf_counter() - start) * 1000)
            samples = samples[2:]
            sums = []
            lines: list[str] = []
            async with rt.db.engine.connect() as conn:
                for _ in range(args.explain_runs):
                    total = 0.0
                    lines = []
                    for statement, params in sent:
                        plan = await conn.exec_driver_sql(
                            "EXPLAIN (ANALYZE, BUFFERS) " + statement, params
                        )
                        rows = [r[0] for r in plan]
                        total += float(rows[-1].split(":")[1].split()[0])
                        lines += ["-- " + " ".join(statement.split())[:300], *rows, ""]
                    sums.append(total)
            out.setdefault(str(n), {})[name] = {
                "median_ms": round(statistics.median(samples), 2),
                "min_ms": round(min(samples), 2),
                "max_ms": round(max(samples), 2),
                "statements": len(sent),
                "explain_median_ms": round(statistics.median(sums), 3),
                "explain_min_ms": round(min(sums), 3),
            }
            print(n, name, out[str(n)][name], flush=True)
            plans.append(f"== {n:,} {name} ({args.label})\n" + "\n".join(lines) + "\n")
        await rt.db.dispose()
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "search-pg.json"
    existing = json.loads(path.read_text()) if path.exists() else {}
    existing[args.label] = out
    path.write_text(json.dumps(existing, indent=2) + "\n")
    (RESULTS / f"search-pg-plans-{args.label}.txt").write_text("\n".join(plans))


if __name__ == "__main__":
    asyncio.run(main())
