"""Read states of a user in 100 guilds x 500 channels (SQLite, service layer).

Not a test. Bulk-loads a migrated SQLite database: one reader in ``--guilds``
guilds of ``--channels`` channels each, ``--history`` messages per channel sent
before the reader joined (the join baseline), then new traffic in a fraction of
the channels (``--active``) with mentions of the reader and ``@everyone``, some
channels far past the 1000-message unread cap, and read states for half the
channels. Then times, through a real unit of work:

* ``GET /api/users/@me/read-states`` (``readstates.service.read_states``),
* ``POST /api/channels/{id}/ack`` (``readstates.service.ack``, a write).

Writes ``bench/results/readstates.json`` and ``.md``.

    .venv/bin/python bench/readstates_bench.py               # 100 x 500
    .venv/bin/python bench/readstates_bench.py --guilds 10   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from history_bench import settings_for  # the same settings as the search benchmark

from guildhall import migrate
from guildhall.app import build_runtime
from guildhall.permissions import EVERYONE_DEFAULT
from guildhall.readstates import service as readstates
from guildhall.runtime import Runtime

RESULTS = Path(__file__).parent / "results"
READER = 1
AUTHORS = 10
NOW = "2026-01-01 00:00:00"


def bulk_load(db_path: Path, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(16)
    t0 = time.perf_counter()
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO users (id, username, email, username_key, email_key, password_hash, "
        "created_at) VALUES (?, ?, ?, ?, ?, 'x', ?)",
        [(u, f"u{u}", f"u{u}@x", f"u{u}", f"u{u}@x", NOW) for u in range(1, AUTHORS + 2)],
    )
    channels: list[tuple[int, int]] = []
    for g in range(1, args.guilds + 1):
        con.execute(
            "INSERT INTO guilds (id, name, owner_id, created_at) VALUES (?, ?, 2, ?)",
            (g, f"g{g}", NOW),
        )
        for c in range(args.channels):
            cid = (g - 1) * args.channels + c + 1
            channels.append((cid, g))
    # Each guild's @everyone, as creating a guild makes it (no role: nothing visible).
    con.execute(
        "INSERT INTO roles (guild_id, name, permissions, position, color, hoist, mentionable, "
        "created_at) SELECT id, '@everyone', ?, 0, 0, 0, 0, created_at FROM guilds",
        (int(EVERYONE_DEFAULT),),
    )
    con.executemany(
        "INSERT INTO channels (id, guild_id, name, type, position, read_only, created_at) "
        "VALUES (?, ?, 'c', 'text', 0, 0, ?)",
        [(cid, g, NOW) for cid, g in channels],
    )

    def send(rows: list[tuple[int, int, int, str, bool]]) -> None:
        con.executemany(
            "INSERT INTO messages (channel_id, guild_id, author_id, content, created_at, "
            "pinned, mention_everyone) VALUES (?, ?, ?, ?, ?, 0, ?)",
            [(cid, g, a, text, NOW, everyone) for cid, g, a, text, everyone in rows],
        )

    # Before the join: the history every channel already has.
    send(
        [
            (cid, g, rng.randint(2, AUTHORS + 1), "old", False)
            for cid, g in channels
            for _ in range(args.history)
        ]
    )
    con.executemany(
        "INSERT INTO members (guild_id, user_id, joined_at) VALUES (?, ?, ?)",
        [(g, READER, NOW) for g in range(1, args.guilds + 1)],
    )
    # After the join: traffic in the active channels, some of it mentioning the reader.
    active = rng.sample(channels, int(len(channels) * args.active))
    new_rows = []
    for cid, g in active:
        for _ in range(rng.randint(1, 8)):
            everyone = rng.random() < 0.05
            text = f"<@{READER}> new" if rng.random() < 0.1 else "new"
            new_rows.append((cid, g, rng.randint(2, AUTHORS + 1), text, everyone))
    for cid, g in active[: args.busy]:  # far past the unread cap
        new_rows += [(cid, g, 2, "flood", False)] * 1500
    send(new_rows)
    con.execute(
        "INSERT INTO message_mentions (user_id, channel_id, message_id) "
        "SELECT ?, channel_id, id FROM messages WHERE content LIKE '<@%'",
        (READER,),
    )
    con.execute(
        "UPDATE messages SET mention_user_ids = json_array(?) WHERE content LIKE '<@%'", (READER,)
    )
    # The reader has acked half the channels somewhere in their history.
    acked = rng.sample(channels, len(channels) // 2)
    con.executemany(
        "INSERT INTO read_states (user_id, channel_id, last_read_id) "
        "SELECT ?, ?, COALESCE(max(id), 0) FROM messages WHERE channel_id = ? AND content = 'old'",
        [(READER, cid, cid) for cid, _ in acked],
    )
    con.execute("COMMIT")
    con.execute("ANALYZE")
    total = con.execute("SELECT count(*) FROM messages").fetchone()[0]
    con.close()
    return {
        "channels": len(channels),
        "messages": total,
        "active_channels": len(active),
        "load_seconds": round(time.perf_counter() - t0, 1),
    }


async def timed(
    rt: Runtime, fn: Callable[[Any], Awaitable[Any]], iterations: int, write: bool = False
) -> dict[str, float]:
    samples, cpu = [], []
    for i in range(iterations + 3):
        t0, c0 = time.perf_counter(), time.process_time()
        async with rt.transaction(write=write) as tx:
            await fn(tx)
        if i >= 3:
            samples.append((time.perf_counter() - t0) * 1000)
            # CPU time of the process (its SQLite thread included): what the call
            # costs, whatever else the machine is doing.
            cpu.append((time.process_time() - c0) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "max_ms": round(samples[-1], 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
    }


async def measure(data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    settings = settings_for(data_dir)
    rt = build_runtime(settings)
    await migrate.upgrade(rt.db)
    await rt.db.dispose()
    load = bulk_load(data_dir / "guildhall.db", args)
    rt = build_runtime(settings)
    try:
        seen: dict[str, Any] = {}

        async def list_all(tx: Any) -> None:
            out = await readstates.read_states(tx, READER)
            assert len(out) == load["channels"], (len(out), load["channels"])
            seen["unread_channels"] = sum(1 for e in out if e["unread_count"])
            seen["mentioned_channels"] = sum(1 for e in out if e["mention_count"])
            seen["capped_channels"] = sum(1 for e in out if e["unread_count"] == 1000)

        async def ack_one(tx: Any) -> None:
            await readstates.ack(tx, READER, 1 + seen.setdefault("n", 0) % 500, 10**12)
            seen["n"] += 1

        return {
            **load,
            "read_states": await timed(rt, list_all, args.iterations),
            "ack": await timed(rt, ack_one, args.iterations * 10, write=True),
            **{k: v for k, v in seen.items() if k != "n"},
        }
    finally:
        await rt.db.dispose()


def markdown(report: dict[str, Any]) -> str:
    r = report["run"]
    return "\n".join(
        [
            "# Read states of one user (SQLite, service layer)",
            "",
            f"`{report['command']}` on {report['machine']}, {report['when']}.",
            "",
            f"{r['channels']:,} channels ({report['guilds']} guilds x {report['per_guild']}), "
            f"{r['messages']:,} messages; {r['unread_channels']:,} channels unread, "
            f"{r['mentioned_channels']:,} with mentions, {r['capped_channels']} at the 1000 cap.",
            "",
            f"Load average while measuring: {report['load']}.",
            "",
            "| call | p50 ms | max ms | CPU p50 ms |",
            "| --- | ---: | ---: | ---: |",
            f"| GET /api/users/@me/read-states (all {r['channels']:,} entries) | "
            f"{r['read_states']['p50_ms']} | {r['read_states']['max_ms']} | "
            f"{r['read_states']['cpu_p50_ms']} |",
            f"| POST /api/channels/{{id}}/ack | {r['ack']['p50_ms']} | {r['ack']['max_ms']} | "
            f"{r['ack']['cpu_p50_ms']} |",
            "",
        ]
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guilds", type=int, default=100)
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--history", type=int, default=5, help="messages a channel before join")
    parser.add_argument("--active", type=float, default=0.2, help="share of channels with news")
    parser.add_argument("--busy", type=int, default=20, help="channels with 1500 new messages")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--keep", type=Path, default=None, help="keep the database here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="guildhall-readstates-"))
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    try:
        run = await measure(root, args)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    report = {
        "command": " ".join(["python bench/readstates_bench.py", *sys.argv[1:]]),
        "machine": f"{platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "when": datetime.now(UTC).strftime("%Y-%m-%d"),
        "guilds": args.guilds,
        "per_guild": args.channels,
        "run": run,
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    text = markdown(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "readstates.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "readstates.md").write_text(text)
    print(text)


if __name__ == "__main__":
    asyncio.run(main())
