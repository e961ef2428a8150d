"""The replay log's cost per message (contract section 18): time and bytes.

Not a test. Sends ``--messages`` messages through the real service
(``messages.service.send`` in a real unit of work) into one channel, in blocks
that alternate between the unit of work with numbering + replay log
(``replay.sequence.assign``) and without it, so machine noise hits both alike.
Then reports the time per send of each, and the replay log's size per row
(SQLite: the ``dbstat`` table; PostgreSQL: ``pg_total_relation_size``).

    .venv/bin/python bench/replay_bench.py                       # SQLite, 4000 sends
    .venv/bin/python bench/replay_bench.py --database-url postgresql+asyncpg://...

Writes ``bench/results/replay.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from history_bench import settings_for
from sqlalchemy import func, select, text

from guildhall import migrate
from guildhall.app import build_runtime
from guildhall.guilds.service import everyone_role
from guildhall.messages import service as messages
from guildhall.models import Channel, ChannelEvent, Guild, Member, User
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import require_channel_access
from guildhall.replay import sequence
from guildhall.replay.service import replay
from guildhall.runtime import Runtime

BLOCK = 100
CONTENT = (
    "A typical chat line, about a hundred characters long, with a word or two more than that. " * 1
)


CHANNELS = 100  # the seeded history is spread over this many channels of one guild


async def setup(rt: Runtime) -> tuple[int, int]:
    async with rt.transaction() as tx:
        user = User(
            username="bench",
            email="bench@example.com",
            username_key="bench",
            email_key="bench@example.com",
            username_skeleton="bench",
            password_hash="x",
        )
        tx.session.add(user)
        await tx.session.flush()
        guild = Guild(name="bench", owner_id=user.id)
        tx.session.add(guild)
        await tx.session.flush()
        tx.session.add(Member(guild_id=guild.id, user_id=user.id))
        tx.session.add(everyone_role(guild.id))
        channel = Channel(guild_id=guild.id, name="general", type="text")
        tx.session.add(channel)
        tx.session.add_all(
            Channel(guild_id=guild.id, name=f"c{i}", type="text") for i in range(1, CHANNELS)
        )
        await tx.session.flush()
        return user.id, channel.id


# A message's new_message event as the log keeps it (about the size sends log).
_EVENT = (
    '{"id": 1, "channel_id": 1, "guild_id": 1, "room": "g:1:c:1", "seq": 1, '
    '"content": "' + CONTENT.strip() + '", "author": {"id": 1, "username": "bench", '
    '"display_name": null, "avatar": null}, "timestamp": "2026-12-01T00:00:00+00:00", '
    '"edited_timestamp": null, "attachments": [], "embeds": [], "reactions": [], '
    '"mentions": [], "mention_roles": [], "mention_everyone": false, "pinned": false, '
    '"reply_to": null, "nonce": null}'
)


async def seed(rt: Runtime, uid: int, messages_total: int) -> dict[str, Any]:
    """``messages_total`` messages spread evenly over the guild's channels, written
    by SQL (no per-row Python), and each channel's log as the numbering leaves it
    after that many sends: its last ``min(per channel, replay_events)`` events
    (trimming keeps at most 64 more; the sends that follow trim for real)."""
    per_channel = messages_total // CHANNELS
    kept = min(per_channel, rt.settings.replay_events)
    started = time.perf_counter()
    async with rt.transaction() as tx:
        gid = await tx.session.scalar(select(Guild.id))
        # Our integers inline (PostgreSQL cannot type ``:k * :channels``), text bound.
        params = {"uid": uid, "gid": gid, "content": CONTENT, "data": _EVENT}
        if rt.db.is_sqlite:
            counter = (
                "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < :n - 1) "
            )
            source, now = "s", "CURRENT_TIMESTAMP"
        else:
            counter = ""
            source, now = "generate_series(0, {last}) AS s(i)", "now() AT TIME ZONE 'utc'"
        first = await tx.session.scalar(select(func.min(Channel.id)))
        await tx.session.execute(
            text(
                counter.format(last=messages_total - 1)
                + "INSERT INTO messages (channel_id, guild_id, author_id, content, "
                f"created_at, pinned) SELECT {first} + i % {CHANNELS}, :gid, :uid, :content, "
                f"{now}, false FROM " + source.format(last=messages_total - 1)
            ),
            params,
        )
        await tx.session.execute(
            text(f"UPDATE channels SET seq = {per_channel} WHERE guild_id = :gid"), params
        )
        last = kept * CHANNELS - 1
        await tx.session.execute(
            text(
                counter.format(last=last)
                + "INSERT INTO channel_events (channel_id, seq, name, message_id, data, "
                f"created_at) SELECT {first} + i % {CHANNELS}, "
                f"{per_channel - kept + 1} + i / {CHANNELS}, "
                f"'new_message', NULL, :data, {now} FROM " + source.format(last=last)
            ),
            params,
        )
    return {
        "seeded_messages": messages_total,
        "seeded_channels": CHANNELS,
        "seed_seconds": round(time.perf_counter() - started, 1),
    }


async def resume_latency(rt: Runtime, uid: int, cid: int, gaps: list[int], runs: int) -> dict:
    """``replay`` (what ``resume`` does per room, the access check included) for a
    client ``gap`` events behind: median and range of ``runs`` runs, in ms."""
    out: dict[str, Any] = {}
    for gap in gaps:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            async with rt.transaction(write=False) as tx:
                found = await require_channel_access(tx, cid, uid, Permission.VIEW_CHANNEL)
                got = await replay(tx, found, f"g:{found.channel.guild_id}:c:{cid}",
                                   found.channel.seq - gap)  # fmt: skip
            samples.append((time.perf_counter() - start) * 1000)
            assert got.status == "resumed" and len(got.events) == gap, (got.status, gap)
        out[str(gap)] = {
            "median_ms": round(statistics.median(samples), 2),
            "min_ms": round(min(samples), 2),
            "max_ms": round(max(samples), 2),
        }
    return out


async def timed_block(rt: Runtime, uid: int, cid: int, numbered: bool) -> float:
    rt.before_commit = sequence.assign if numbered else None
    start = time.perf_counter()
    for _ in range(BLOCK):
        async with rt.transaction() as tx:
            await messages.send(tx, uid, cid, CONTENT)
    return (time.perf_counter() - start) / BLOCK


async def log_size(rt: Runtime) -> dict[str, Any]:
    async with rt.transaction(write=False) as tx:
        rows = await tx.session.scalar(select(func.count()).select_from(ChannelEvent))
        payload = await tx.session.scalar(select(func.avg(func.length(ChannelEvent.data))))
        if rt.db.is_sqlite:
            try:
                total = await tx.session.scalar(
                    text(
                        "SELECT sum(pgsize) FROM dbstat WHERE name = 'channel_events'"
                        " OR name LIKE 'sqlite_autoindex_channel_events%'"
                        " OR name = 'ix_channel_events_created_at'"
                    )
                )
            except Exception:
                total = None
        else:
            total = await tx.session.scalar(text("SELECT pg_total_relation_size('channel_events')"))
    return {
        "rows": rows,
        "avg_payload_bytes": round(float(payload or 0)),
        "bytes_per_row": round(total / rows) if total and rows else None,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="replay-bench-"))
    settings = settings_for(data_dir)
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    settings = settings.model_copy(update={"replay_events": args.replay_events})
    rt = build_runtime(settings)
    await migrate.upgrade(rt.db)
    uid, cid = await setup(rt)
    seeded = await seed(rt, uid, args.seed_messages) if args.seed_messages else {}
    with_log: list[float] = []
    without: list[float] = []
    for i in range(args.messages // BLOCK):
        (with_log if i % 2 == 0 else without).append(await timed_block(rt, uid, cid, i % 2 == 0))
    size = await log_size(rt)
    gaps = [g for g in (10, 100, 1000) if g <= args.replay_events]
    resumes = await resume_latency(rt, uid, cid, gaps, args.runs)
    await rt.db.dispose()
    on = statistics.median(with_log) * 1e6
    off = statistics.median(without) * 1e6
    return {
        "engine": "sqlite" if rt.db.is_sqlite else "postgresql",
        "messages": args.messages,
        "replay_events": args.replay_events,
        "send_us_with_log": round(on),
        "send_us_without": round(off),
        "log_cost_us_per_message": round(on - off),
        "send_blocks": {
            "with_log_us": [round(x * 1e6) for x in with_log],
            "without_us": [round(x * 1e6) for x in without],
        },
        **seeded,
        **size,
        "resume_ms_by_gap": resumes,
        "machine": f"{platform.machine()} {platform.python_version()} (shared, noisy)",
    }


def markdown(results: dict[str, Any]) -> str:
    """``bench/results/replay.md``: one row per engine and history size."""
    lines = [
        "# Replay log cost (contract section 18)",
        "",
        "`bench/replay_bench.py`: real `messages.service.send` units into one channel, "
        "alternating blocks of 100 sends with and without the numbering step "
        "(`replay.sequence.assign`); medians of the blocks, range in brackets. "
        "Resume: `replay` for a client that many events behind (access check "
        "included), median (range) of the runs. Machine: shared 2-core, load "
        "average 20-35 from other engineers' jobs during the runs: absolute "
        "times are inflated several-fold and the spread is wide.",
        "",
        "| engine | history | channels | send without log ms | send with seq + log ms | "
        "log rows | bytes/row (JSON) | resume 10 ms | resume 100 ms | resume 1000 ms |",
        "| --- | ---: | ---: | --- | --- | ---: | --- | --- | --- | --- |",
    ]

    def cell(values: list[float]) -> str:
        return (
            f"{statistics.median(values) / 1000:.1f} "
            f"({min(values) / 1000:.1f}-{max(values) / 1000:.1f})"
        )

    for r in results.values():
        blocks = r.get("send_blocks")
        if blocks is None:
            without, with_log = (
                f"{r['send_us_without'] / 1000:.1f}",
                f"{r['send_us_with_log'] / 1000:.1f}",
            )
        else:
            without, with_log = cell(blocks["without_us"]), cell(blocks["with_log_us"])
        gaps = r.get("resume_ms_by_gap", {})
        resume = [
            f"{gaps[g]['median_ms']} ({gaps[g]['min_ms']}-{gaps[g]['max_ms']})"
            if g in gaps
            else "-"
            for g in ("10", "100", "1000")
        ]
        lines.append(
            f"| {r['engine']} | {r.get('seeded_messages', 0) + r['messages']:,} | "
            f"{r.get('seeded_channels', 1)} | {without} | {with_log} | {r['rows']:,} | "
            f"{r['bytes_per_row']} ({r['avg_payload_bytes']}) | " + " | ".join(resume) + " |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--replay-events", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--seed-messages", type=int, default=0, help="history written by SQL first (e.g. 1000000)"
    )
    parser.add_argument("--runs", type=int, default=7, help="runs of each resume gap")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print(json.dumps(result, indent=2))
    out = Path(__file__).parent / "results" / "replay.json"
    existing = json.loads(out.read_text()) if out.exists() else {}
    existing[f"{result['engine']}-{result['messages'] + args.seed_messages}"] = result
    out.write_text(json.dumps(existing, indent=2) + "\n")
    out.with_suffix(".md").write_text(markdown(existing))


if __name__ == "__main__":
    main()
