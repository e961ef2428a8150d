"""The ceiling of the fan-out benchmark: the least a server can do per delivery
in Python, to measure the others against (issue 14: Guildhall ≥ 0.8× of it).

One asyncio Protocol on uvloop, no framework and no WebSocket library: the HTTP
upgrade and the WebSocket framing are written here, and it speaks only as much
Engine.IO v4 / Socket.IO v5 as the benchmark's clients use (``lean.py``, and the
stock python-socketio clients of the verification, websocket transport only):

* the Engine.IO open packet (``sid``, ``pingInterval``, ``pingTimeout``), and a
  ping to every socket each ``pingInterval`` (one frame, written to each);
* the Socket.IO namespace connect (``/`` only, any ``auth`` accepted) and
  disconnect;
* ``join_room {room}`` → ack ``{ok: true, room}``;
* ``send_message {room, content}`` → ``new_message`` (the fields of Guildhall's
  message object, as ``bare_server.py`` sends) to everyone in the room, then the
  ack ``{ok: true, message}``. The event is encoded once and framed once, and the
  same bytes are written to each recipient's transport: no task, queue or copy
  per recipient.

Left out, so the ceiling is the hot path alone: HTTP long-polling (the start
probe's ``GET ...&transport=polling`` gets an open packet and the connection is
closed), the upgrade, binary packets, namespaces other than ``/``, pong
timeouts, per-message deflate, write-buffer limits (a slow reader's backlog
grows without bound), fragmented frames, authentication, storage.

    python ceiling_server.py PORT
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from bare_server import message_like

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
PING_INTERVAL_MS, PING_TIMEOUT_MS = 25000, 20000
MAX_HEADER = 16384

ids = itertools.count(1)
rooms: dict[str, dict[Connection, None]] = {}  # insertion-ordered sets
connections: dict[Connection, None] = {}


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def frame(payload: bytes, opcode: int = 1) -> bytes:
    """One unmasked, final server frame."""
    n = len(payload)
    if n < 126:
        return bytes((0x80 | opcode, n)) + payload
    if n < 65536:
        return bytes((0x80 | opcode, 126)) + n.to_bytes(2, "big") + payload
    return bytes((0x80 | opcode, 127)) + n.to_bytes(8, "big") + payload


def open_packet() -> bytes:
    sid = base64.urlsafe_b64encode(os.urandom(12)).decode()
    body = {
        "sid": sid,
        "upgrades": [],
        "pingInterval": PING_INTERVAL_MS,
        "pingTimeout": PING_TIMEOUT_MS,
        "maxPayload": 1000000,
    }
    return b"0" + dumps(body).encode()


class Connection(asyncio.Protocol):
    __slots__ = ("buf", "rooms", "transport", "upgraded")

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.upgraded = False
        self.rooms: list[str] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        connections.pop(self, None)
        for name in self.rooms:
            members = rooms.get(name)
            if members is not None:
                members.pop(self, None)
                if not members:
                    del rooms[name]
        self.rooms.clear()

    # -- HTTP ------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEADER:
                    self.transport.close()  # type: ignore[union-attr]
                return
            head = bytes(buf[:end]).decode("latin-1")
            del buf[: end + 4]
            self.handshake(head)
            if not self.upgraded:
                return
        self.frames()

    def handshake(self, head: str) -> None:
        transport = self.transport
        assert transport is not None
        request, *lines = head.split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        key = headers.get("sec-websocket-key")
        if "transport=websocket" in request and key:
            accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
            transport.write(
                (
                    "HTTP/1.1 101 Switching Protocols\r\n"
                    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
                ).encode()
                + frame(open_packet())
            )
            self.upgraded = True
            connections[self] = None
            return
        if "transport=polling" in request:  # the runner's start probe, nothing more
            status, body = "200 OK", open_packet()
        else:
            status, body = "400 Bad Request", b"websocket only"
        transport.write(
            (
                f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode()
            + body
        )
        transport.close()

    # -- WebSocket ---------------------------------------------------------------

    def frames(self) -> None:
        buf = self.buf
        pos, n = 0, len(buf)
        while n - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            length = b1 & 0x7F
            head = 2
            if length == 126:
                if n - pos < 4:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
                head = 4
            elif length == 127:
                if n - pos < 10:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                head = 10
            masked = b1 & 0x80
            if masked:
                head += 4
            if n - pos < head + length:
                break
            payload = bytes(buf[pos + head : pos + head + length])
            if masked and length:
                key = (bytes(buf[pos + head - 4 : pos + head]) * (length // 4 + 1))[:length]
                payload = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(
                    length, "big"
                )
            pos += head + length
            opcode = b0 & 0x0F
            if opcode == 1:
                self.on_packet(payload)
            elif opcode == 9:  # ping
                self.transport.write(frame(payload, 0xA))  # type: ignore[union-attr]
            elif opcode == 8:  # close: answer it, then go
                self.transport.write(frame(payload[:2], 8))  # type: ignore[union-attr]
                self.transport.close()  # type: ignore[union-attr]
                break
            if self.transport.is_closing():  # type: ignore[union-attr]
                break
        if pos:
            del buf[:pos]

    def send(self, packet: str) -> None:
        self.transport.write(frame(packet.encode()))  # type: ignore[union-attr]

    # -- Engine.IO / Socket.IO -----------------------------------------------------

    def on_packet(self, p: bytes) -> None:
        if p.startswith(b"42"):
            i = 2
            while p[i : i + 1].isdigit():
                i += 1
            ack = p[2:i].decode()
            event, *args = json.loads(p[i:])
            answer = self.on_event(event, args[0] if args else None)
            if ack:
                self.send(f"43{ack}{dumps([answer])}")
        elif p == b"3":  # pong: nobody times out here
            pass
        elif p.startswith(b"40"):
            sid = base64.urlsafe_b64encode(os.urandom(12)).decode()
            self.send("40" + dumps({"sid": sid}))
        elif p.startswith(b"41"):
            self.connection_lost(None)
        elif p == b"1":  # Engine.IO close
            self.transport.close()  # type: ignore[union-attr]

    def on_event(self, event: str, data: Any) -> dict[str, Any]:
        if event == "send_message":
            room = data["room"]
            message = message_like(next(ids), room, data["content"])
            broadcast(room, "42" + dumps(["new_message", message]))
            return {"ok": True, "message": message}
        if event == "join_room":
            room = data["room"]
            members = rooms.setdefault(room, {})
            if self not in members:
                members[self] = None
                self.rooms.append(room)
            return {"ok": True, "room": room}
        return {"ok": False, "error": "unknown event"}


def broadcast(room: str, packet: str) -> None:
    """Encode once, frame once, the same bytes to every recipient."""
    members = rooms.get(room)
    if not members:
        return
    data = frame(packet.encode())
    for conn in members:
        conn.transport.write(data)  # type: ignore[union-attr]


def ping_all(loop: asyncio.AbstractEventLoop) -> None:
    data = frame(b"2")
    for conn in list(connections):
        if not conn.transport.is_closing():  # type: ignore[union-attr]
            conn.transport.write(data)  # type: ignore[union-attr]
    loop.call_later(PING_INTERVAL_MS / 1000, ping_all, loop)


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Connection, "127.0.0.1", port, backlog=4096)
    loop.call_later(PING_INTERVAL_MS / 1000, ping_all, loop)
    print(f"ceiling server on 127.0.0.1:{port}, {datetime.now(UTC):%H:%M:%S}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    import uvloop

    uvloop.run(serve(int(sys.argv[1])))
