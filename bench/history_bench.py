"""History and search latency at 10k and 1M messages (SQLite).

Not a test. Bulk-loads messages straight into a migrated SQLite database with
INSERT ... SELECT (the FTS index is rebuilt once instead of being fed row by row
by its trigger), then times, through the service layer (a real unit of work,
the real serializer):

* page 1 of ``GET /channels/{id}/messages`` (``history_page``) of the channel
  holding 90% of the messages,
* a ``before`` window deep in that history (90% of the way back),
* searches, plain and filtered (``searches()``; contract sections 9 and 17),
  including finding 10's one-letter prefix for a user in no guild.

Each database is built, and each round of timings runs, in a fresh process;
``--baseline TREE`` builds and times a second checkout (e.g. ``git worktree add
/tmp/before <commit>``) the same way, alternating with this one, so both see the
same machine. Writes ``bench/results/history.json`` and ``bench/results/history.md``
and prints the 1M/10k ratios (goal: within 2x).

    taskset -c 1 .venv/bin/python bench/history_bench.py    # 10k and 1M, 5 rounds
    .venv/bin/python bench/history_bench.py --sizes 10000 --rounds 1   # quick
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
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from guildhall import migrate
from guildhall.config import Settings
from guildhall.messages import service as messages
from guildhall.runtime import Runtime
from guildhall.search import service as search
from guildhall.search.service import SearchFilters

RESULTS = Path(__file__).parent / "results"
USERS = 100
VOCABULARY = 4099  # a prime: the word hashes below spread over all of it
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


def vocabulary(rng: random.Random, size: int = VOCABULARY) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 9))))
    return sorted(words)


def _channel_of(i: str) -> str:
    """SQL: the channel of message ``i``. Channel 1 holds 90% (history is timed there),
    channels 2-10 the rest of guild 1, channel 11 (guild 2, user 100's) every 1000th."""
    return f"CASE WHEN {i} % 1000 = 0 THEN 11 WHEN {i} % 10 = 0 THEN 2 + ({i} / 10) % 9 ELSE 1 END"


# SQL for message i's content: eight words of the vocabulary table, skewed towards
# its first entries (a word's rank is the smaller of two spread hashes' residues),
# "hello world" in 1%, a link in 2%. Deterministic, so every run loads the same text.
_WORD = "(SELECT w FROM vocab WHERE k = ((i * {a} + {b}) % 4099) % (((i * {c}) % {v}) + 1))"
_CONTENT = (
    " || ' ' || ".join(
        _WORD.format(a=2654435761 + 2 * j, b=40503 * j, c=2246822519 + 7 * j, v=VOCABULARY)
        for j in range(8)
    )
    + " || CASE WHEN i % 100 = 7 THEN ' hello world' ELSE '' END"
    + " || CASE WHEN i % 50 = 3 THEN ' https://example.com/' || i ELSE '' END"
)


def bulk_load(db_path: Path, n: int) -> dict[str, Any]:
    """Users, guild 1 (users 1-90, channels 1-10), guild 2 (user 100, channel 11),
    user 99 in no guild; ``n`` messages written by INSERT ... SELECT over a recursive
    counter (no Python per row), with attachments (every 50th message; every other
    one an image), pins (every 997th) and polls (every 500th)."""
    rng = random.Random(42)
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("PRAGMA cache_size=-400000")
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
        "INSERT INTO guilds (id, name, owner_id, created_at) VALUES (1, 'bench', 1, ?), "
        "(2, 'small', 100, ?)",
        (now, now),
    )
    con.executemany(
        "INSERT INTO members (guild_id, user_id, joined_at) VALUES (?, ?, ?)",
        [(1, u, now) for u in range(1, 91)] + [(2, 100, now)],
    )
    con.executemany(
        "INSERT INTO channels (id, guild_id, name, type, position, read_only, created_at) "
        "VALUES (?, ?, ?, 'text', ?, 0, ?)",
        [(c, 1 if c <= 10 else 2, f"c{c}", c, now) for c in range(1, 12)],
    )
    con.execute("CREATE TEMP TABLE vocab (k INTEGER PRIMARY KEY, w TEXT)")
    con.executemany("INSERT INTO vocab VALUES (?, ?)", enumerate(vocabulary(rng)))
    con.execute("COMMIT")

    # Row-by-row triggers (the FTS index, the channel counts) would do per row what
    # one rebuild and one backfill do at the end.
    triggers = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='trigger' "
        "AND name IN ('messages_fts_ai', 'messages_count_ai')"
    ).fetchall()
    for name, _ in triggers:
        con.execute(f"DROP TRIGGER {name}")
    started = time.perf_counter()
    con.execute("BEGIN")
    con.execute(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?) "
        "INSERT INTO messages (id, channel_id, guild_id, author_id, content, created_at, "
        "pinned) SELECT i, "
        + _channel_of("i")
        + ", CASE WHEN i % 1000 = 0 THEN 2 ELSE 1 END"
        + ", CASE WHEN i % 1000 = 0 THEN 100 ELSE 1 + ((i * 2654435761) / 4096) % 90 END, "
        + _CONTENT
        + ", strftime('%Y-%m-%d %H:%M:%S.000000', ?, '+' || i || ' seconds')"
        + ", i % 997 = 0 FROM seq",
        (n, EPOCH.strftime("%Y-%m-%d %H:%M:%S")),
    )
    con.execute(
        "INSERT INTO uploads (id, path, filename, size, mimetype, owner_id, created_at) "
        "SELECT id, 'uploads/b' || id || '/f', 'f', 1000, "
        "CASE WHEN id % 100 = 0 THEN 'image/png' ELSE 'application/pdf' END, author_id, "
        "created_at FROM messages WHERE id % 50 = 0"
    )
    con.execute(
        "INSERT INTO attachments (id, message_id, upload_id, position) "
        "SELECT id, id, id, 0 FROM uploads"
    )
    con.execute(
        "INSERT INTO polls (id, message_id, question, allow_multiple, expires_at, created_at) "
        "SELECT 'p' || id, id, 'q', 0, created_at, created_at FROM messages WHERE id % 500 = 0"
    )
    con.execute(  # some reactions, so the serializer has work to do
        "INSERT INTO reactions (message_id, emoji, user_id, created_at) "
        "SELECT id, '👍', 1 + id % 90, created_at FROM messages WHERE id % 50 = 0"
    )
    con.execute(
        "UPDATE channels SET message_count = "
        "(SELECT count(*) FROM messages WHERE messages.channel_id = channels.id)"
    )
    con.execute("COMMIT")
    loaded = time.perf_counter()
    con.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
    for _, sql in triggers:
        con.execute(sql)
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    indexed = time.perf_counter()
    con.close()
    return {
        "load_seconds": round(loaded - started, 1),
        "fts_rebuild_seconds": round(indexed - loaded, 1),
        "db_megabytes": round(db_path.stat().st_size / 1e6, 1),
    }


def searches(n: int) -> dict[str, tuple[int, SearchFilters]]:
    """The timed searches: (user, filters). User 1 sees guild 1 (channels 1-10),
    user 100 only channel 11 (every 1000th message), user 99 no guild at all."""
    window = {  # a tenth of the history, half way back
        "after": EPOCH + timedelta(seconds=n // 2),
        "before": EPOCH + timedelta(seconds=n * 6 // 10),
    }
    return {
        "search": (1, SearchFilters(q=SEARCH_QUERY)),
        "q+channel": (1, SearchFilters(q=SEARCH_QUERY, channel_id=1)),
        "q+author": (1, SearchFilters(q="hello", author_id=7)),
        "q+time": (1, SearchFilters(q=SEARCH_QUERY, **window)),
        "q+has=link": (1, SearchFilters(q="example", has=frozenset({"link"}))),
        "channel+has=link": (1, SearchFilters(channel_id=3, has=frozenset({"link"}))),
        "author+has=file": (1, SearchFilters(author_id=7, has=frozenset({"file"}))),
        "has=image": (1, SearchFilters(has=frozenset({"image"}))),
        "pinned": (1, SearchFilters(guild_id=1, pinned=True)),
        "time": (1, SearchFilters(channel_id=1, **window)),
        "a*, no guild": (99, SearchFilters(q="a")),
        "a*, small guild": (100, SearchFilters(q="a")),
        "q, oldest, offset 1000": (1, SearchFilters(q="hello", sort="oldest", offset=1000)),
        "q, relevance": (1, SearchFilters(q=SEARCH_QUERY, sort="relevance")),
    }


async def timed(
    rt: Runtime, fn: Callable[[Any], Awaitable[Any]], iterations: int, warmup: int = 5
) -> dict[str, float]:
    samples = []
    for i in range(warmup + iterations):
        t0 = time.perf_counter()
        async with rt.transaction(write=False) as tx:
            await fn(tx)
        if i >= warmup:
            samples.append((time.perf_counter() - t0) * 1000)
    q = statistics.quantiles(samples, n=100)
    # The minimum too: on a machine shared with other jobs it is the uncontended
    # cost, where a p50 can be mostly time spent waiting for a CPU.
    p50, p99, least = round(q[49], 3), round(q[98], 3), round(min(samples), 3)
    return {"p50_ms": p50, "p99_ms": p99, "min_ms": least}


def make_runtime(settings: Settings) -> Any:
    """``app.build_runtime`` here; ``Runtime.create`` in a baseline tree older than it."""
    try:
        from guildhall.app import build_runtime
    except ImportError:
        return Runtime.create(settings)  # type: ignore[attr-defined]
    return build_runtime(settings)


async def build(data_dir: Path, n: int) -> dict[str, Any]:
    """A migrated database at ``data_dir`` holding ``n`` messages (bulk_load)."""
    rt = make_runtime(settings_for(data_dir))
    try:
        await migrate.upgrade(rt.db)
    finally:
        await rt.db.dispose()
    return bulk_load(data_dir / "guildhall.db", n)


async def measure(data_dir: Path, n: int, iterations: int) -> dict[str, Any]:
    """Every timed query once (``iterations`` after a warm-up) on a built database."""
    rt = make_runtime(settings_for(data_dir))
    try:
        deep = n // 10 + 1  # 90% of the way back from the newest, in channel 1

        async def page_one(tx: Any) -> None:
            out = await messages.history_page(tx, 1, 1, 1, 50)
            assert len(out["messages"]) == 50

        async def before_deep(tx: Any) -> None:
            out = await messages.history_window(tx, 1, 1, before=deep, limit=50)
            assert len(out["messages"]) == 50

        timings = {
            "page_1": await timed(rt, page_one, iterations),
            "before_deep": await timed(rt, before_deep, iterations),
        }
        for name, (user, filters) in searches(n).items():

            async def run(tx: Any, user: int = user, filters: Any = filters) -> None:
                await search.search_messages(tx, user, filters)

            timings[name] = await timed(rt, run, iterations)
        return timings
    finally:
        await rt.db.dispose()


def child(tree: Path | None, *args: str) -> dict[str, Any]:
    """This script in a fresh process, importing guildhall from ``tree``'s src (the
    baseline checkout) or this one's; its last line of output is the JSON answer."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree / "src")
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# A timing's key for the rounds' minimum (the uncontended cost), beside its p50.
MIN = " (min)"


def summary(p50s: list[float]) -> dict[str, float]:
    """Median of the rounds' p50s and their spread."""
    return {
        "p50_ms": round(statistics.median(p50s), 3),
        "min_ms": round(min(p50s), 3),
        "max_ms": round(max(p50s), 3),
    }


def markdown(report: dict[str, Any]) -> str:
    builds = report["builds"]
    labels = list(report["timings"])
    sizes = [int(n) for n in report["timings"][labels[-1]]]
    lines = [
        "# History and search latency (SQLite, service layer)",
        "",
        f"`{report['command']}` on {report['machine']}, {report['when']}.",
        f"Each round runs every query {report['iterations']} times (after a warm-up) in a "
        "fresh process per build and size, the builds alternating; the cells are the "
        f"median of {report['rounds']} rounds' p50 (ms) and the rounds' range. "
        "The searches are listed in `searches()` of bench/history_bench.py. " + report["note"],
        "",
        "| build | messages | load s | FTS rebuild s | DB MB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label in labels:
        for n in sizes:
            b = builds.get(label, {}).get(str(n))
            if not b:  # reused, or a report from a log that did not print its builds
                continue
            lines.append(
                f"| {label} | {n:,} | {b['load_seconds']} | {b['fts_rebuild_seconds']} | "
                f"{b['db_megabytes']} |"
            )
    head = "| timed |"
    for label in labels:
        head += "".join(f" {label} {n:,} |" for n in sizes) + f" {label} ratio |"
    lines += ["", head, "| --- |" + " ---: |" * (len(labels) * (len(sizes) + 1))]
    for name in report["timings"][labels[-1]][str(sizes[0])]:
        row = f"| {name} |"
        for label in labels:
            for n in sizes:
                t = report["timings"][label][str(n)][name]
                row += f" {t['p50_ms']} ({t['min_ms']}–{t['max_ms']}) |"
            row += f" {report['ratios'][label].get(name, '')}x |"
        lines.append(row)
    lines += [
        "",
        "ratio: median p50 of the largest size over the smallest; goal within 2x. "
        f"Rows ending in '{MIN}': the median over the rounds of each round's fastest "
        "iteration, the cost without waiting for a CPU.",
    ]
    return "\n".join(lines) + "\n"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the databases here")
    parser.add_argument(
        "--baseline", type=Path, default=None, help="a checkout to measure alongside (before)"
    )
    parser.add_argument("--note", default="", help="said under the table (e.g. machine load)")
    parser.add_argument("--from-log", type=Path, help="report from a run's printed rounds")
    parser.add_argument("--reuse", action="store_true", help="keep --workdir's built databases")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # child: build here
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child: time here
    args = parser.parse_args()
    if args.build is not None:
        shutil.rmtree(args.build, ignore_errors=True)
        args.build.mkdir(parents=True)
        print(json.dumps(await build(args.build, args.sizes[0])))
        return
    if args.from_log is not None:
        from_log(args)
        return
    if args.measure is not None:
        print(json.dumps(await measure(args.measure, args.sizes[0], args.iterations)))
        return

    root = args.workdir or Path(tempfile.mkdtemp(prefix="guildhall-bench-"))
    trees: dict[str, Path | None] = {"after": None}
    if args.baseline is not None:
        trees = {"before": args.baseline, "after": None}
    builds: dict[str, dict[str, Any]] = {label: {} for label in trees}
    p50s: dict[str, dict[str, dict[str, list[float]]]] = {label: {} for label in trees}
    try:
        for n in args.sizes:
            for label, tree in trees.items():
                print(f"loading {n:,} messages ({label}) ...", flush=True)
                data_dir = root / label / f"n{n}"
                if args.reuse and (data_dir / "guildhall.db").exists():
                    builds[label][str(n)] = {}
                    continue
                builds[label][str(n)] = child(tree, "--build", str(data_dir), "--sizes", str(n))
                print(f"built {label} {n} {json.dumps(builds[label][str(n)])}", flush=True)
        for r in range(args.rounds):
            for n in args.sizes:
                for label, tree in trees.items():
                    data_dir = root / label / f"n{n}"
                    got = child(
                        tree, "--measure", str(data_dir), "--sizes", str(n),
                        "--iterations", str(args.iterations),
                    )  # fmt: skip
                    print(f"round {r + 1} {label} {n:,}: {json.dumps(got)}", flush=True)
                    for name, t in got.items():
                        by = p50s[label].setdefault(str(n), {})
                        by.setdefault(name, []).append(t["p50_ms"])
                        by.setdefault(name + MIN, []).append(t.get("min_ms", t["p50_ms"]))
    finally:
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)

    write_report(args, list(trees), builds, p50s)


def write_report(
    args: argparse.Namespace,
    labels: list[str],
    builds: dict[str, dict[str, Any]],
    p50s: dict[str, dict[str, dict[str, list[float]]]],
) -> None:
    timings = {
        label: {n: {name: summary(v) for name, v in by.items()} for n, by in sizes.items()}
        for label, sizes in p50s.items()
    }
    ratios: dict[str, dict[str, float]] = {}
    small, large = str(args.sizes[0]), str(args.sizes[-1])
    for label in labels:
        ratios[label] = {
            name: round(timings[label][large][name]["p50_ms"] / t["p50_ms"], 2)
            for name, t in timings[label][small].items()
        }
    rounds = min(len(v) for by in p50s.values() for s in by.values() for v in s.values())
    report = {
        "command": " ".join(["python bench/history_bench.py", *sys.argv[1:]]),
        "machine": f"{platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "iterations": args.iterations,
        "rounds": rounds,
        "note": args.note,
        "builds": builds,
        "timings": timings,
        "ratios": ratios,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "history.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "history.md").write_text(markdown(report))
    for label in labels:
        for name, ratio in ratios[label].items():
            print(f"{label} {name}: {large}/{small} p50 ratio {ratio}x")


def from_log(args: argparse.Namespace) -> None:
    """The report from a run's printed rounds (one cut short keeps what it measured):
    complete rounds only, so each build and size has as many as the others."""
    builds: dict[str, dict[str, Any]] = {}
    rows: list[tuple[int, str, str, dict[str, Any]]] = []
    for line in args.from_log.read_text().splitlines():
        if line.startswith("built "):
            _, label, n, got = line.split(" ", 3)
            builds.setdefault(label, {})[n] = json.loads(got)
        elif line.startswith("round "):
            head, got = line.split(": ", 1)
            _, r, label, n = head.split(" ")
            rows.append((int(r), label, n.replace(",", ""), json.loads(got)))
    labels = list(dict.fromkeys(label for _, label, _, _ in rows))
    complete = {
        r for r, *_ in rows if sum(1 for x, *_ in rows if x == r) == len(labels) * len(args.sizes)
    }
    p50s: dict[str, dict[str, dict[str, list[float]]]] = {label: {} for label in labels}
    for r, label, n, got in rows:
        if r in complete:
            for name, t in got.items():
                by = p50s[label].setdefault(n, {})
                by.setdefault(name, []).append(t["p50_ms"])
                by.setdefault(name + MIN, []).append(t.get("min_ms", t["p50_ms"]))
    write_report(args, labels, builds, p50s)


if __name__ == "__main__":
    asyncio.run(main())
