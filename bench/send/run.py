"""Send benchmark (``make bench-send``): how many messages a second one server
stores and acknowledges, REST ``POST /api/channels/{id}/messages`` and socket
``send_message``, at 1, 4, 16 and 64 concurrent senders, into one channel and
spread over 100 channels, against a bare Starlette insert probe (``probe.py``)
in the same run.

Each server runs pinned to core 0 (``taskset -c 0``); this process, the load,
pins itself to core 1. A sender sends, waits for its answer (201, or the ack
with the message) and sends again, for ``--seconds`` per cell after a short
warm-up. Rate limits are off (the measure is the write path, not the limiter).

    python bench/send/run.py [--engines sqlite,postgres] [--seconds 2]

PostgreSQL (and the asyncpg probe) need a server at 127.0.0.1:5432, user
``postgres``; a database is created for the run and dropped after.
Writes ``bench/results/send.json`` and ``bench/results/send.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import socketio

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "bench" / "fanout"))
sys.path.insert(0, str(ROOT))

from bench.stats import percentile, rounded  # noqa: E402
from run import (  # noqa: E402  (bench/fanout/run.py: servers, pinning, logs)
    LOAD_CORE,
    PROJECT_PY,
    RESULTS,
    GuildhallServer,
    Server,
    log,
)
from scaleout import _admin  # noqa: E402  (its database administration, reused)

SENDERS = (1, 4, 16, 64)
CHANNELS = (1, 100)
RUN = f"gh_send_{os.getpid()}"
CONTENT = "a chat message of a usual size, a sentence or two long " * 2


class Probe(Server):
    name = "probe"

    def __init__(self, engine: str, target: str) -> None:
        self.engine, self.target = engine, target
        super().__init__()
        if engine == "sqlite":
            self.target = str(self.tmp / "probe.db")

    def command(self) -> list[str]:
        return [str(PROJECT_PY), str(HERE / "probe.py"), str(self.port), self.engine, self.target]

    def start(self) -> None:
        assert self.proc is None
        logf = open(self.tmp / "server.log", "wb")
        self.proc = subprocess.Popen(
            ["taskset", "-c", "0", *self.command()], stdout=logf, stderr=subprocess.STDOUT
        )
        _wait_port(self.port, self.proc)

    def setup_send(self) -> dict[str, Any]:
        return {"headers": {}, "channels": [(0, i + 1) for i in range(max(CHANNELS))]}


class Guildhall(GuildhallServer):
    def __init__(self, extra_env: dict[str, str], source: Path | None = None) -> None:
        self.extra_env = extra_env
        self.source = source  # another version's src/ (--before), else this tree's
        super().__init__()

    def env(self) -> dict[str, str]:
        env = {**super().env(), **self.extra_env}
        if self.source is not None:
            env["PYTHONPATH"] = str(self.source)
        return env

    def command(self) -> list[str]:
        spy = os.environ.get("BENCH_PYSPY")  # e.g. /tmp/py-spy: sample the server (raw stacks)
        if self.source is not None:
            serve = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
            return [str(PROJECT_PY), "-c", "from guildhall.cli import cli; cli()", *serve]
        if not spy:
            return super().command()
        out = str(RESULTS / "tmp" / f"{self.name}.pyspy.txt")
        return [spy, "record", "-r", "250", "-f", "raw", "-o", out, "--", *super().command()]

    def start(self) -> None:
        try:
            super().start()
        except RuntimeError:  # a busy machine: give a live process two more minutes
            if self.proc is None or self.proc.poll() is not None:
                raise
            _wait_port(self.port, self.proc, 120)

    def stop(self) -> None:
        if os.environ.get("BENCH_PYSPY") and self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # py-spy writes its samples on ^C
            self.proc.wait(30)
        super().stop()

    def setup_send(self) -> dict[str, Any]:
        import requests

        s = requests.Session()
        r = s.post(
            f"{self.url}/api/register",
            json={"username": "sender", "password": "benchmark password 1", "email": "s@b.example"},
        )
        r.raise_for_status()
        token = r.json()["token"]
        s.headers["Authorization"] = f"Bearer {token}"
        gid = s.post(f"{self.url}/api/guilds", json={"name": "Bench"}).json()["id"]
        channels = []
        for i in range(max(CHANNELS)):
            r = s.post(f"{self.url}/api/guilds/{gid}/channels", json={"name": f"c{i}"})
            r.raise_for_status()
            channels.append((gid, r.json()["id"]))
        # The socket senders, each a member of their own: a send acks the channel
        # for its author and tells the author's other sockets (read_state_updated),
        # so one account behind every socket would make each send an event to every
        # other sender, and the load client, not the server, the limit.
        code = s.post(f"{self.url}/api/guilds/{gid}/invites", json={}).json()["code"]
        members = []
        for k in range(max(SENDERS)):
            r = requests.post(
                f"{self.url}/api/register",
                json={"username": f"s{k}", "password": "benchmark password 1",
                      "email": f"s{k}@b.example"},
            )  # fmt: skip
            r.raise_for_status()
            members.append(r.json()["token"])
            auth = {"Authorization": f"Bearer {members[-1]}"}
            requests.post(f"{self.url}/api/invites/{code}/join", headers=auth).raise_for_status()
        return {
            "headers": {"Authorization": f"Bearer {token}"},
            "token": token,
            "members": members,
            "channels": channels,
        }


def _wait_port(port: int, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("probe exited")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("probe did not start")


# -- load -----------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its threads (and of its children: py-spy)."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(k) for k in kids for k in [k, *map(str, _children(int(k)))]]


def _summary(lat: list[float], errors: int, seconds: float) -> dict[str, Any]:
    return {
        "msgs_per_s": round(len(lat) / seconds, 1),
        "p50_ms": rounded(percentile(lat, 0.5)),
        "p99_ms": rounded(percentile(lat, 0.99)),
        "errors": errors,
    }


async def _drive(senders: int, one: Any, seconds: float, warmup: float) -> dict[str, Any]:
    """Run ``senders`` loops of ``one(k, i)`` (one send, True when acknowledged)."""
    lat: list[float] = []
    errors = 0
    start = time.perf_counter()
    measure_from = start + warmup
    stop = measure_from + seconds

    async def loop(k: int) -> None:
        nonlocal errors
        i = 0
        while (t0 := time.perf_counter()) < stop:
            ok = await one(k, i)
            t1 = time.perf_counter()
            i += 1
            if t0 >= measure_from and t1 <= stop:
                if ok:
                    lat.append((t1 - t0) * 1000)
                else:
                    errors += 1

    await asyncio.gather(*(loop(k) for k in range(senders)))
    return _summary(lat, errors, seconds)


def _channel(base: dict[str, Any], spread: int, k: int, i: int) -> tuple[int, int]:
    return base["channels"][(k + i * 7) % spread]


async def rest_cell(url: str, base: dict[str, Any], senders: int, spread: int, args: Any) -> Any:
    conn = aiohttp.TCPConnector(limit=senders)
    async with aiohttp.ClientSession(connector=conn, headers=base["headers"]) as http:

        async def one(k: int, i: int) -> bool:
            _, cid = _channel(base, spread, k, i)
            async with http.post(
                f"{url}/api/channels/{cid}/messages", json={"content": CONTENT}
            ) as r:
                await r.read()
                return r.status == 201

        return await _drive(senders, one, args.seconds, args.warmup)


async def socket_cell(
    clients: list[socketio.AsyncClient], base: dict[str, Any], senders: int, spread: int, args: Any
) -> Any:
    async def one(k: int, i: int) -> bool:
        gid, cid = _channel(base, spread, k, i)
        answer = await clients[k].call(
            "send_message", {"room": f"g:{gid}:c:{cid}", "content": CONTENT}, timeout=30
        )
        return isinstance(answer, dict) and "message" in answer

    return await _drive(senders, one, args.seconds, args.warmup)


async def measure(server: Any, base: dict[str, Any], doors: list[str], args: Any) -> list[Any]:
    rows = []
    clients: list[socketio.AsyncClient] = []
    if "socket" in doors:
        for token in base["members"]:
            c = socketio.AsyncClient()
            await c.connect(server.url, auth={"token": token}, transports=["websocket"])
            clients.append(c)
        await socket_cell(clients, base, max(SENDERS), 1, _Warm(args))  # connected, warm
    try:
        for door in doors:
            for spread in args.channels:
                for n in args.senders:
                    cpu0, t0 = cpu_seconds(server.proc.pid), time.perf_counter()
                    own0 = time.process_time()
                    if door == "rest":
                        r = await rest_cell(server.url, base, n, spread, args)
                    else:
                        r = await socket_cell(clients, base, n, spread, args)
                    cpu, wall = cpu_seconds(server.proc.pid) - cpu0, time.perf_counter() - t0
                    sent = r["msgs_per_s"] * wall  # about: the warm-up's sends count too
                    r["server_cpu"] = round(cpu / wall, 2)
                    # The load's own core: near 1.0, the client (not the server) limits.
                    r["client_cpu"] = round((time.process_time() - own0) / wall, 2)
                    r["cpu_ms_per_msg"] = round(1000 * cpu / sent, 2) if sent else None
                    row = {"door": door, "channels": spread, "senders": n, **r}
                    log(f"{server.name} {row}")
                    rows.append(row)
    finally:
        for c in clients:
            await c.disconnect()
    return rows


class _Warm:
    def __init__(self, args: Any) -> None:
        self.seconds, self.warmup = 0.5, args.warmup


def run_engine(engine: str, args: Any) -> dict[str, Any]:
    extra: dict[str, str] = {}
    probe_target = ""
    if engine == "postgres":
        db = f"{RUN}_gh"
        asyncio.run(_admin(f'CREATE DATABASE "{db}"'))
        asyncio.run(_admin(f'CREATE DATABASE "{RUN}_probe"'))
        extra["GUILDHALL_DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"
        probe_target = f"postgresql://postgres@127.0.0.1:5432/{RUN}_probe"
    try:
        probe = Probe(engine, probe_target)
        probe.start()
        try:
            probe.name = f"probe-{engine}"
            probe_rows = (
                asyncio.run(measure(probe, probe.setup_send(), ["rest"], args))
                if not args.no_probe
                else []
            )
        finally:
            probe.stop()
        if engine == "postgres":
            _migrate(extra)
        gh_rows = []
        versions = [("", None)]
        if args.before:
            versions.insert(0, (args.before, _export(args.before)))
        for ref, source in versions:
            if engine == "postgres" and source is not None:
                continue  # one database, migrated for this tree: the old version on SQLite only
            gh = Guildhall(extra, source)
            gh.name = f"guildhall-{engine}" + (f"-{ref}" if ref else "")
            if args.profile and source is None:
                gh.profile = Path(args.profile).resolve()
            gh.start()
            try:
                rows = asyncio.run(measure(gh, gh.setup_send(), args.doors.split(","), args))
            finally:
                gh.stop()
            gh_rows += [{"version": ref or "this", **r} for r in rows]
    finally:
        if engine == "postgres":
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{RUN}_gh" WITH (FORCE)'))
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{RUN}_probe" WITH (FORCE)'))
    probe_by = {(r["channels"], r["senders"]): r["msgs_per_s"] for r in probe_rows}
    for r in gh_rows:
        ceiling = probe_by.get((r["channels"], r["senders"]))
        r["probe_msgs_per_s"] = ceiling
        r["ratio"] = round(r["msgs_per_s"] / ceiling, 3) if ceiling else None
    return {"probe": probe_rows, "guildhall": gh_rows}


def _export(ref: str) -> Path:
    """``src/`` of another commit, for a before/after comparison in one run."""
    out = Path(tempfile.mkdtemp(prefix="send-before-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    # Compiled now: a busy machine compiling it at start-up exceeds the start timeout.
    subprocess.run([str(PROJECT_PY), "-m", "compileall", "-q", str(out / "src")], check=True)
    return out / "src"


def _migrate(extra: dict[str, str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUILDHALL_")}
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "guildhall"), "db", "upgrade"],
        env={**env, **extra},
        check=True,
    )


def markdown(results: dict[str, Any], meta: dict[str, Any]) -> str:
    out = [
        "# Send benchmark (`make bench-send`)",
        "",
        f"{meta['when']}, {meta['machine']}; server on core 0, load on core 1; "
        f"{meta['seconds']} s a cell after {meta['warmup']} s of warm-up, one run. "
        "The machine is shared with other work: the numbers are noisy, compare the "
        "ratios within one run rather than absolute values across runs.",
        "",
        "`ratio` = Guildhall's msgs/s over the bare insert probe's at the same senders "
        "and channels (`bench/send/probe.py`). Latency is the ack round trip "
        "(request to 201, or `send_message` to its ack).",
        "",
    ]
    for engine, res in results.items():
        out += [
            f"## {engine}",
            "",
            "| version | door | channels | senders | msgs/s | probe msgs/s | ratio "
            "| p50 ms | p99 ms | errors | server CPU ms/msg |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in res["guildhall"]:
            out.append(
                f"| {r['version']} | {r['door']} | {r['channels']} | {r['senders']} "
                f"| {r['msgs_per_s']} | {r['probe_msgs_per_s']} | {r['ratio']} | {r['p50_ms']} "
                f"| {r['p99_ms']} | {r['errors']} | {r['cpu_ms_per_msg']} |"
            )
        out.append("")
    return "\n".join(out) + "\n"


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(","))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--out", default="send")
    parser.add_argument("--doors", default="rest,socket")
    parser.add_argument("--senders", type=_ints, default=SENDERS)
    parser.add_argument("--channels", type=_ints, default=CHANNELS)
    parser.add_argument("--no-probe", action="store_true")
    parser.add_argument("--before", help="also measure this git ref's server (SQLite), e.g. main")
    parser.add_argument("--profile", help="cProfile the Guildhall server into this file")
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(LOAD_CORE)})
    results = {e: run_engine(e, args) for e in args.engines.split(",")}
    meta = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "seconds": args.seconds,
        "warmup": args.warmup,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"meta": meta, **results}, indent=2))
    (RESULTS / f"{args.out}.md").write_text(markdown(results, meta))
    for engine, res in results.items():
        for r in res["guildhall"]:
            print(
                engine,
                r["door"],
                r["channels"],
                r["senders"],
                r["msgs_per_s"],
                r["ratio"],
                r["p99_ms"],
            )


if __name__ == "__main__":
    main()
