"""History and search latency at 10k and 1M messages in one channel (SQLite).

Not a test. Bulk-loads a channel straight into a migrated SQLite database
(executemany in large transactions; the FTS index is rebuilt once instead of
being fed row by row by its trigger), then times, through the service layer
(a real unit of work, the real serializer):

* page 1 of ``GET /channels/{id}/messages`` (``history_page``),
* a ``before`` window deep in history (90% of the way back),
* a search (two words, prefix on the last).

Writes ``bench/results/history.json`` and ``bench/results/history.md`` and
prints the 1M/10k ratios (goal: within 2x).

    .venv/bin/python bench/history_bench.py                 # 10k and 1M
    .venv/bin/python bench/history_bench.py --sizes 10000   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from guildhall import migrate
from guildhall.config import Settings
from guildhall.messages import service as messages
from guildhall.runtime import Runtime
from guildhall.search import service as search

RESULTS = Path(__file__).parent / "results"
USERS = 100
BATCH = 100_000
SEARCH_QUERY = "hello wor"  # "hello" and a prefix of "world": in 1% of messages
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def settings_for(data_dir: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=data_dir,
        secret_key="bench",
        max_messages_per_channel=0,
        api_rate_limit="off",
        message_rate_limit="off",
        socket_rate_limit="off",
        upload_rate_limit="off",
        friend_request_rate_limit="off",
    )


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))))
    return sorted(words)


def contents(n: int, rng: random.Random) -> Iterator[str]:
    vocab = vocabulary(rng)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocab))))
    for i in range(n):  # Zipf-like word frequencies
        words = rng.choices(vocab, cum_weights=cumulative, k=rng.randint(4, 16))
        if i % 100 == 7:
            words[rng.randrange(len(words))] = "hello world"
        yield " ".join(words)


def bulk_load(db_path: Path, n: int) -> dict[str, Any]:
    """Users, one guild with everyone in it, one channel holding ``n`` messages."""
    rng = random.Random(42)
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")
    now = EPOCH.replace(tzinfo=None)
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO users (id, username, email, username_key, email_key, password_hash, "
        "created_at) VALUES (?, ?, ?, ?, ?, 'x', ?)",
        [
            (u, f"user{u}", f"u{u}@x.test", f"user{u}", f"u{u}@x.test", now)
            for u in range(1, USERS + 1)
        ],
    )
    con.execute(
        "INSERT INTO guilds (id, name, owner_id, created_at) VALUES (1, 'bench', 1, ?)", (now,)
    )
    con.executemany(
        "INSERT INTO members (guild_id, user_id, joined_at) VALUES (1, ?, ?)",
        [(u, now) for u in range(1, USERS + 1)],
    )
    con.execute(
        "INSERT INTO channels (id, guild_id, name, type, position, read_only, created_at) "
        "VALUES (1, 1, 'general', 'text', 0, 0, ?)",
        (now,),
    )
    con.execute("COMMIT")

    # The FTS trigger would index row by row; one rebuild at the end is much faster.
    trigger_sql = con.execute(
        "SELECT sql FROM sqlite_master WHERE type='trigger' AND name='messages_fts_ai'"
    ).fetchone()[0]
    con.execute("DROP TRIGGER messages_fts_ai")
    started = time.perf_counter()
    texts = contents(n, rng)
    reactions: list[tuple[int, str, int, datetime]] = []
    mid = 0
    while mid < n:
        rows = []
        for _ in range(min(BATCH, n - mid)):
            mid += 1
            author = rng.randint(1, USERS)
            at = (EPOCH + timedelta(seconds=mid)).replace(tzinfo=None)
            rows.append((mid, 1, 1, author, next(texts), at, 0))
            if mid % 50 == 0:  # some reactions, so the serializer has work to do
                reactions.append((mid, "👍", rng.randint(1, USERS), at))
        con.execute("BEGIN")
        con.executemany(
            "INSERT INTO messages (id, channel_id, guild_id, author_id, content, created_at, "
            "pinned) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        con.execute("COMMIT")
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO reactions (message_id, emoji, user_id, created_at) VALUES (?, ?, ?, ?)",
        reactions,
    )
    con.execute("COMMIT")
    loaded = time.perf_counter()
    con.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
    con.execute(trigger_sql)
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    indexed = time.perf_counter()
    con.close()
    return {
        "load_seconds": round(loaded - started, 1),
        "fts_rebuild_seconds": round(indexed - loaded, 1),
        "db_megabytes": round(db_path.stat().st_size / 1e6, 1),
    }


async def timed(
    rt: Runtime, fn: Callable[[Any], Awaitable[Any]], iterations: int, warmup: int = 20
) -> dict[str, float]:
    samples = []
    for i in range(warmup + iterations):
        t0 = time.perf_counter()
        async with rt.transaction(write=False) as tx:
            await fn(tx)
        if i >= warmup:
            samples.append((time.perf_counter() - t0) * 1000)
    q = statistics.quantiles(samples, n=100)
    return {"p50_ms": round(q[49], 3), "p99_ms": round(q[98], 3)}


async def measure(data_dir: Path, n: int, iterations: int) -> dict[str, Any]:
    settings = settings_for(data_dir)
    rt = Runtime.create(settings)
    try:
        await migrate.upgrade(rt.db)
        await rt.db.dispose()
        load = bulk_load(data_dir / "guildhall.db", n)
        rt = Runtime.create(settings)
        deep = max(1, n // 10)  # 90% of the way back from the newest

        async def page_one(tx: Any) -> None:
            out = await messages.history_page(tx, 1, 1, 1, 50)
            assert len(out["messages"]) == 50

        async def before_deep(tx: Any) -> None:
            out = await messages.history_window(tx, 1, 1, before=deep, limit=50)
            assert len(out["messages"]) == 50

        async def search_query(tx: Any) -> None:
            out = await search.search_messages(tx, 1, SEARCH_QUERY, None, 20)
            assert len(out) == 20

        return {
            "messages": n,
            **load,
            "page_1": await timed(rt, page_one, iterations),
            "before_deep": await timed(rt, before_deep, iterations),
            "search": await timed(rt, search_query, iterations),
        }
    finally:
        await rt.db.dispose()


def markdown(report: dict[str, Any]) -> str:
    runs = report["runs"]
    lines = [
        "# History and search latency (SQLite, service layer)",
        "",
        f"`{report['command']}` on {report['machine']}, {report['when']}.",
        f"Search query: `{SEARCH_QUERY}`; {report['iterations']} timed iterations each.",
        "",
        "| messages | load s | FTS rebuild s | DB MB | page 1 p50/p99 ms "
        "| before (deep) p50/p99 ms | search p50/p99 ms |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in runs:
        lines.append(
            f"| {r['messages']:,} | {r['load_seconds']} | {r['fts_rebuild_seconds']} | "
            f"{r['db_megabytes']} | {r['page_1']['p50_ms']} / {r['page_1']['p99_ms']} | "
            f"{r['before_deep']['p50_ms']} / {r['before_deep']['p99_ms']} | "
            f"{r['search']['p50_ms']} / {r['search']['p99_ms']} |"
        )
    if report.get("ratios"):
        lines += ["", "Largest / smallest (p50): goal within 2x.", ""]
        for name, ratio in report["ratios"].items():
            lines.append(f"* {name}: {ratio}x")
    return "\n".join(lines) + "\n"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the databases here")
    args = parser.parse_args()

    root = args.workdir or Path(tempfile.mkdtemp(prefix="guildhall-bench-"))
    runs = []
    try:
        for n in args.sizes:
            data_dir = root / f"n{n}"
            shutil.rmtree(data_dir, ignore_errors=True)
            data_dir.mkdir(parents=True)
            print(f"loading and measuring {n:,} messages ...", flush=True)
            run = await measure(data_dir, n, args.iterations)
            print(json.dumps(run), flush=True)
            runs.append(run)
    finally:
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)

    ratios = {}
    if len(runs) > 1:
        small, large = runs[0], runs[-1]
        for name in ("page_1", "before_deep", "search"):
            ratios[name] = round(large[name]["p50_ms"] / small[name]["p50_ms"], 2)
    report = {
        "command": " ".join(["python bench/history_bench.py", *sys.argv[1:]]),
        "machine": f"{platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "when": datetime.now(UTC).strftime("%Y-%m-%d"),
        "iterations": args.iterations,
        "runs": runs,
        "ratios": ratios,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "history.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "history.md").write_text(markdown(report))
    for name, ratio in ratios.items():
        print(f"{name}: {runs[-1]['messages']:,}/{runs[0]['messages']:,} p50 ratio {ratio}x")


if __name__ == "__main__":
    asyncio.run(main())
