"""Conformance of the frame-once transport (realtime/wire.py) at the real server.

Raw Engine.IO v4 / Socket.IO v5 packets over a WebSocket, over polling and over
polling upgraded to a WebSocket; the stock python-socketio client over all three.
What is checked here is what the direct write could break: every packet to a
socket arrives, in the order it was sent, whichever path sent it (broadcasts,
single-socket emits, acks, pings, packets queued during an upgrade); a reader
that cannot keep up is closed with 1013 and the rest of the room is not harmed.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import httpx
import orjson
import pytest
import websockets

from guildhall.events import DISCONNECT, Event
from guildhall.realtime import wire
from tests.factories import joined
from tests.realtime.conftest import WAIT, realtime
from tests.realtime.test_hostile import raw_socket, recv_until

pytestmark = pytest.mark.one_engine  # the transport, not the database


def eio_socket(rt: Any, sid: str) -> Any:
    """The Engine.IO socket behind a Socket.IO sid."""
    server = realtime(rt).sio
    return server.eio.sockets[server.manager.eio_sid_from_sid(sid, "/")]


async def until(check: Any) -> None:
    """Wait for server-side state that no event announces (within ``WAIT``)."""
    async with asyncio.timeout(WAIT):
        while not check():  # noqa: ASYNC110 - polled: nothing to await on
            await asyncio.sleep(0.01)


def only_socket(rt: Any) -> Any:
    sockets = list(realtime(rt).sio.eio.sockets.values())
    assert len(sockets) == 1
    return sockets[0]


async def numbered(ws: Any, name: str, count: int) -> list[int]:
    """The ``i`` of the next ``count`` ``name`` events on a raw websocket."""
    got: list[int] = []
    while len(got) < count:
        frame = await recv_until(ws, f'42["{name}"')
        got.append(orjson.loads(frame[2:])[1]["i"])
    return got


async def ask(http: httpx.AsyncClient, url: str, body: str) -> None:
    r = await http.post(url, content=body.encode())
    assert r.status_code == 200 and r.text == "OK", r.text


class TestRawWebSocket:
    async def test_every_packet_is_written_directly_and_in_order(self, rt, world, server):
        ws = await raw_socket(server, world.token(world.alice))
        room = world.room("general")
        await ws.send("421" + orjson.dumps(["join_room", {"room": room}]).decode())
        ack = orjson.loads((await recv_until(ws, "431"))[3:])[0]
        assert ack == {"ok": True, "room": room}
        sock = only_socket(rt)
        assert isinstance(sock.wire, wire.WireProtocol)  # the fast path is the one in use
        rts = realtime(rt)
        (sid,) = [s for s, u in rts.sockets.items() if u is not None]
        # Broadcasts (written by deliver) and single-socket emits (python-socketio,
        # then the socket's own send) interleaved: one order on the wire.
        for i in range(40):
            if i % 3:
                await rts.deliver([Event(room, "n", {"i": i})])
            else:
                await rts.send_to(sid, "n", {"i": i})
        async with asyncio.timeout(WAIT):
            assert await numbered(ws, "n", 40) == list(range(40))
        await ws.close()

    async def test_one_event_to_many_rooms_arrives_once(self, rt, world, server):
        ws = await raw_socket(server, world.token(world.alice))
        rooms = [f"g:{world.g1}", f"u:{world.alice.user['id']}"]
        await realtime(rt).deliver([Event(r, "n", {"i": 7}) for r in rooms])
        await realtime(rt).deliver([Event(rooms[0], "n", {"i": 8})])
        async with asyncio.timeout(WAIT):
            assert await numbered(ws, "n", 2) == [7, 8]
        await ws.close()

    async def test_large_frames_use_the_extended_lengths(self, rt, world, server):
        ws = await raw_socket(server, world.token(world.alice))
        room = f"g:{world.g1}"
        for size in (100, 125, 126, 65_535, 65_536, 200_000):
            await realtime(rt).deliver([Event(room, "big", {"pad": "é" * size})])
            frame = await recv_until(ws, '42["big"')
            assert orjson.loads(frame[2:])[1]["pad"] == "é" * size
        await ws.close()

    async def test_ping_pong_and_ping_timeout(self, rt, world, server):
        eio = realtime(rt).sio.eio
        eio.ping_interval, eio.ping_timeout = 0.2, 0.5
        url = server.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
        async with websockets.connect(url) as ws:
            assert (await ws.recv()).startswith("0")
            await ws.send("40" + orjson.dumps({"token": world.token(world.alice)}).decode())
            # A ping may come before the connect answer (sign-in reads the
            # database; on a busy machine that takes longer than 0.2 s).
            while (got := await ws.recv()) == "2":
                await ws.send("3")
            assert got.startswith("40")
            async with asyncio.timeout(WAIT):
                for _ in range(3):  # answered pings keep the socket open
                    while (await ws.recv()) != "2":
                        pass
                    await ws.send("3")
            assert only_socket(rt).wire is not None
            # Unanswered: the server closes the connection.
            async with asyncio.timeout(WAIT):
                with pytest.raises(websockets.exceptions.ConnectionClosed):
                    while True:
                        await ws.recv()
        await until(lambda: not realtime(rt).sockets)

    async def test_a_client_close_packet_ends_the_socket(self, rt, world, server):
        ws = await raw_socket(server, world.token(world.alice))
        await ws.send("1")  # engine.io close: the socket is gone at once
        await until(lambda: not realtime(rt).sockets)
        await ws.close()


class TestBatches:
    """A batch of events (a group commit's sends) leaves in one write per socket."""

    async def test_a_batch_is_one_write_per_socket_every_frame_in_order(
        self, rt, world, server, monkeypatch
    ):
        alice = await raw_socket(server, world.token(world.alice))
        bob = await raw_socket(server, world.token(world.bob))
        rts = realtime(rt)
        await until(lambda: len([u for u in rts.sockets.values() if u is not None]) == 2)
        writes: list[tuple[int, bytes]] = []
        real = wire.WireProtocol.write

        def counted(self: Any, data: bytes) -> None:
            writes.append((id(self), data))
            real(self, data)

        monkeypatch.setattr(wire.WireProtocol, "write", counted)
        room = f"g:{world.g1}"
        await rts.deliver([Event(room, "n", {"i": i}) for i in range(5)])
        assert len(writes) == 2  # one per socket, not one per event
        assert {sock for sock, _ in writes} == {id(eio_socket(rt, sid).wire) for sid in rts.sockets}
        async with asyncio.timeout(WAIT):
            assert await numbered(alice, "n", 5) == list(range(5))
            assert await numbered(bob, "n", 5) == list(range(5))
        # A batch of one is written as it is.
        writes.clear()
        await rts.deliver([Event(room, "n", {"i": 5})])
        assert len(writes) == 2
        async with asyncio.timeout(WAIT):
            assert await numbered(alice, "n", 1) == [5]
        await alice.close()
        await bob.close()

    async def test_what_comes_before_a_disconnect_in_the_batch_arrives_before_it(
        self, rt, world, server
    ):
        alice = await raw_socket(server, world.token(world.alice))
        bob = await raw_socket(server, world.token(world.bob))
        rts = realtime(rt)
        await until(lambda: len([u for u in rts.sockets.values() if u is not None]) == 2)
        room = f"g:{world.g1}"
        await rts.deliver(
            [
                Event(room, "n", {"i": 0}),
                Event(room, "n", {"i": 1}),
                Event(f"u:{world.alice.user['id']}", DISCONNECT, {"all_but": -1}),
                Event(room, "n", {"i": 2}),
            ]
        )
        async with asyncio.timeout(WAIT):
            assert await numbered(alice, "n", 2) == [0, 1]
            await recv_until(alice, "41")  # then Socket.IO's disconnect
            assert await numbered(bob, "n", 3) == [0, 1, 2]
        await bob.close()


class TestPollingUpgrade:
    async def test_packets_queued_during_the_upgrade_come_first(self, rt, world, server):
        room = f"g:{world.g1}"
        rts = realtime(rt)
        async with httpx.AsyncClient(timeout=WAIT) as http:
            r = await http.get(f"{server}/socket.io/?EIO=4&transport=polling")
            opened = orjson.loads(r.text[1:])
            assert opened["upgrades"] == ["websocket"]
            sid = opened["sid"]
            url = f"{server}/socket.io/?EIO=4&transport=polling&sid={sid}"
            await ask(http, url, "40" + orjson.dumps({"token": world.token(world.alice)}).decode())
            r = await http.get(url)
            assert r.text.startswith("40")
            sock = only_socket(rt)
            await rts.deliver([Event(room, "n", {"i": 0})])  # over polling
            r = await http.get(url)
            events = [orjson.loads(p[2:]) for p in r.text.split("\x1e") if p.startswith("42")]
            assert ["n", {"i": 0}] in events
            assert sock.wire is None

            ws_url = (
                server.replace("http", "ws") + f"/socket.io/?EIO=4&transport=websocket&sid={sid}"
            )
            async with websockets.connect(ws_url) as ws:
                await ws.send("2probe")
                assert await ws.recv() == "3probe"
                # Upgrading: these wait in the queue; a poll now gets a noop.
                await rts.deliver([Event(room, "n", {"i": 1})])
                await rts.deliver([Event(room, "n", {"i": 2})])
                r = await http.get(url)
                assert r.text == "6"
                await ws.send("5")
                # The rest while the switch happens: some before it, some after.
                for i in range(3, 20):
                    await rts.deliver([Event(room, "n", {"i": i})])
                    await asyncio.sleep(0)
                async with asyncio.timeout(WAIT):
                    assert await numbered(ws, "n", 19) == list(range(1, 20))
                assert sock.wire is not None
                await ws.send('421["leave_room",{"room":"g:1:c:1"}]')
                ack = orjson.loads((await recv_until(ws, "431"))[3:])[0]
                assert ack == {"ok": True, "room": "g:1:c:1"}


class TestStockClient:
    @pytest.mark.parametrize(
        "transports",
        [["websocket"], ["polling"], ["polling", "websocket"]],
        ids=["websocket", "polling", "upgrade"],
    )
    async def test_join_hear_send_ack(self, rt, world, connect, transports):
        room = world.room("general")
        alice = await connect(token=world.token(world.alice), transports=transports)
        assert (await alice.call("join_room", {"room": room}))["ok"] is True
        upgrading = "websocket" in transports
        if upgrading:
            await until(lambda: alice.client.eio.current_transport == "websocket")
            await until(lambda: eio_socket(rt, alice.sid).wire is not None)
        else:
            assert eio_socket(rt, alice.sid).wire is None  # polling keeps the queue
        bob = await joined(rt, connect, world.token(world.bob), room)
        sent = await world.bob.post(
            f"/api/channels/{world.general}/messages", json={"content": "over the wire"}
        )
        assert sent.status_code == 201
        assert (await alice.next("new_message"))["id"] == sent.json()["id"]
        ack = await alice.call("send_message", {"room": room, "content": "back", "nonce": "n1"})
        assert ack["ok"] is True and ack["message"]["nonce"] == "n1"
        assert (await alice.next("new_message"))["id"] == ack["message"]["id"]
        heard = [(await bob.next("new_message"))["id"] for _ in range(2)]
        assert heard == [sent.json()["id"], ack["message"]["id"]]

    async def test_pings_keep_a_stock_client_connected(self, rt, world, connect):
        eio = realtime(rt).sio.eio
        eio.ping_interval, eio.ping_timeout = 1, 1
        alice = await connect(token=world.token(world.alice))
        await asyncio.sleep(3.5)  # three ping intervals: the time is the subject here
        assert alice.client.connected
        assert (await alice.call("leave_room", {"room": "g:1:c:1"}))["ok"] is True


class TestSlowReader:
    async def test_a_reader_that_cannot_keep_up_is_closed_with_1013(
        self, rt, world, server, connect, monkeypatch, caplog
    ):
        monkeypatch.setattr(wire, "WRITE_BUFFER_HIGH", 64 * 1024)
        room = f"g:{world.g1}"
        bob = await joined(rt, connect, world.token(world.bob))
        url = server.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
        # A small receive buffer and a client that stops reading after sign-in.
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.connect(("127.0.0.1", int(server.rsplit(":", 1)[1])))
        raw.setblocking(False)
        ws = await websockets.connect(url, sock=raw, max_queue=1, max_size=None)
        assert (await ws.recv()).startswith("0")
        await ws.send("40" + orjson.dumps({"token": world.token(world.alice)}).decode())
        assert (await ws.recv()).startswith("40")
        rts = realtime(rt)
        await until(lambda: len([u for u in rts.sockets.values() if u is not None]) == 2)
        (alice_sid,) = [
            sid for sid, u in rts.sockets.items() if u and u.user_id == world.alice.user["id"]
        ]
        alice_sock = eio_socket(rt, alice_sid)
        # The kernel's send buffer, small and fixed (no autotuning up to megabytes).
        server_side = alice_sock.wire.transport.get_extra_info("socket")
        server_side.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        pad = "x" * 30_000
        caplog.set_level(logging.WARNING, logger="guildhall.realtime")
        sent = 0
        async with asyncio.timeout(WAIT * 4):
            while not alice_sock.closed:
                await rts.deliver([Event(room, "flood", {"i": sent, "pad": pad})])
                sent += 1
                while len(bob.named("flood")) < sent:  # bob reads at the pace we write
                    bob._changed.clear()
                    await bob._changed.wait()
        assert alice_sock.wire.dropped
        # The client reads what was buffered, then the close frame: 1013.
        async with asyncio.timeout(WAIT):
            with pytest.raises(websockets.exceptions.ConnectionClosed):
                while True:
                    await ws.recv()
        assert ws.close_code == wire.SLOW_READER_CLOSE
        lines = [r.getMessage() for r in caplog.records if "slow reader" in r.getMessage()]
        assert len(lines) == 1 and lines[0].startswith("socket closed: slow reader")
        # Bob, a reader who keeps up, heard all of it and is still served.
        assert [d["i"] for d in bob.named("flood")] == list(range(sent))
        assert (await bob.call("leave_room", {"room": "g:1:c:1"}))["ok"] is True
