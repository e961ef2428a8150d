"""Per-node cost of the sharded Redis bus: several Guildhall nodes on this
machine sharing PostgreSQL and Redis (127.0.0.1), showing that a node's CPU
grows with its own rooms, not with the number of nodes (issue 14).

Guild A and guild B are on different bus shards. Node 0 holds ``--idle``
signed-in sockets of guild A's members only (in a channel of A); nodes 1..M hold
``--listeners`` sockets each of guild B's members, in a channel of B, and one
sender each; the senders together send ``--rate`` messages/s into B for
``--seconds`` s. Measured: CPU seconds (utime + stime, /proc) each node spends in
that window, for M = 1, 2, 4 other nodes, then two controls at M = 4: no traffic
at all (node 0's floor), and node 0 holding one socket in B's channel too (it
must then decode and deliver B's events: the measurement can see that cost).

Node 0 runs pinned to core 0; nodes 1..M and this driver to core 1
(``taskset``), as the other benches; PostgreSQL and Redis are the machine's own
services. ``--runs`` windows per case (≥ 5), median and min–max. A fresh
database is created for the run and dropped after.

Writes ``bench/results/shards.{json,md}``.

    python bench/scaleout/shards.py [--runs 5] [--seconds 8] [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fanout"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.stats import spread
from lean import LeanSocket, Stats, open_socket
from run import (
    GUILDHALL,
    LOAD_CORE,
    PASSWORD,
    SERVER_CORE,
    cpu_name,
    log,
    project_versions,
    write_results,
)
from scaleout import RUN, Node, _admin, scaled_env

from guildhall.ports.redis_bus import SHARDS, shard_of

TICK = os.sysconf("SC_CLK_TCK")
USERS = 5  # per guild (sockets reuse their tokens)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


class Setup:
    """Two guilds, each with its own members and one channel; via node 0's REST."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.owner = self.register("owner")
        self.rooms: dict[str, str] = {}
        self.tokens: dict[str, list[str]] = {}
        self.guilds: dict[str, int] = {}
        for name in ("a", "b"):
            r = self.owner.post(f"{url}/api/guilds", json={"name": f"Guild {name}"})
            r.raise_for_status()
            gid = r.json()["id"]
            r = self.owner.post(f"{url}/api/guilds/{gid}/channels", json={"name": "room"})
            r.raise_for_status()
            self.guilds[name] = gid
            self.rooms[name] = f"g:{gid}:c:{r.json()['id']}"
            code = self.owner.post(f"{url}/api/guilds/{gid}/invites", json={}).json()["code"]
            self.tokens[name] = []
            for i in range(USERS):
                user = self.register(f"{name}user{i}")
                user.post(f"{url}/api/invites/{code}/join").raise_for_status()
                self.tokens[name].append(user.token)  # type: ignore[attr-defined]

    def register(self, name: str) -> requests.Session:
        s = requests.Session()
        r = s.post(
            f"{self.url}/api/register",
            json={"username": name, "password": PASSWORD, "email": f"{name}@bench.example"},
        )
        r.raise_for_status()
        s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        s.token = r.json()["token"]  # type: ignore[attr-defined]
        s.user_id = r.json()["user"]["id"] if "user" in r.json() else None  # type: ignore[attr-defined]
        return s


async def sockets(
    port: int, tokens: list[str], room: str, n: int, stats: Stats
) -> list[LeanSocket]:
    gate = asyncio.Semaphore(20)

    async def one(i: int) -> LeanSocket:
        async with gate:
            sock = await open_socket(
                "127.0.0.1", port, stats, auth={"token": tokens[i % len(tokens)]}
            )
            ack = await asyncio.wait_for(sock.emit("join_room", {"room": room}, ack=True), 60)
            if not (isinstance(ack, dict) and ack.get("ok")):
                raise RuntimeError(f"join_room refused: {ack}")
            return sock

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def window(
    nodes: list[Node], senders: list[LeanSocket], room: str, rate: float, seconds: float
) -> dict[str, Any]:
    """CPU seconds of every node over ``seconds`` while ``rate`` msg/s go into ``room``."""
    pids = [n.proc.pid for n in nodes]  # type: ignore[union-attr]
    await asyncio.sleep(1.0)  # let earlier traffic (joins, presence) pass
    before = [cpu_seconds(p) for p in pids]
    t0 = time.perf_counter()
    acks: list[asyncio.Future[Any]] = []
    sent = 0
    while (elapsed := time.perf_counter() - t0) < seconds:
        if senders and rate and sent < elapsed * rate:
            fut = senders[sent % len(senders)].emit(
                "send_message", {"room": room, "content": f"m{sent}"}, ack=True
            )
            assert fut is not None
            acks.append(fut)
            sent += 1
            continue
        await asyncio.sleep(0.002)
    wall = time.perf_counter() - t0
    after = [cpu_seconds(p) for p in pids]
    ok = 0
    if acks:
        done, _ = await asyncio.wait(acks, timeout=30)
        ok = sum(1 for f in done if not f.exception() and isinstance(f.result(), dict))
    return {
        "wall_s": round(wall, 2),
        "sent": sent,
        "acked": ok,
        "cpu_s": [round(b - a, 3) for a, b in zip(before, after, strict=True)],
    }


def start_on_load_core(node: Node) -> None:
    node.start()  # run.py pins it to core 0; the other nodes go to core 1
    assert node.proc is not None
    subprocess.run(["taskset", "-pc", LOAD_CORE, str(node.proc.pid)], check=True)


async def drive(nodes_all: list[Node], setup: Setup, args: argparse.Namespace) -> dict[str, Any]:
    stats = Stats()
    node0 = nodes_all[0]
    log(f"node 0: {args.idle} sockets in guild A")
    idle = await sockets(node0.port, setup.tokens["a"], setup.rooms["a"], args.idle, stats)
    cases: dict[str, Any] = {}
    started = 1
    listeners: list[LeanSocket] = []
    senders: list[LeanSocket] = []
    for m in (1, 2, 4):
        while started <= m:
            # In a thread: the idle sockets' pings are answered meanwhile.
            await asyncio.to_thread(start_on_load_core, nodes_all[started])
            started += 1
        for s in listeners + senders:
            s.close()
        listeners, senders = [], []
        for node in nodes_all[1 : m + 1]:
            listeners += await sockets(
                node.port, setup.tokens["b"], setup.rooms["b"], args.listeners, stats
            )
            senders += await sockets(node.port, setup.tokens["b"], setup.rooms["b"], 1, stats)
        runs = []
        for i in range(args.runs):
            runs.append(
                await window(nodes_all[: m + 1], senders, setup.rooms["b"], args.rate, args.seconds)
            )
            log(f"{m} other node(s), run {i + 1}: {runs[-1]}")
        cases[f"{m} other nodes"] = {"other_nodes": m, "rate": args.rate, "runs": runs}
    m = 4
    runs = []
    for i in range(args.runs):
        runs.append(await window(nodes_all[: m + 1], senders, setup.rooms["b"], 0, args.seconds))
        log(f"control, no traffic, run {i + 1}: {runs[-1]}")
    cases["control: no traffic"] = {"other_nodes": m, "rate": 0, "runs": runs}
    log("control: node 0 also holds one socket in B's channel")
    extra = await sockets(node0.port, setup.tokens["b"], setup.rooms["b"], 1, stats)
    runs = []
    for i in range(args.runs):
        runs.append(
            await window(nodes_all[: m + 1], senders, setup.rooms["b"], args.rate, args.seconds)
        )
        log(f"control, node 0 in B, run {i + 1}: {runs[-1]}")
    cases["control: node 0 holds a socket in B"] = {
        "other_nodes": m,
        "rate": args.rate,
        "runs": runs,
    }
    for s in idle + listeners + senders + extra:
        s.close()
    await asyncio.sleep(0.5)
    for case in cases.values():
        case["node0_cpu_s"] = spread([r["cpu_s"][0] for r in case["runs"]], 3)
        case["node0_cpu_pct"] = round(100 * case["node0_cpu_s"]["median"] / args.seconds, 2)
        others = [statistics.mean(r["cpu_s"][1:]) for r in case["runs"]]
        case["other_node_mean_cpu_s"] = spread(others, 3)
        case["acked"] = spread([r["acked"] for r in case["runs"]], 3)
    return cases


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Per-node cost of the sharded bus (bench/scaleout/shards.py)",
        "",
        f"Started {report['started']} on {report['machine']['cpu']} "
        f"({report['machine']['cores']} cores, load average {report['machine']['load1']:.1f} at "
        "the start: the machine was shared with other engineers and busy). PostgreSQL + Redis on "
        "127.0.0.1; node 0 pinned to core 0, the other nodes and the driver to core 1.",
        "",
        f"Node 0 holds {report['idle']} signed-in sockets of guild A (shard "
        f"`{report['shards']['a']}`); nodes 1..M hold {report['listeners']} sockets each in a "
        f"channel of guild B (shard `{report['shards']['b']}`) and one sender each; "
        f"{report['rate']} msg/s into B for {report['seconds']} s per window; "
        f"{report['runs']} windows per case, median (min–max). {SHARDS} shards.",
        "",
        "| case | node 0 CPU s per window | node 0 CPU % | other nodes, mean CPU s each"
        " | acked sends |",
        "|---|---|---|---|---|",
    ]
    for name, c in report["cases"].items():
        n0, o, a = c["node0_cpu_s"], c["other_node_mean_cpu_s"], c["acked"]
        lines.append(
            f"| {name} | {n0['median']} ({n0['min']}–{n0['max']}) | {c['node0_cpu_pct']} | "
            f"{o['median']} ({o['min']}–{o['max']}) | {a['median']:.0f} |"
        )
    lines += ["", f"Versions: `{report['versions']}`", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--idle", type=int, default=200, help="node 0's sockets in guild A")
    parser.add_argument("--listeners", type=int, default=50, help="per other node, in guild B")
    args = parser.parse_args()
    os.sched_setaffinity(0, {int(LOAD_CORE)})
    Node.start_timeout = 300.0  # five node processes start on a shared machine
    load1 = os.getloadavg()[0]
    asyncio.run(_admin(f'CREATE DATABASE "{RUN}"'))
    nodes = [Node(f"node-{i}") for i in range(5)]
    try:
        subprocess.run(
            [str(GUILDHALL), "db", "upgrade"], env={**os.environ, **scaled_env()}, check=True
        )
        nodes[0].start()  # run.py pins it to core 0
        assert SERVER_CORE == "0"
        setup = Setup(nodes[0].url)
        cases = asyncio.run(drive(nodes, setup, args))
    finally:
        for node in nodes:
            node.stop()
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{RUN}" WITH (FORCE)'))
    report = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpu": cpu_name(), "cores": os.cpu_count(), "load1": load1},
        "runs": args.runs,
        "seconds": args.seconds,
        "rate": args.rate,
        "idle": args.idle,
        "listeners": args.listeners,
        "shards": {k: shard_of(RUN, setup.rooms[k]) for k in ("a", "b")},
        "versions": project_versions(),
        "cases": cases,
    }
    write_results("shards", report, markdown(report))


if __name__ == "__main__":
    main()
