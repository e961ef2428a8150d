"""Ack round trip of one socket's events on an idle Guildhall server: ``typing``
(no database) against ``send_message`` (a stored message), sequentially, so the
difference is what storing a message costs on the request path.

    python bench/fanout/ack_latency.py [--count 300]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import socketio
from run import GuildhallServer


async def probe(server: GuildhallServer, count: int) -> dict[str, Any]:
    base = server.setup()
    client = socketio.AsyncClient()
    await client.connect(server.url, auth={"token": base["sender_token"]}, transports=["websocket"])
    room = base["idle_room"]
    await client.call("join_room", {"room": room})
    out = {}
    for event, payload in (
        ("typing", {"room": room}),
        ("send_message", {"room": room, "content": "a chat message of a usual size " * 3}),
    ):
        for _ in range(count // 10):  # warm-up
            await client.call(event, payload)
        lat = []
        for _ in range(count):
            t0 = time.perf_counter()
            await client.call(event, payload)
            lat.append((time.perf_counter() - t0) * 1000)
        lat.sort()
        out[event] = {q: round(lat[int(len(lat) * p)], 2) for q, p in (("p50", 0.5), ("p99", 0.99))}
    await client.disconnect()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    server = GuildhallServer()
    server.start()
    try:
        result = asyncio.run(probe(server, args.count))
    finally:
        server.stop()
    for event, q in result.items():
        print(f"{event:>13}: p50 {q['p50']} ms, p99 {q['p99']} ms")


if __name__ == "__main__":
    main()
