"""A lean Socket.IO v5 / Engine.IO v4 client over a raw WebSocket (an asyncio
Protocol, no per-frame coroutine), so one core can receive what a server sends
to thousands of sockets.

It speaks just enough of the protocol for the benchmark: the WebSocket upgrade,
Engine.IO open and ping/pong, the Socket.IO namespace connect with ``auth``,
events with acks, and counting the ``new_message`` events it receives. The
benchmark's message content starts with ``s=<seq>;t=<perf_counter_ns>;``; every
socket counts per ``seq``, sampled sockets also record latency.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections import Counter
from typing import Any

NEW_MESSAGE = b'42["new_message"'
CONTENT = b'"content":"s='


class Stats:
    """Shared by every socket of a load process."""

    def __init__(self) -> None:
        self.per_seq: Counter[int] = Counter()
        self.latencies: list[tuple[int, int]] = []  # (seq, ns)
        self.other_events = 0
        self.errors: list[str] = []


class LeanSocket(asyncio.Protocol):
    def __init__(self, host: str, port: int, stats: Stats, sample: bool) -> None:
        self.host = host
        self.port = port
        self.stats = stats
        self.sample = sample
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.upgraded = False
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.connected: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.acks: dict[int, asyncio.Future[Any]] = {}
        self.next_ack = 0

    # -- transport -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: {self.host}:{self.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        transport.write(request.encode())  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        for fut in (self.opened, self.connected):
            if not fut.done():
                fut.set_exception(ConnectionError("closed before connecting"))
                fut.exception()  # retrieved: nobody may be waiting any more
        if not self.closed.done():
            self.closed.set_result(None)
        for fut in self.acks.values():  # never to be answered now
            if not fut.done():
                fut.set_exception(ConnectionError("closed"))
                fut.exception()
        self.acks.clear()

    def data_received(self, data: bytes) -> None:
        # Frames are parsed from ``data`` itself when nothing is left over from the
        # last read (the usual case): no copy into and out of the buffer, and a
        # new_message is counted in place, without slicing out its payload.
        if self.buf or not self.upgraded:
            buf = self.buf
            buf += data
            if not self.upgraded:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                if b" 101 " not in buf[: buf.find(b"\r\n")]:
                    self.stats.errors.append(bytes(buf[:200]).decode(errors="replace"))
                    self.transport.close()  # type: ignore[union-attr]
                    return
                del buf[: end + 4]
                self.upgraded = True
            data = bytes(buf)
            buf.clear()
        pos, n = 0, len(data)
        while n - pos >= 2:
            b0 = data[pos]
            length = data[pos + 1] & 0x7F
            start = pos + 2
            if length == 126:
                if n - pos < 4:
                    break
                length = int.from_bytes(data[pos + 2 : pos + 4], "big")
                start = pos + 4
            elif length == 127:
                if n - pos < 10:
                    break
                length = int.from_bytes(data[pos + 2 : pos + 10], "big")
                start = pos + 10
            end = start + length
            if n < end:
                break
            pos = end
            opcode = b0 & 0x0F
            if opcode == 1:
                if data.startswith(NEW_MESSAGE, start):
                    self.count(data, start, end)
                else:
                    self.on_text(data[start:end])
            elif opcode == 9:
                self.send_frame(data[start:end], 0xA)
            elif opcode == 8:
                self.transport.close()  # type: ignore[union-attr]
        if pos < n:
            self.buf += memoryview(data)[pos:]

    def count(self, p: bytes, start: int, end: int) -> None:
        """Count the ``new_message`` in ``p[start:end]`` by its ``seq``; sampled
        sockets also record its latency."""
        i = p.find(CONTENT, start, end)
        if i < 0:
            return
        i += len(CONTENT)
        j = p.index(b";", i, end)
        seq = int(p[i:j])
        self.stats.per_seq[seq] += 1
        if self.sample:
            k = j + 3  # ';t='
            sent = int(p[k : p.index(b";", k, end)])
            self.stats.latencies.append((seq, time.perf_counter_ns() - sent))

    def send_frame(self, data: bytes, opcode: int = 1) -> None:
        n = len(data)
        if n < 126:
            head = bytes((0x80 | opcode, 0x80 | n))
        elif n < 65536:
            head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
        else:
            head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
        mask = os.urandom(4)
        if n:
            key = (mask * (n // 4 + 1))[:n]
            data = (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")
        self.transport.write(head + mask + data)  # type: ignore[union-attr]

    def send_text(self, text: str) -> None:
        self.send_frame(text.encode())

    # -- engine.io / socket.io -------------------------------------------------

    def on_text(self, p: bytes) -> None:
        if p.startswith(NEW_MESSAGE):
            self.count(p, 0, len(p))
            return
        if p == b"2":
            self.send_text("3")
        elif p.startswith(b"42"):
            self.stats.other_events += 1
        elif p.startswith(b"43"):
            i = 2
            while p[i : i + 1].isdigit():
                i += 1
            fut = self.acks.pop(int(p[2:i]), None)
            if fut is not None and not fut.done():
                fut.set_result(json.loads(p[i:])[0] if i < len(p) else None)
        elif p.startswith(b"0{"):
            self.opened.set_result(None)
        elif p.startswith(b"40"):
            if not self.connected.done():
                self.connected.set_result(json.loads(p[2:]).get("sid", ""))
        elif p.startswith(b"44"):
            if not self.connected.done():
                self.connected.set_exception(ConnectionError(p.decode(errors="replace")))

    def emit(self, event: str, data: Any, ack: bool = False) -> asyncio.Future[Any] | None:
        body = json.dumps([event, data], separators=(",", ":"))
        if not ack:
            self.send_text("42" + body)
            return None
        self.next_ack += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.acks[self.next_ack] = fut
        self.send_text(f"42{self.next_ack}{body}")
        return fut

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.send_frame(b"\x03\xe8", 8)
            self.transport.close()


CONNECT_TIMEOUT_S = 30


async def open_socket(
    host: str, port: int, stats: Stats, sample: bool = False, auth: Any = None
) -> LeanSocket:
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(CONNECT_TIMEOUT_S):
        _, sock = await loop.create_connection(
            lambda: LeanSocket(host, port, stats, sample), host, port
        )
        await sock.opened
        sock.send_text("40" + (json.dumps(auth, separators=(",", ":")) if auth else ""))
        await sock.connected
    return sock
