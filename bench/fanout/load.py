"""The load process of the fan-out benchmark (run pinned to its own core).

``python load.py config.json`` reads what to do from the config, prints one JSON
line per result on stdout. Modes:

* ``fanout``: one sender socket, rooms of each size full of lean listener
  sockets; then, per line on stdin, one phase at a rate (messages/s, or
  ``sat``: as fast as the room keeps up with a window of unfinished messages)
  for ``duration`` seconds plus a drain: deliveries/s, reach (received /
  expected), p50/p99 latency.
* ``verify``: the same at a low rate, with stock python-socketio clients in the
  room beside the lean ones: both must see every message with similar latency.
* ``idle``: connect ``sockets`` listeners into one room, say so, wait for a line
  on stdin, close them (the runner measures the server's RSS meanwhile).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from lean import LeanSocket, Stats, open_socket

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.stats import median, paired_differences, percentile, rounded

PAD = "The quick brown fox jumps over the lazy dog; a chat message of a usual size."
SAT_WINDOW = 8
SAT_STALE_S = 5.0
# How often the saturation loop tops the window up. Not below 1 ms: uvloop's timers
# have millisecond resolution, and a shorter sleep returns at once, so the loop
# spun (about 290,000 turns a second) and the load process showed a whole core
# busy whatever it received, which hid whether it or the server set the pace.
SAT_POLL_S = 0.001


def out(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Load:
    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = cfg
        self.host, self.port = cfg["host"], cfg["port"]
        self.stats = Stats()
        # Scale-out runs spread listeners over several nodes (round robin); those
        # not on the sender's node keep their latencies apart, as "remote".
        self.listener_ports: list[int] = cfg.get("listener_ports") or [self.port]
        self.remote = Stats()
        self.remote.per_seq, self.remote.errors = self.stats.per_seq, self.stats.errors
        self.seq = 0
        self.tokens: list[str] = cfg.get("listener_tokens") or [""]
        self.unanswered: list[asyncio.Future[Any]] = []

    def server_cpu_s(self) -> float | None:
        """CPU seconds the server process has used (user + system), when the runner
        says which process it is."""
        pid = self.cfg.get("server_pid")
        if not pid:
            return None
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def auth(self, i: int) -> Any:
        token = self.tokens[i % len(self.tokens)]
        return {"token": token} if token else None

    async def listeners(self, room: str, n: int, sample_every: int) -> list[LeanSocket]:
        gate = asyncio.Semaphore(100)

        async def one(i: int) -> LeanSocket:
            async with gate:
                sample = i % sample_every == 0
                port = self.listener_ports[i % len(self.listener_ports)]
                stats = self.stats if port == self.port else self.remote
                sock = await open_socket(self.host, port, stats, sample=sample, auth=self.auth(i))
                ack = await asyncio.wait_for(sock.emit("join_room", {"room": room}, ack=True), 30)
                if not (isinstance(ack, dict) and ack.get("ok")):
                    raise RuntimeError(f"join_room refused: {ack}")
                return sock

        return list(await asyncio.gather(*(one(i) for i in range(n))))

    def send(self, sender: LeanSocket, room: str) -> tuple[int, asyncio.Future[Any]]:
        self.seq += 1
        content = f"s={self.seq};t={time.perf_counter_ns()};{PAD}"
        fut = sender.emit("send_message", {"room": room, "content": content}, ack=True)
        assert fut is not None
        self.unanswered.append(fut)
        return self.seq, fut

    async def phase(self, sender: LeanSocket, room: str, n: int, rate: Any) -> dict[str, Any]:
        duration, drain = self.cfg["duration"], self.cfg["drain"]
        per_seq = self.stats.per_seq
        first = self.seq + 1
        acks: list[asyncio.Future[Any]] = []
        sent_at: dict[int, float] = {}
        t0 = time.perf_counter()
        cpu0, server0 = time.process_time(), self.server_cpu_s()
        if rate == "sat":
            # A window of unfinished messages (not yet at every socket): the server
            # always has work, and nothing piles up in its queues.
            pending: list[int] = []
            while time.perf_counter() - t0 < duration:
                now = time.perf_counter()
                pending = [s for s in pending if per_seq[s] < n and now - sent_at[s] < SAT_STALE_S]
                while len(pending) < SAT_WINDOW:
                    seq, fut = self.send(sender, room)
                    sent_at[seq] = time.perf_counter()
                    acks.append(fut)
                    pending.append(seq)
                await asyncio.sleep(SAT_POLL_S)
        else:
            total = int(rate * duration)
            for i in range(total):
                delay = t0 + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                seq, fut = self.send(sender, room)
                sent_at[seq] = time.perf_counter()
                acks.append(fut)
        send_s = time.perf_counter() - t0
        last = self.seq
        deadline = time.perf_counter() + drain
        while time.perf_counter() < deadline:
            if all(per_seq[s] >= n for s in range(first, last + 1)):
                break
            await asyncio.sleep(0.01)
        # The last delivery's time is when the slowest message completed (or the drain ended).
        done_s = time.perf_counter() - t0
        load_cpu = (time.process_time() - cpu0) / done_s
        server1 = self.server_cpu_s()
        sent = last - first + 1
        received = sum(per_seq[s] for s in range(first, last + 1))
        local = [(s, ns / 1e6) for s, ns in self.stats.latencies if first <= s <= last]
        lat = [ms for _, ms in local]
        remote = [(s, ns / 1e6) for s, ns in self.remote.latencies if first <= s <= last]
        ok = sum(
            1
            for f in acks
            if f.done() and not f.exception() and isinstance(f.result(), dict) and f.result()["ok"]
        )
        result = {
            "room_size": n,
            "rate": rate,
            "sent": sent,
            "send_rate": round(sent / send_s, 1),
            "acks_ok": ok,
            "expected": sent * n,
            "received": received,
            "reach": round(received / (sent * n), 4) if sent else None,
            "deliveries_per_s": round(received / done_s),
            "p50_ms": rounded(percentile(lat, 0.5)),
            "p99_ms": rounded(percentile(lat, 0.99)),
            "latency_samples": len(lat),
            "duration_s": round(done_s, 2),
            # Share of a core each side used: a load near 1.0 with a server below it
            # means the load, not the server, set the pace.
            "load_cpu": round(load_cpu, 2),
            "server_cpu": None if server0 is None else round((server1 - server0) / done_s, 2),
            # What a delivery costs the server, whoever set the pace.
            "server_us_per_delivery": (
                round((server1 - server0) / received * 1e6, 2)
                if server0 is not None and received
                else None
            ),
        }
        if remote:
            # The same message at a socket on the sender's node and at one on
            # another node: the hop is the per-message difference (remote - local).
            hop = paired_differences(local, remote)
            remote_ms = [ms for _, ms in remote]
            result.update(
                {
                    "remote_p50_ms": rounded(percentile(remote_ms, 0.5)),
                    "remote_p99_ms": rounded(percentile(remote_ms, 0.99)),
                    "remote_latency_samples": len(remote_ms),
                    "hop_p50_ms": rounded(percentile(hop, 0.5)),
                    "hop_p99_ms": rounded(percentile(hop, 0.99)),
                    "hop_messages": len(hop),
                    # Every message's difference, for the runner to pool over runs.
                    "hop_ms": [round(d, 3) for d in hop],
                }
            )
        return result

    async def quiet(self, still_s: float = 1.0, limit_s: float = 120.0) -> None:
        """Wait until no delivery arrives for ``still_s``: an overloaded phase's
        backlog must not be counted against the next one."""
        deadline = time.perf_counter() + limit_s
        # Sends the server has not answered yet are work still to come.
        while self.unanswered and time.perf_counter() < deadline:
            self.unanswered = [f for f in self.unanswered if not f.done()]
            await asyncio.sleep(0.05)
        last = -1
        while time.perf_counter() < deadline:
            total = self.stats.per_seq.total()
            if total == last:
                return
            last = total
            await asyncio.sleep(still_s)

    async def fanout(self) -> None:
        """Connect and join, say ``ready``, then run the phases the runner asks for
        on stdin (``<room size> <rate>``, or ``quit``), so that the runner can
        interleave the servers phase by phase."""
        sender = await open_socket(
            self.host, self.port, self.stats, auth={"token": self.cfg["sender_token"]}
        )
        rooms = self.cfg["rooms"]  # {"100": "g:1:c:1", ...}
        sockets: dict[int, list[LeanSocket]] = {}
        for size, room in rooms.items():
            sockets[int(size)] = await self.listeners(room, int(size), self.cfg["sample_every"])
        await asyncio.sleep(1)  # let presence and history traffic of the joins pass
        out({"event": "ready"})
        loop = asyncio.get_running_loop()
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
            if not line or line[0] == "quit":
                break
            size, rate = int(line[0]), line[1]
            await self.quiet()
            # An overloaded server may have dropped sockets (its keepalive timed out
            # behind the backlog): every phase starts with full rooms, and says so.
            reconnects = 0
            if sender.closed.done():
                sender = await open_socket(
                    self.host, self.port, self.stats, auth={"token": self.cfg["sender_token"]}
                )
                reconnects += 1
            group = sockets[size]
            dropped = [i for i, sock in enumerate(group) if sock.closed.done()]
            if dropped:
                fresh = await self.listeners(rooms[str(size)], len(dropped), 10**9)
                for i, sock in zip(dropped, fresh, strict=True):
                    group[i] = sock
                reconnects += len(dropped)
            result = await self.phase(
                sender, rooms[str(size)], size, rate if rate == "sat" else int(rate)
            )
            out({"event": "result", **result, "reconnected_sockets": reconnects})
        for group in sockets.values():
            for sock in group:
                sock.close()
        sender.close()

    async def verify(self) -> None:
        """Lean listeners and stock python-socketio clients in one room, at a low rate."""
        import socketio

        room, n_lean, n_stock = self.cfg["verify_room"], 50, 5
        sender = await open_socket(
            self.host, self.port, self.stats, auth={"token": self.cfg["sender_token"]}
        )
        lean = await self.listeners(room, n_lean, 1)
        stock_lat: list[tuple[int, float]] = []
        clients = []
        for i in range(n_stock):
            client = socketio.AsyncClient(reconnection=False)

            def on_message(data: Any) -> None:
                content = data["content"]
                seq = int(content[2 : content.index(";")])
                t = int(content.split(";")[1][2:])
                stock_lat.append((seq, (time.perf_counter_ns() - t) / 1e6))

            client.on("new_message", on_message)
            await client.connect(
                f"http://{self.host}:{self.port}",
                auth=self.auth(i),
                transports=["websocket"],
                wait_timeout=10,
            )
            ack = await client.call("join_room", {"room": room}, timeout=10)
            assert ack["ok"], ack
            clients.append(client)
        first = self.seq + 1
        rate, seconds = 10, 3
        for _ in range(rate * seconds):
            self.send(sender, room)
            await asyncio.sleep(1 / rate)
        await asyncio.sleep(1.0)
        last = self.seq
        sent = last - first + 1
        lean_rx = sum(self.stats.per_seq[s] for s in range(first, last + 1))
        lean_lat = [ns / 1e6 for s, ns in self.stats.latencies if first <= s <= last]
        stock_rx = len([1 for s, _ in stock_lat if first <= s <= last])
        out(
            {
                "event": "verify",
                "sent": sent,
                "lean_reach": round(lean_rx / (sent * n_lean), 4),
                "stock_reach": round(stock_rx / (sent * n_stock), 4),
                "lean_p50_ms": rounded(median(lean_lat)),
                "stock_p50_ms": rounded(median([v for _, v in stock_lat])),
            }
        )
        for c in clients:
            await c.disconnect()
        for s in lean:
            s.close()
        sender.close()

    async def idle(self) -> None:
        n, room = self.cfg["sockets"], self.cfg["idle_room"]
        t0 = time.perf_counter()
        socks = await self.listeners(room, n, 10**9)
        out({"event": "connected", "sockets": len(socks), "seconds": time.perf_counter() - t0})
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        for s in socks:
            s.close()
        await asyncio.sleep(0.5)
        out({"event": "closed"})


async def main(cfg: dict[str, Any]) -> None:
    load = Load(cfg)
    try:
        await getattr(load, cfg["mode"])()
    except Exception as exc:  # report, so the runner can show what broke
        out({"event": "error", "error": f"{type(exc).__name__}: {exc}"})
        raise
    if load.stats.errors:
        out({"event": "socket_errors", "errors": load.stats.errors[:5]})


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        config = json.load(f)
    try:
        import uvloop

        uvloop.run(main(config))
    except ImportError:
        asyncio.run(main(config))
