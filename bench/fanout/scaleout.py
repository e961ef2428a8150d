"""Scale-out fan-out: one Guildhall node against two nodes that share PostgreSQL
and Redis, on 127.0.0.1.

Both runs use the scaled-out configuration (PostgreSQL, the Redis bus). In the
one-node run every listener is on node A; in the two-node run the listeners of
each room alternate between node A and node B and the sender stays on node A,
so half of every room is reached through the Redis relay. Per phase:
deliveries/s, reach, and p50/p99 latency of the listeners on the sender's node
("local") and on the other node ("remote"), each the median of ``--repeat`` runs
(5; ``--quick``: 3) with min–max. The Redis hop is measured per message: for
each message, its latency at the sampled sockets on node B minus its latency at
those on node A (``bench/stats.py``, ``paired_differences``), and p50/p99 are
taken of those differences, pooled over the runs (goal: p99 under 5 ms at
moderate load), never as a difference of two p99s. Deliveries/s are compared
(two nodes ÷ one) at saturation only: at a fixed rate they follow the rate.

Nodes run pinned to core 0 (``taskset``; two nodes share it, this machine has
two cores), the load process to core 1; PostgreSQL and Redis are the machine's
own services, not pinned. Needs them at 127.0.0.1:5432 (user ``postgres``) and
127.0.0.1:6379; a fresh database is created for the run and dropped after.

Writes ``bench/results/scaleout.{json,md}``.

    python bench/fanout/scaleout.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.stats import percentile, rounded, show
from run import (
    GUILDHALL,
    GuildhallServer,
    LoadProcess,
    cells,
    cpu_name,
    find,
    log,
    median_of,
    project_versions,
    write_results,
)

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"
RUN = f"gh_bench_{os.getpid()}"
DATABASE_URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{RUN}"
MODERATE = (10, 60)  # msg/s: where the Redis hop's latency goal applies


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def scaled_env() -> dict[str, str]:
    return {
        "GUILDHALL_DATABASE_URL": DATABASE_URL,
        "GUILDHALL_REDIS_URL": REDIS,
        "GUILDHALL_REDIS_NAMESPACE": RUN,
    }


class Node(GuildhallServer):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__()

    def env(self) -> dict[str, str]:
        return {**super().env(), **scaled_env()}


def run_phases(base: dict[str, Any], ports: list[int], args: argparse.Namespace) -> list[Any]:
    load = LoadProcess(
        {
            **base,
            "listener_ports": ports,
            "mode": "fanout",
            "duration": args.duration,
            "drain": args.drain,
            "sample_every": 5,
        }
    )
    lines = load.lines()
    assert next(lines)["event"] == "ready"
    samples = []
    try:
        for round_ in range(args.repeat):
            for size, rate in args.phases:
                load.tell(f"{size} {rate}")
                data = next(lines)
                data.pop("event")
                data["round"] = round_
                shown = {k: v for k, v in data.items() if k != "hop_ms"}
                log(f"{len(ports)} node(s): {shown}")
                samples.append(data)
    finally:
        load.tell("quit")
        load.finish()
    rows = cells(samples, args.phases)
    for row in rows:
        add_hop(row)
    return rows


def add_hop(row: dict[str, Any]) -> None:
    """The Redis hop over every message of every run of the phase: percentiles of
    the per-message differences (remote − local); the list itself is dropped."""
    hop = row.pop("hop_ms", None)
    if hop:
        row["redis_hop"] = {
            "p50_ms": rounded(percentile(hop, 0.5)),
            "p99_ms": rounded(percentile(hop, 0.99)),
            "messages": len(hop),
        }


def saturation_ratios(runs: dict[str, list[Any]]) -> dict[str, float]:
    """Two nodes ÷ one node, deliveries/s (medians), saturation phases only."""
    out = {}
    for one in runs["1"]:
        if str(one["rate"]) != "sat":
            continue
        two = find(runs["2"], one["room_size"], "sat")
        a, b = median_of(one, "deliveries_per_s"), median_of(two, "deliveries_per_s")
        if a and b:
            out[f"{one['room_size']}@sat"] = round(b / a, 2)
    return out


def markdown(report: dict[str, Any]) -> str:
    repeat = report["repeat"]
    lines = [
        "# Scale-out fan-out benchmark",
        "",
        f"Run {report['started']} on {report['machine']['cpu']} ({report['machine']['cores']}"
        " cores). Guildhall nodes on PostgreSQL + Redis, pinned to core 0 (both nodes share"
        " it), load on core 1; 127.0.0.1 only. One sender on node A; in the two-node run"
        " the listeners of each room alternate between node A and node B. "
        f"{report['duration_s']} s per phase, each phase {repeat}×: deliveries/s as the median"
        " (min–max, spread %) of the runs; latency columns are the median of the runs'"
        " percentiles (their min–max is in scaleout.json)."
        + (
            f" **Quick run: {repeat} run(s) per phase, fewer than the 5 a number of record needs.**"
            if repeat < 5
            else ""
        ),
        "",
        "| nodes | room | rate (msg/s) | deliveries/s | reach | local p50 ms | local p99 ms"
        " | remote p50 ms | remote p99 ms | Redis hop p50 ms | Redis hop p99 ms | messages |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def med(row: dict[str, Any], key: str) -> Any:
        value = median_of(row, key)
        return "" if value is None else value

    for size, rate in dict.fromkeys((size, str(rate)) for size, rate in report["phases"]):
        for nodes in ("1", "2"):
            row = find(report["runs"][nodes], size, rate)
            if row is None:
                continue
            hop = row.get("redis_hop") or {}
            throughput = show(row["deliveries_per_s"], "{:,.0f}") if rate == "sat" else "–"
            lines.append(
                f"| {nodes} | {size} | {'saturation' if rate == 'sat' else rate} |"
                f" {throughput} | {med(row, 'reach')} | {med(row, 'p50_ms')} |"
                f" {med(row, 'p99_ms')} | {med(row, 'remote_p50_ms')} |"
                f" {med(row, 'remote_p99_ms')} | {hop.get('p50_ms', '')} |"
                f" {hop.get('p99_ms', '')} | {hop.get('messages', '')} |"
            )
    lines += [
        "",
        "*Local*: listeners on the sender's node (A); *remote*: listeners on node B, reached"
        " through Redis. *Redis hop*: for each message, its latency at node B's sampled"
        " sockets minus its latency at node A's (the median of each side's sampled sockets),"
        " and the p50/p99 of those per-message differences over every message of every run"
        f" (*messages*). Goal: hop p99 < 5 ms at moderate load ({' and '.join(map(str, MODERATE))}"
        " msg/s to a room of 100). Deliveries/s only at saturation: at a fixed rate they"
        " follow the offered rate. Two nodes on one shared core add no CPU: the saturation"
        " rows show what the relay costs, not how far more machines scale; and in"
        " 1000-socket rooms node B's deliveries queue behind node A's on that core.",
    ]
    if report["ratios"]:
        lines += [
            "",
            "Two nodes ÷ one node, deliveries/s at saturation (ratio of the medians):",
            "",
            "| room | ratio |",
            "| --- | ---: |",
        ]
        lines += [f"| {k.split('@')[0]} | {v} |" for k, v in report["ratios"].items()]
    lines += ["", f"Versions: `{json.dumps(report['versions'])}`", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, 3 of each")
    parser.add_argument("--phases", default="100:10,100:60,100:sat,1000:10")
    parser.add_argument(
        "--repeat", type=int, help="runs of each phase, medians reported (default 5, quick 3)"
    )
    parser.add_argument("--name", default="scaleout", help="results file name (bench/results/)")
    args = parser.parse_args()
    args.duration = 3 if args.quick else 5
    args.drain = 5 if args.quick else 10
    args.repeat = args.repeat or (3 if args.quick else 5)
    args.phases = [(int(p.split(":")[0]), p.split(":")[1]) for p in args.phases.split(",")]

    asyncio.run(_admin(f'CREATE DATABASE "{RUN}"'))
    nodes: list[Node] = []
    runs: dict[str, list[Any]] = {}
    try:
        subprocess.run(
            [str(GUILDHALL), "db", "upgrade"], env={**os.environ, **scaled_env()}, check=True
        )
        a = Node("node-a")
        nodes.append(a)
        a.start()
        base = {"host": "127.0.0.1", "port": a.port, **a.setup()}
        log("one node")
        runs["1"] = run_phases(base, [a.port], args)
        b = Node("node-b")
        nodes.append(b)
        b.start()
        log("two nodes")
        runs["2"] = run_phases(base, [a.port, b.port], args)
    finally:
        for node in nodes:
            node.stop()
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{RUN}" WITH (FORCE)'))

    report = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpu": cpu_name(), "cores": os.cpu_count()},
        "duration_s": args.duration,
        "repeat": args.repeat,
        "phases": args.phases,
        "versions": project_versions(),
        "runs": runs,
        "ratios": saturation_ratios(runs),
    }
    write_results(args.name, report, markdown(report))


if __name__ == "__main__":
    main()
