"""Idle memory and connect time of Guildhall's sockets (issue 14's goals:
≤ 20 KiB per authenticated socket at 10,000 sockets; 5,000 sockets connect and
join in under 10 s).

Each run starts a fresh ``guildhall serve`` (pinned to core 0, as
``run.py``; the lean load client on core 1), warms it up with ``--warmup`` (500) sockets, then:

1. connects ``--sockets`` signed-in sockets that each join one channel room;
   RSS growth ÷ sockets, 3 s after the last join (after the warm-up's RSS);
2. closes them and times ``--connect`` more sockets connecting and joining.

Every variant runs ``--runs`` times, interleaved (A B A B ...), so that the
machine's other load falls on all of them alike; medians with min–max.
``--variants`` names server environments: ``direct`` (the default transport)
and ``queued`` (``GUILDHALL_SOCKET_DIRECT_WRITE=false``: uvicorn's stock
WebSocket protocol with per-message deflate, python-engineio's writer task).
``--trace`` runs one extra direct server with an object census (traced.py)
and writes the types that connected sockets add, per socket.

Writes ``bench/results/memory.json`` and ``bench/results/memory.md``.

    python bench/fanout/memory.py [--runs 5] [--sockets 10000] [--connect 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.stats import spread
from run import (
    HERE,
    PROJECT_PY,
    RESULTS,
    GuildhallServer,
    LoadProcess,
    cpu_name,
    log,
    project_versions,
    rss_kib,
    write_results,
)

VARIANTS = {"direct": "true", "queued": "false"}


class Variant(GuildhallServer):
    start_timeout = 300.0  # a fresh server per run, on a shared machine

    def __init__(self, direct: str, trace: Path | None = None) -> None:
        self.direct = direct
        self.trace = trace
        super().__init__()

    def command(self) -> list[str]:
        if self.trace is None:
            return super().command()
        serve = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        return [str(PROJECT_PY), str(HERE / "traced.py"), str(self.trace), *serve]

    def env(self) -> dict[str, str]:
        env = super().env()
        env["GUILDHALL_SOCKET_DIRECT_WRITE"] = self.direct
        if self.trace is not None:  # tracing slows sign-in many times over
            env["GUILDHALL_SOCKET_AUTH_TIMEOUT"] = "600"
        return env


def connect(base: dict[str, Any], n: int, during: Any = None) -> tuple[float, Any]:
    """Connect ``n`` sockets into the idle room; ``during()`` runs while they are up."""
    load = LoadProcess({**base, "mode": "idle", "sockets": n})
    lines = load.lines()
    info = next(lines)
    assert info["event"] == "connected" and info["sockets"] == n, info
    value = during() if during else None
    load.tell("close")
    for data in lines:
        if data["event"] == "closed":
            break
    load.finish()
    time.sleep(2)
    return info["seconds"], value


def one_run(variant: str, args: argparse.Namespace) -> dict[str, Any]:
    server = Variant(VARIANTS[variant])
    try:
        server.start()
        base = {"host": "127.0.0.1", "port": server.port, **server.setup()}
        assert server.proc is not None
        pid = server.proc.pid
        connect(base, args.warmup)  # first-use allocations are not per-socket costs
        before = rss_kib(pid)

        def settled_rss() -> int:
            time.sleep(3)  # connect-time work (presence, history) settles
            return rss_kib(pid)

        big_s, during = connect(base, args.sockets, settled_rss)
        connect_s, _ = connect(base, args.connect)
        return {
            "rss_before_kib": before,
            "rss_with_sockets_kib": during,
            "kib_per_socket": round((during - before) / args.sockets, 2),
            "connect_s_at_sockets": round(big_s, 2),
            "connect_s": round(connect_s, 2),
        }
    finally:
        server.stop()


def traced(args: argparse.Namespace) -> list[dict[str, Any]]:
    """What connected sockets hold, per socket: an object census (traced.py)
    before and while ``--trace-sockets`` sockets are connected."""
    out = RESULTS / "tmp" / "memory.census"
    out.parent.mkdir(parents=True, exist_ok=True)
    server = Variant("true", trace=out)
    try:
        server.start()
        base = {"host": "127.0.0.1", "port": server.port, **server.setup()}
        assert server.proc is not None
        connect(base, args.warmup)

        def snap(n: int) -> dict[str, list[int]]:
            path = Path(f"{out}.{n}")
            server.proc.send_signal(signal.SIGUSR1)  # type: ignore[union-attr]
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    return json.loads(path.read_text())
                except (OSError, ValueError):  # not written yet
                    time.sleep(0.5)
            raise RuntimeError("no census")

        first = snap(0)
        n = args.trace_sockets
        _, second = connect(base, n, lambda: (time.sleep(3), snap(1))[1])
    finally:
        server.stop()
    rows = []
    for name, (count, size) in second.items():
        c0, s0 = first.get(name, (0, 0))
        if size - s0 > 0:
            rows.append(
                {
                    "type": name,
                    "objects_per_socket": round((count - c0) / n, 2),
                    "bytes_per_socket": round((size - s0) / n, 1),
                }
            )
    rows.sort(key=lambda r: -r["bytes_per_socket"])
    total = round(sum(r["bytes_per_socket"] for r in rows), 1)
    return [
        {"type": "(all, shallow)", "objects_per_socket": None, "bytes_per_socket": total},
        *rows[:30],
    ]


def markdown(report: dict[str, Any]) -> str:
    s = report["summary"]
    lines = [
        "# Idle memory and connect time (bench/fanout/memory.py)",
        "",
        f"Started {report['started']} on {report['machine']['cpu']} "
        f"({report['machine']['cores']} cores), {report['note']}",
        f"{report['runs']} runs per variant, interleaved, a fresh server each; "
        "median (min–max). Server on core 0, load on core 1.",
        "",
        f"| variant | KiB per socket at {report['sockets']} sockets | "
        f"{report['sockets']} connect+join s | {report['connect']} connect+join s |",
        "|---|---|---|---|",
    ]
    for name, v in s.items():
        k, b, c = v["kib_per_socket"], v["connect_s_at_sockets"], v["connect_s"]
        lines.append(
            f"| {name} | {k['median']} ({k['min']}–{k['max']}) | "
            f"{b['median']} ({b['min']}–{b['max']}) | {c['median']} ({c['min']}–{c['max']}) |"
        )
    if report.get("trace"):
        lines += [
            "",
            f"object census, {report['trace_sockets']} sockets, per socket (shallow sizes):",
            "",
        ]
        for row in report["trace"][:20]:
            lines.append(
                f"- {row['bytes_per_socket']} B, {row['objects_per_socket']} objects: {row['type']}"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sockets", type=int, default=10000)
    parser.add_argument("--connect", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=500, help="sockets, before measuring")
    parser.add_argument("--variants", default="direct,queued")
    parser.add_argument("--trace", action="store_true", help="one extra object-census run")
    parser.add_argument("--trace-sockets", type=int, default=2000)
    parser.add_argument("--name", default="memory", help="results file name")
    parser.add_argument("--note", default="machine shared with other engineers (busy).")
    args = parser.parse_args()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    for i in range(args.runs):
        for v in variants:
            log(f"memory: {v} run {i + 1}/{args.runs}")
            runs[v].append(one_run(v, args))
            log(f"memory: {v} {runs[v][-1]}")
    summary = {
        v: {
            k: spread([r[k] for r in rs])
            for k in ("kib_per_socket", "connect_s_at_sockets", "connect_s")
        }
        for v, rs in runs.items()
        if rs
    }
    report: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpu": cpu_name(), "cores": os.cpu_count(), "load1": os.getloadavg()[0]},
        "note": args.note,
        "versions": project_versions(),
        "runs": args.runs,
        "sockets": args.sockets,
        "connect": args.connect,
        "summary": summary,
        "raw": runs,
    }
    if args.trace:
        report["trace_sockets"] = args.trace_sockets
        report["trace"] = traced(args)
    write_results(args.name, report, markdown(report))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
