"""The fan-out benchmark's ceiling server (``bench/fanout/ceiling_server.py``)
talks to the lean load client: the start probe, the handshake, ``join_room``,
and one ``new_message`` delivered to every socket in the room, acked."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from bench.fanout.lean import Stats, open_socket

pytestmark = pytest.mark.one_engine

FANOUT = Path(__file__).resolve().parents[2] / "bench" / "fanout"


@pytest.fixture
def port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "ceiling_server.py", str(free)], cwd=FANOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                r = requests.get(f"http://127.0.0.1:{free}/socket.io/?EIO=4&transport=polling")
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert r.status_code == 200 and r.text.startswith('0{"sid":')  # the runner's probe
        yield free
    finally:
        proc.terminate()
        proc.wait(10)


async def test_ceiling_server_delivers_to_every_lean_socket(port: int) -> None:
    stats = Stats()
    listeners = [await open_socket("127.0.0.1", port, stats, sample=True) for _ in range(2)]
    for sock in listeners:
        ack = await sock.emit("join_room", {"room": "r"}, ack=True)
        assert ack == {"ok": True, "room": "r"}
    sender = await open_socket("127.0.0.1", port, stats, auth={"token": "any"})
    content = f"s=1;t={time.perf_counter_ns()};hello"
    ack = await asyncio.wait_for(
        sender.emit("send_message", {"room": "r", "content": content}, ack=True), 5
    )
    assert ack["ok"] and ack["message"]["content"] == content
    for _ in range(500):  # written before the ack, but on other sockets: up to 5 s
        if stats.per_seq[1] >= 2:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    assert stats.per_seq == {1: 2}  # the sender is not in the room
    assert len(stats.latencies) == 2 and not stats.errors
    for sock in [*listeners, sender]:
        sock.close()
