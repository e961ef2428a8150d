"""Soak: one real server under steady load for minutes; does anything degrade?

Not a test. Starts ``guildhall serve`` pinned to CPU 0 (``taskset -c 0``) on a
fresh SQLite data dir on 127.0.0.1, pins itself (the load) to CPU 1, then:

* 200 Socket.IO clients (python-socketio ``AsyncClient``, websocket) signed in as
  20 users and spread over 10 channel rooms, counting every ``new_message`` and
  its delivery latency;
* a steady REST load: message sends and history reads at fixed rates (requests
  are started on a schedule, not after the previous answer, so a slow server
  shows up as latency, not as less load);
* the server's RSS sampled every second.

Reports errors (goal: zero; a missed socket delivery counts), p50/p99 per
30-second window for sends, history reads and socket deliveries, and the RSS
growth **rate**: the least-squares slope of RSS over time (``bench/stats.py``)
after a warm-up (the first ``--rss-warmup`` seconds of the steady phase, default
2 minutes, at most a fifth of the run, are left out: heap and caches fill up
there), in KiB/min and in %/hour of the steady phase's mean RSS. Goal: under
5 %/hour, about the smallest rate a 10-minute run resolves (RSS moves in steps
of ~1 MiB); a longer run resolves smaller ones. The end-versus-start growth
(the older goal, < 10 %) is shown too, as a second line. Writes
``bench/results/soak.json`` and ``bench/results/soak.md`` (and ``soak.png`` when
matplotlib is importable). Every request goes to 127.0.0.1; every loop is bounded
by the duration.

    make bench-soak                                   # 10 minutes, 200 sockets (of record)
    .venv/bin/python -m bench.soak --seconds 60 --out /tmp/soak  # quick look
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from bench.stats import percentile, rounded, slope

RESULTS = Path(__file__).resolve().parent.parent / "results"
GUILDHALL = str(Path(sys.executable).parent / "guildhall")
HOST = "127.0.0.1"
PASSWORD = "soak password 123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


GOAL_PCT_PER_HOUR = 5.0  # RSS growth after the warm-up (see the module's docstring)


def rss_growth(samples: list[tuple[float, float]], warmup_s: float) -> dict[str, Any]:
    """RSS growth rate over the samples ``(seconds, MB)`` from ``warmup_s`` on: the
    least-squares slope over them all, and over their second half alone (a rate
    that falls there is still settling)."""
    steady = [(t, mb) for t, mb in samples if t >= warmup_s]
    out: dict[str, Any] = {"warmup_s": warmup_s, "samples": len(steady)}
    per_s = slope(steady)
    if per_s is None:
        return {**out, "kib_per_min": None, "pct_per_hour": None, "meets_goal": None}
    mean_mb = sum(mb for _, mb in steady) / len(steady)
    late = steady[len(steady) // 2 :]
    late_per_s = slope(late)
    pct_per_hour = 100 * per_s * 3600 / mean_mb
    return {
        **out,
        "fitted_from_s": round(steady[0][0], 1),
        "fitted_to_s": round(steady[-1][0], 1),
        "mean_mb": round(mean_mb, 1),
        "kib_per_min": round(per_s * 1024 * 60, 1),
        "pct_per_hour": round(pct_per_hour, 2),
        "late_half_kib_per_min": None if late_per_s is None else round(late_per_s * 1024 * 60, 1),
        "goal_pct_per_hour": GOAL_PCT_PER_HOUR,
        "meets_goal": pct_per_hour < GOAL_PCT_PER_HOUR,
    }


@dataclass
class Stats:
    window: float
    t0: float = 0.0
    latencies: dict[str, dict[int, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    rss: list[tuple[float, float]] = field(default_factory=list)
    sent: int = 0
    expected_deliveries: int = 0
    deliveries: int = 0

    def record(self, kind: str, started: float, seconds: float) -> None:
        self.latencies[kind][int((started - self.t0) // self.window)].append(seconds * 1000)

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(f"{kind}: {detail[:200]}")


class Server:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.port = port
        self.url = f"http://{HOST}:{port}"
        # The server runs on the project's environment alone (no PYTHONPATH extras).
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("GUILDHALL_") and k != "PYTHONPATH"
        }
        env.update(
            GUILDHALL_DATA_DIR=str(data_dir),
            GUILDHALL_API_RATE_LIMIT="off",
            GUILDHALL_SOCKET_RATE_LIMIT="off",
            GUILDHALL_MESSAGE_RATE_LIMIT="off",
            GUILDHALL_UPLOAD_RATE_LIMIT="off",
            GUILDHALL_FRIEND_REQUEST_RATE_LIMIT="off",
            GUILDHALL_SOCKETS_PER_IP="1000000",  # every client is 127.0.0.1
        )
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(data_dir.parent / "server.log", "wb")
        cmd = ["taskset", "-c", "0", GUILDHALL, "serve", "--host", HOST, "--port", str(port)]
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    async def wait_ready(self, within: float = 60) -> None:
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError("server exited; see server.log")
                try:
                    async with http.get(self.url + "/healthz") as r:
                        if r.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


async def setup(url: str, users: int, channels: int) -> tuple[list[str], list[tuple[int, int]]]:
    """Users (bearer tokens), one guild all of them are in, its channels."""
    tokens: list[str] = []
    async with aiohttp.ClientSession() as http:
        for i in range(users):
            body = {"username": f"soak{i}", "password": PASSWORD, "email": f"soak{i}@example.com"}
            async with http.post(url + "/api/register", json=body) as r:
                assert r.status == 201, await r.text()
                tokens.append((await r.json())["token"])
        owner = {"Authorization": f"Bearer {tokens[0]}"}
        async with http.post(url + "/api/guilds", json={"name": "soak"}, headers=owner) as r:
            gid = (await r.json())["id"]
        rooms = []
        for c in range(channels):
            path = f"{url}/api/guilds/{gid}/channels"
            async with http.post(path, json={"name": f"c{c}"}, headers=owner) as r:
                rooms.append((gid, (await r.json())["id"]))
        async with http.post(f"{url}/api/guilds/{gid}/invites", json={}, headers=owner) as r:
            code = (await r.json())["code"]
        for token in tokens[1:]:
            auth = {"Authorization": f"Bearer {token}"}
            async with http.post(f"{url}/api/invites/{code}/join", headers=auth) as r:
                assert r.status == 200, await r.text()
    return tokens, rooms


async def open_sockets(
    url: str, tokens: list[str], rooms: list[tuple[int, int]], count: int, stats: Stats
) -> tuple[list[socketio.AsyncClient], dict[int, int]]:
    """``count`` signed-in sockets, each joined to one room; room → its sockets."""
    clients: list[socketio.AsyncClient] = []
    per_channel: dict[int, int] = defaultdict(int)

    async def one(i: int) -> None:
        gid, cid = rooms[i % len(rooms)]
        client = socketio.AsyncClient(reconnection=False)

        @client.on("new_message")
        async def on_message(data: dict[str, Any]) -> None:
            now = time.monotonic()
            stats.deliveries += 1
            try:
                sent_at = float(data["content"].split("|")[1])
            except (KeyError, IndexError, ValueError):
                stats.error("delivery", f"unexpected message {data!r}")
                return
            stats.record("delivery", sent_at, now - sent_at)

        @client.on("disconnect")
        async def on_disconnect(*_: Any) -> None:
            if not stopping.is_set():
                stats.error("socket", f"socket {i} disconnected")

        await client.connect(
            url,
            auth={"token": tokens[i % len(tokens)]},
            transports=["websocket"],
            wait_timeout=30,
        )
        ack = await client.call("join_room", {"room": f"g:{gid}:c:{cid}"}, timeout=30)
        if not ack.get("ok"):
            raise RuntimeError(f"join_room refused: {ack}")
        clients.append(client)
        per_channel[cid] += 1

    for start in range(0, count, 20):  # in batches: a burst of 200 handshakes is no soak
        await asyncio.gather(*(one(i) for i in range(start, min(count, start + 20))))
    return clients, per_channel


stopping = asyncio.Event()


async def scheduled(rate: float, deadline: float, fn: Any, stats: Stats, limit: int = 200) -> None:
    """Start ``fn()`` ``rate`` times a second until ``deadline`` (at most ``limit``
    in flight; past that, a start is skipped and counted as an error)."""
    interval = 1 / rate
    next_at = time.monotonic()
    pending: set[asyncio.Task[None]] = set()
    while next_at < deadline:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        next_at += interval
        if len(pending) >= limit:
            stats.error("overload", "too many requests in flight")
            continue
        task = asyncio.create_task(fn())
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(pending, timeout=30)


class RestLoad:
    def __init__(
        self,
        url: str,
        http: aiohttp.ClientSession,
        tokens: list[str],
        rooms: list[tuple[int, int]],
        per_channel: dict[int, int],
        stats: Stats,
    ) -> None:
        self.url, self.http, self.tokens, self.rooms = url, http, tokens, rooms
        self.per_channel, self.stats = per_channel, stats
        self.n = 0

    def error(self, kind: str, detail: str) -> None:
        self.stats.error(kind, detail)

    def _pick(self) -> tuple[dict[str, str], int]:
        self.n += 1
        token = self.tokens[self.n % len(self.tokens)]
        _, cid = self.rooms[self.n % len(self.rooms)]
        return {"Authorization": f"Bearer {token}"}, cid

    async def send(self) -> None:
        headers, cid = self._pick()
        started = time.monotonic()
        body = {"content": f"soak|{started:.6f}|{self.n}", "nonce": f"n{self.n}"}
        try:
            async with self.http.post(
                f"{self.url}/api/channels/{cid}/messages", json=body, headers=headers
            ) as r:
                await r.read()
                if r.status != 201:
                    self.error("send", f"{r.status} {await r.text()}")
                    return
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.error("send", repr(exc))
            return
        self.stats.record("send", started, time.monotonic() - started)
        self.stats.sent += 1
        self.stats.expected_deliveries += self.per_channel[cid]

    async def history(self) -> None:
        headers, cid = self._pick()
        started = time.monotonic()
        try:
            async with self.http.get(
                f"{self.url}/api/channels/{cid}/messages?limit=50", headers=headers
            ) as r:
                await r.read()
                if r.status != 200:
                    self.error("history", f"{r.status}")
                    return
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.error("history", repr(exc))
            return
        self.stats.record("history", started, time.monotonic() - started)


async def sample_rss(pid: int, stats: Stats, deadline: float) -> None:
    while time.monotonic() < deadline:
        stats.rss.append((time.monotonic() - stats.t0, rss_mb(pid)))
        await asyncio.sleep(1)


async def soak(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    stats = Stats(window=args.window)
    await server.wait_ready()
    tokens, rooms = await setup(server.url, args.users, args.channels)
    idle_rss = rss_mb(server.proc.pid)
    clients, per_channel = await open_sockets(server.url, tokens, rooms, args.clients, stats)
    connected_rss = rss_mb(server.proc.pid)

    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=100)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        load = RestLoad(server.url, http, tokens, rooms, per_channel, stats)
        # A short warm-up (caches, pools), not measured.
        warm_until = time.monotonic() + 5
        await asyncio.gather(
            scheduled(args.send_rate, warm_until, load.send, stats),
            scheduled(args.read_rate, warm_until, load.history, stats),
        )
        await asyncio.sleep(2)
        stats.latencies.clear()
        stats.errors.clear()
        stats.error_samples.clear()
        stats.sent = stats.expected_deliveries = stats.deliveries = 0

        stats.t0 = time.monotonic()
        start_rss = rss_mb(server.proc.pid)
        start_cpu, start_load = cpu_seconds(server.proc.pid), loadavg()
        deadline = stats.t0 + args.duration
        await asyncio.gather(
            scheduled(args.send_rate, deadline, load.send, stats),
            scheduled(args.read_rate, deadline, load.history, stats),
            sample_rss(server.proc.pid, stats, deadline),
        )
        busy = cpu_seconds(server.proc.pid) - start_cpu
        end_load = loadavg()
        await asyncio.sleep(5)  # the last broadcasts drain
        end_rss = rss_mb(server.proc.pid)
    stopping.set()
    missed = stats.expected_deliveries - stats.deliveries
    if missed:
        stats.error("delivery", f"{missed} expected socket deliveries never arrived")
    still_connected = sum(1 for c in clients if c.connected)
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)

    windows = []
    n_windows = int(args.duration // args.window)
    for w in range(n_windows):
        row: dict[str, Any] = {"t": w * args.window}
        for kind in ("send", "history", "delivery"):
            values = stats.latencies[kind].get(w, [])
            row[kind] = {
                "count": len(values),
                "p50_ms": rounded(percentile(values, 0.50)),
                "p99_ms": rounded(percentile(values, 0.99)),
            }
        in_window = [m for t, m in stats.rss if w * args.window <= t < (w + 1) * args.window]
        row["rss_mb"] = round(max(in_window), 1) if in_window else None
        windows.append(row)

    def overall(kind: str) -> dict[str, Any]:
        values = [v for vs in stats.latencies[kind].values() for v in vs]
        return {
            "count": len(values),
            "p50_ms": rounded(percentile(values, 0.50)),
            "p99_ms": rounded(percentile(values, 0.99)),
            "max_ms": round(max(values), 2) if values else None,
            "mean_ms": round(statistics.fmean(values), 2) if values else None,
        }

    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "setup": {
            "duration_s": args.duration,
            "window_s": args.window,
            "sockets": args.clients,
            "users": args.users,
            "rooms": args.channels,
            "send_rate_per_s": args.send_rate,
            "history_rate_per_s": args.read_rate,
            "server_cpu": 0,
            "load_cpu": 1,
            "backend": "SQLite (WAL), in-process bus",
        },
        # Other processes on the machine compete for the server's CPU: a p99 read
        # next to a load average over 2 (this machine's cores) is not the server's.
        "machine_load": {"loadavg_1m_start": start_load, "loadavg_1m_end": end_load},
        "server_cpu_pct": round(100 * busy / args.duration, 1),
        "errors": {"total": sum(stats.errors.values()), **stats.errors},
        "error_samples": stats.error_samples,
        "messages_sent": stats.sent,
        "deliveries": {"expected": stats.expected_deliveries, "received": stats.deliveries},
        "sockets_connected_at_end": still_connected,
        "overall": {k: overall(k) for k in ("send", "history", "delivery")},
        "rss_mb": {
            "idle_after_setup": round(idle_rss, 1),
            "sockets_connected": round(connected_rss, 1),
            "start": round(start_rss, 1),
            "end": round(end_rss, 1),
            "growth_pct": round(100 * (end_rss - start_rss) / start_rss, 1),
            "samples_every_s": 1,
        },
        "rss_growth": rss_growth(stats.rss, args.rss_warmup),
        # Every sample (seconds into the steady phase, MB): the slope's data.
        "rss_samples": [(round(t, 1), round(mb, 2)) for t, mb in stats.rss],
        "windows": windows,
    }


def rate_line(g: dict[str, Any], duration_s: float) -> str:
    if g["pct_per_hour"] is None:
        return (
            f"* server RSS growth rate: not measured ({g['samples']} samples after a"
            f" {g['warmup_s']:.0f} s warm-up in a {duration_s:.0f} s run)"
        )
    verdict = "meets" if g["meets_goal"] else "misses"
    return (
        f"* server RSS growth rate: **{g['kib_per_min']:+} KiB/min = {g['pct_per_hour']:+}%"
        f" per hour** ({verdict} the goal < {g['goal_pct_per_hour']:g}%/hour): least-squares"
        f" slope of {g['samples']} one-second samples from {g['fitted_from_s']:.0f} s to"
        f" {g['fitted_to_s']:.0f} s of a {duration_s:.0f} s steady phase (the first"
        f" {g['warmup_s']:.0f} s are warm-up), relative to its mean RSS {g['mean_mb']} MB"
        + (
            f"; over the second half alone {late:+} KiB/min"
            if (late := g["late_half_kib_per_min"]) is not None
            else ""
        )
    )


def write_markdown(result: dict[str, Any], command: str) -> str:
    s, rss, o = result["setup"], result["rss_mb"], result["overall"]
    load = result["machine_load"]
    lines = [
        "# Soak",
        "",
        f"{result['when']}: `{command}`",
        "",
        f"One `guildhall serve` (SQLite WAL, in-process bus) pinned to CPU {s['server_cpu']}; "
        f"the load pinned to CPU {s['load_cpu']}: {s['sockets']} Socket.IO clients "
        f"({s['users']} users) in {s['rooms']} rooms, {s['send_rate_per_s']} sends/s and "
        f"{s['history_rate_per_s']} history reads/s (50 messages) for {s['duration_s']} s.",
        "",
        f"* errors: **{result['errors']['total']}** (goal 0)"
        + (f" — {result['error_samples'][:3]}" if result["error_samples"] else ""),
        f"* messages sent: {result['messages_sent']}; socket deliveries "
        f"{result['deliveries']['received']} of {result['deliveries']['expected']} expected; "
        f"sockets still connected at the end: {result['sockets_connected_at_end']}",
        rate_line(result["rss_growth"], s["duration_s"]),
        f"* server RSS, end against start of the steady phase (the older goal, < 10%): "
        f"{rss['start']} → {rss['end']} MB, {rss['growth_pct']:+}%; idle after setup "
        f"{rss['idle_after_setup']} MB, with the sockets connected {rss['sockets_connected']} MB",
        f"* server CPU: {result['server_cpu_pct']}% of its core over the steady phase; "
        f"machine load average {load['loadavg_1m_start']} → {load['loadavg_1m_end']}"
        + (
            f" (above the {result['machine']['cpus']} cores: other processes competed for "
            "the server's core, so the tail latencies say more about them than about "
            "the server)"
            if max(load.values()) > (result["machine"]["cpus"] or 1)
            else ""
        ),
        "",
        "| overall | count | p50 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind in ("send", "history", "delivery"):
        lines.append(
            f"| {kind} | {o[kind]['count']} | {o[kind]['p50_ms']} | {o[kind]['p99_ms']} "
            f"| {o[kind]['max_ms']} |"
        )
    lines += [
        "",
        f"p99 per {s['window_s']}-second window (ms), and the server's RSS:",
        "",
        "| t (s) | send p99 | history p99 | delivery p99 | sends | RSS MB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def shown(value: Any) -> Any:  # a window without samples has no percentile
        return "–" if value is None else value

    for w in result["windows"]:
        lines.append(
            f"| {w['t']:.0f} | {shown(w['send']['p99_ms'])} | {shown(w['history']['p99_ms'])} "
            f"| {shown(w['delivery']['p99_ms'])} | {w['send']['count']} | {shown(w['rss_mb'])} |"
        )
    return "\n".join(lines) + "\n"


def plot(result: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    ts = [w["t"] for w in result["windows"]]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for kind in ("send", "history", "delivery"):
        ax.plot(ts, [w[kind]["p99_ms"] for w in result["windows"]], marker="o", label=f"{kind} p99")
    ax.set_xlabel("seconds into the soak")
    ax.set_ylabel("p99 latency (ms)")
    ax2 = ax.twinx()
    samples = result["rss_samples"]
    ax2.plot(
        [t for t, _ in samples], [mb for _, mb in samples], "k-", lw=0.8, label="server RSS (MB)"
    )
    g = result["rss_growth"]
    if g["kib_per_min"] is not None:
        steady = [(t, mb) for t, mb in samples if t >= g["warmup_s"]]
        mean_t = sum(t for t, _ in steady) / len(steady)
        per_s = g["kib_per_min"] / 1024 / 60
        ends = (steady[0][0], steady[-1][0])
        ax2.plot(
            ends,
            [g["mean_mb"] + per_s * (t - mean_t) for t in ends],
            "r--",
            label=f"RSS fit: {g['pct_per_hour']:+}%/hour",
        )
    ax2.set_ylabel("RSS (MB; not from zero: the slope is the point)")
    ax.set_ylim(bottom=0)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper left")
    ax.set_title("Soak: p99 per window and server RSS")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--seconds",
        "--duration",
        dest="duration",
        type=float,
        default=600,
        help="steady phase length (default 600: long enough to see a growth rate)",
    )
    parser.add_argument(
        "--rss-warmup",
        type=float,
        help="seconds of the steady phase left out of the RSS slope"
        " (default 120, at most a fifth of the run)",
    )
    parser.add_argument("--window", type=float, default=30)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--send-rate", type=float, default=20)
    parser.add_argument("--read-rate", type=float, default=20)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--data-root", type=Path, default=None, help="where the server's data dir goes"
    )
    args = parser.parse_args()
    if args.rss_warmup is None:
        args.rss_warmup = min(120.0, args.duration / 5)
    if not shutil.which("taskset"):
        sys.exit("taskset (util-linux) is needed to pin the server and the load")

    work = Path(tempfile.mkdtemp(prefix="guildhall-soak-", dir=args.data_root))
    server = Server(work / "data", free_port())
    os.sched_setaffinity(0, {1})  # the load: CPU 1 (the server has CPU 0)
    try:
        result = asyncio.run(soak(args, server))
    finally:
        server.stop()
    command = (
        "make bench-soak"
        if len(sys.argv) == 1
        else "python -m bench.soak " + " ".join(sys.argv[1:])
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "soak.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "soak.md").write_text(write_markdown(result, command))
    plotted = plot(result, args.out / "soak.png")
    shutil.rmtree(work, ignore_errors=True)
    print(write_markdown(result, command))
    print("plot:", "soak.png" if plotted else "skipped (matplotlib not installed)")
    sys.exit(1 if result["errors"]["total"] else 0)


if __name__ == "__main__":
    main()
