"""The Engine.IO WebSocket path of our own (realtime/engine.py) at the real server.

A WebSocket from the start is served by an ``EngineSocket``: no task, queue or
ASGI layer stays behind per socket. What is checked here is what that path does
itself (the rest of tests/realtime runs through it too: the ``connect`` fixture's
clients open WebSockets from the start): the handshake's OPEN packet, frames
that arrive together with the handshake, the packets it answers on its own, the
frames it refuses, and that an idle socket holds no task.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import struct
from collections import Counter
from typing import Any

import orjson
import pytest
import websockets

from guildhall.realtime.engine import EngineSocket
from guildhall.realtime.sio import MAX_PACKET_BYTES
from tests.realtime.conftest import WAIT, realtime
from tests.realtime.test_hostile import raw_socket, recv_until
from tests.realtime.test_wire import until

pytestmark = pytest.mark.one_engine  # the transport, not the database


def ws_url(server: str) -> str:
    return server.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"


def client_frame(text: str) -> bytes:
    """A masked text frame, as a client must send it (RFC 6455 5.3)."""
    data = text.encode()
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    assert len(data) < 126
    return struct.pack("!BB", 0x81, 0x80 | len(data)) + mask + masked


async def read_frame(reader: asyncio.StreamReader) -> str:
    """One unmasked server text frame."""
    head = await reader.readexactly(2)
    n = head[1] & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", await reader.readexactly(2))
    elif n == 127:
        (n,) = struct.unpack("!Q", await reader.readexactly(8))
    assert head[0] == 0x81, head
    return (await reader.readexactly(n)).decode()


def engine_tasks() -> list[str]:
    """Tasks whose coroutine lives in the transport stack (not the test's clients)."""
    names = []
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        path = code.co_filename if code else ""
        if any(part in path for part in ("/engineio/", "/socketio/", "/uvicorn/", "/realtime/")):
            names.append(f"{code.co_qualname} ({path.rsplit('/', 2)[-2]})")
    return names


class TestHandshake:
    async def test_open_packet_and_the_socket_that_serves_it(self, rt, world, server):
        eio = realtime(rt).sio.eio
        async with websockets.connect(ws_url(server)) as ws:
            opened = await ws.recv()
            assert opened[0] == "0"
            info = orjson.loads(opened[1:])
            assert info["upgrades"] == []  # already a WebSocket
            assert info["maxPayload"] == MAX_PACKET_BYTES
            assert info["pingTimeout"] == int(eio.ping_timeout * 1000)
            assert (
                info["pingInterval"]
                == int(eio.ping_interval + eio.ping_interval_grace_period) * 1000
            )
            sock = eio.sockets[info["sid"]]
            assert type(sock) is EngineSocket
            await ws.send("40" + orjson.dumps({"token": world.token(world.alice)}).decode())
            assert (await ws.recv()).startswith("40")
            assert (
                realtime(rt).sio.transport(
                    realtime(rt).sio.manager.sid_from_eio_sid(info["sid"], "/"), "/"
                )
                == "websocket"
            )

    async def test_an_idle_socket_holds_no_task(self, rt, world, server):
        before = engine_tasks()
        sockets = [await raw_socket(server, world.token(world.alice)) for _ in range(5)]
        room = world.room("general")
        for ws in sockets:
            await ws.send("421" + orjson.dumps(["join_room", {"room": room}]).decode())
            await recv_until(ws, "431")

        # The handlers' tasks end; python-engineio's path keeps three per socket
        # (the ASGI call awaiting its reader, the writer, the ping) for its life.
        def added() -> Counter[str]:
            return Counter(engine_tasks()) - Counter(before)

        try:
            await until(lambda: not added())
        except TimeoutError:
            raise AssertionError(f"tasks left: {sorted(added().elements())}") from None
        for ws in sockets:
            await ws.close()

    async def test_a_frame_that_arrives_before_the_accept_is_read(
        self, rt, world, server, monkeypatch
    ):
        sio = realtime(rt).sio
        admitted = sio._handle_eio_connect

        async def slow_admission(*args: Any) -> Any:
            await asyncio.sleep(0.3)  # the client's next frame arrives meanwhile
            return await admitted(*args)

        monkeypatch.setitem(sio.eio.handlers, "connect", slow_admission)
        host, port = server.rsplit("//", 1)[1].split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        token = orjson.dumps({"token": world.token(world.alice)}).decode()
        writer.write(request.encode())
        await writer.drain()
        await asyncio.sleep(0.1)  # uvicorn has switched to the WebSocket protocol
        # Not what a well-behaved client does (RFC 6455 4.1 says wait for the
        # 101), but it must not be lost: the application had not accepted yet.
        writer.write(client_frame("40" + token))
        async with asyncio.timeout(WAIT):
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 101")
            assert (await read_frame(reader))[0] == "0"
            assert (await read_frame(reader)).startswith("40")
            writer.write(client_frame('421["leave_room",{"room":"g:1:c:1"}]'))
            while not (ack := await read_frame(reader)).startswith("431"):
                if ack == "2":
                    writer.write(client_frame("3"))
        assert ack.startswith("431") and orjson.loads(ack[3:])[0]["ok"] is True
        writer.close()


class TestPackets:
    async def test_upgrade_is_answered_with_noop(self, world, server):
        ws = await raw_socket(server, world.token(world.alice))
        await ws.send("5")
        assert await recv_until(ws, "6") == "6"
        await ws.close()

    async def test_the_server_disconnects_a_socket_with_a_close_packet(self, rt, world, server):
        ws = await raw_socket(server, world.token(world.alice))
        (sid,) = list(realtime(rt).sockets)
        await realtime(rt).sio.disconnect(sid)
        assert await recv_until(ws, "41") == "41"  # Socket.IO: io server disconnect
        eio_sid = next(iter(realtime(rt).sio.eio.sockets))
        await realtime(rt).sio.close_socket(eio_sid)
        assert await recv_until(ws, "1") == "1"  # Engine.IO close, then the WebSocket's
        with pytest.raises(websockets.exceptions.ConnectionClosedOK):
            await ws.recv()
        assert not realtime(rt).sio.eio.sockets

    async def test_a_lost_connection_ends_the_session(self, rt, world, server):
        ws = await raw_socket(server, world.token(world.alice))
        assert await rt.presence.is_online(world.alice.user["id"])
        ws.transport.abort()  # no close frame: the TCP connection just ends
        await until(lambda: not realtime(rt).sockets and not realtime(rt).sio.eio.sockets)
        assert not await rt.presence.is_online(world.alice.user["id"])


class TestRefusedFrames:
    @pytest.mark.parametrize(
        ("send", "problem"),
        [
            (b"\x04binary", "binary frame"),
            ("x", "malformed frame"),
            ("4" + "x" * (MAX_PACKET_BYTES + 1), "frame too large"),
        ],
    )
    async def test_a_bad_frame_closes_the_socket_with_one_line(
        self, rt, world, server, caplog, send, problem
    ):
        ws = await raw_socket(server, world.token(world.alice))
        caplog.set_level(logging.WARNING, logger="guildhall.realtime")
        await ws.send(send)
        await ws.send(send)  # a second bad frame: still one line
        async with asyncio.timeout(WAIT):
            with pytest.raises(websockets.exceptions.ConnectionClosedError):
                while True:
                    await ws.recv()
        assert ws.close_code == 1008  # policy violation
        await until(lambda: not realtime(rt).sockets)
        lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("socket")]
        assert lines == [f"socket closed: {problem} from 127.0.0.1"]
        assert not [r for r in caplog.records if r.exc_info]  # no traceback

    async def test_refused_origin_gets_403_and_no_session(self, rt, server):
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            await websockets.connect(ws_url(server), origin="https://evil.example")
        assert refused.value.response.status_code == 403
        assert not realtime(rt).sio.eio.sockets


async def test_other_protocol_versions_are_python_engineios_to_refuse(rt, server) -> None:
    with pytest.raises(websockets.exceptions.InvalidStatus):
        await websockets.connect(ws_url(server).replace("EIO=4", "EIO=3"))
    assert not realtime(rt).sio.eio.sockets
