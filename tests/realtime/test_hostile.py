"""Hostile clients: forged rooms, wrong types, foreign origins, oversize and
malformed packets, floods. Every one gets a clean answer (or a closed socket)
and changes nothing; the server keeps serving everybody else."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest
import socketio
import websockets

from tests.realtime.conftest import listening, room_members

# One engine: hostile frames are refused by the protocol layer before any query.
pytestmark = pytest.mark.one_engine

BIG = "x" * 10_000


async def polling_handshake(server: str, origin: str, **headers: str) -> httpx.Response:
    """The first request of a polling socket, from a page at ``origin``."""
    async with httpx.AsyncClient() as http:
        return await http.get(
            f"{server}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin, **headers}
        )


def bad_rooms(world: Any) -> list[tuple[Any, str]]:
    g = world.g1
    return [
        (f"g:{g}:c:999999", "CHANNEL_NOT_FOUND"),
        ("g:x", "INVALID_INPUT"),
        (f"g:{g}", "INVALID_INPUT"),
        (f"g:{g}:c:{world.general}:extra", "INVALID_INPUT"),
        (f"g:{g}:c:{world.general}\n", "INVALID_INPUT"),
        (f" g:{g}:c:{world.general}", "INVALID_INPUT"),
        (f"g:0{g}:c:{world.general}", "INVALID_INPUT"),
        ("g:١:c:١", "INVALID_INPUT"),  # Arabic-Indic digits are digits to \d
        ("g:-1:c:1", "INVALID_INPUT"),
        ("g:0:c:0", "INVALID_INPUT"),
        ("g:99999999999999999999:c:1", "INVALID_INPUT"),
        ("g:9999999999999999999:c:1", "CHANNEL_NOT_FOUND"),  # > 2**63 - 1
        (f"u:{world.alice.user['id']}", "INVALID_INPUT"),
        ("", "INVALID_INPUT"),
        (BIG, "INVALID_INPUT"),
        (f"g:{g}:c:{world.general}" + BIG, "INVALID_INPUT"),
        (12, "INVALID_INPUT"),
        ([f"g:{g}:c:{world.general}"], "INVALID_INPUT"),
        ({"room": f"g:{g}:c:{world.general}"}, "INVALID_INPUT"),
        (None, "INVALID_INPUT"),
        (True, "INVALID_INPUT"),
    ]


class TestForgedRooms:
    async def test_join_room_refuses_every_forgery(self, rt, world, connect):
        probe = await connect(token=world.token(world.bob))
        before = set(rt.realtime.sio.manager.get_rooms(probe.sid, "/"))
        for room, code in bad_rooms(world):
            ack = await probe.call("join_room", {"room": room})
            assert ack["ok"] is False and ack["code"] == code, (room, ack)
            assert len(ack["error"]) < 200  # never echoes the 10 KB input back
        assert set(rt.realtime.sio.manager.get_rooms(probe.sid, "/")) == before
        await probe.sync()
        assert probe.named("joined_room") == []

    async def test_another_guilds_room(self, rt, world, connect):
        probe = await connect(token=world.token(world.bob))
        await probe.emit("join_room", {"room": world.room("lounge")})
        assert (await probe.next("error"))["code"] == "NOT_CHANNEL_MEMBER"
        assert probe.sid not in room_members(rt, world.room("lounge"))
        ack = await probe.call("send_message", {"room": world.room("lounge"), "content": "hi"})
        assert ack["ok"] is False and ack["code"] == "NOT_CHANNEL_MEMBER"
        r = await world.carol.get(f"/api/channels/{world.lounge}/messages")
        assert r.json()["messages"] == []

    @pytest.mark.parametrize(
        "event",
        ["send_message", "typing", "stop_typing", "leave_room", "pin_message", "add_reaction"],
    )
    async def test_other_events_refuse_forged_rooms(self, world, connect, event):
        probe = await connect(token=world.token(world.alice))
        for room, code in bad_rooms(world):
            payload = {"room": room, "content": "x", "message_id": 1, "emoji": "👍"}
            ack = await probe.call(event, payload)
            if code == "INVALID_INPUT":
                assert ack["ok"] is False and ack["code"] == code, (event, room, ack)
            elif event != "leave_room":  # leaving a room one is not in is a no-op
                assert ack["ok"] is False, (event, room, ack)


ROOM = object()  # placeholder for the world's general room


def payload_cases() -> list[tuple[str, dict[str, Any], str, str]]:
    """(event, payload, code, field) for wrong types and missing fields."""
    cases: list[tuple[str, dict[str, Any], str, str]] = []
    room_events = {
        "join_room": {},
        "leave_room": {},
        "typing": {},
        "stop_typing": {},
        "send_message": {"content": "hi"},
        "pin_message": {"message_id": 1},
        "unpin_message": {"message_id": 1},
        "add_reaction": {"message_id": 1, "emoji": "👍"},
        "remove_reaction": {"message_id": 1, "emoji": "👍"},
    }
    for event, rest in room_events.items():
        cases.append((event, dict(rest), "MISSING_REQUIRED_FIELD", "room"))
        for wrong in (5, 1.5, ["r"], {"r": 1}, True):
            cases.append((event, {"room": wrong, **rest}, "INVALID_INPUT", "room"))
    for event in ("pin_message", "unpin_message", "add_reaction", "remove_reaction"):
        extra = {"emoji": "👍"} if "reaction" in event else {}
        cases.append((event, {"room": ROOM, **extra}, "MISSING_REQUIRED_FIELD", "message_id"))
        for wrong in ("1", 1.5, True, None, [1], {"id": 1}):
            cases.append(
                (event, {"room": ROOM, "message_id": wrong, **extra}, "INVALID_INPUT", "message_id")
            )
    for event in ("add_reaction", "remove_reaction"):
        cases.append((event, {"room": ROOM, "message_id": 1}, "MISSING_REQUIRED_FIELD", "emoji"))
        for wrong in (1, None, ["👍"], "x" * 300):
            cases.append(
                (event, {"room": ROOM, "message_id": 1, "emoji": wrong}, "INVALID_INPUT", "emoji")
            )
    cases.append(("send_message", {"room": ROOM}, "MISSING_REQUIRED_FIELD", "content"))
    for wrong in (5, ["hi"], {"t": "hi"}, True):
        cases.append(("send_message", {"room": ROOM, "content": wrong}, "INVALID_INPUT", "content"))
    for field, wrong in [
        ("nonce", 5),
        ("nonce", ["n"]),
        ("nonce", "n" * 65),
        ("file", 5),
        ("file", ["uploads/a"]),
        ("file", {"nopath": "x"}),
        ("files", "uploads/a"),
        ("files", [5]),
        ("files", [{"path": 5}]),
        ("files", ["uploads/a"] * 101),
        ("content", "x" * 2001),
        ("content", "   "),
        ("content", "a\x00b"),  # a NUL must never reach PostgreSQL
        ("nonce", "n\x00"),
    ]:
        cases.append(
            ("send_message", {"room": ROOM, "content": "hi", field: wrong}, "INVALID_INPUT", field)
        )
    return cases


class TestWrongTypesAndMissingFields:
    async def test_every_event(self, rt, world, connect):
        probe = await connect(token=world.token(world.alice))
        general = world.room("general")
        await probe.call("join_room", {"room": general})
        for event, payload, code, field in payload_cases():
            data = {k: (general if v is ROOM else v) for k, v in payload.items()}
            ack = await probe.call(event, data)
            assert ack["ok"] is False, (event, data, ack)
            assert (ack["code"], ack["details"].get("field")) == (code, field), (event, data, ack)
        # and without an ack, the same answer arrives as an ``error`` event
        await probe.emit("send_message", {"room": general})
        err = await probe.next("error")
        assert err["code"] == "MISSING_REQUIRED_FIELD" and err["details"] == {"field": "content"}
        r = await world.alice.get(f"/api/channels/{world.general}/messages")
        assert r.json()["messages"] == []

    @pytest.mark.parametrize("emoji", ["\x00", "👍\x00", ":a\x00:"])
    @pytest.mark.parametrize("event", ["add_reaction", "remove_reaction"])
    async def test_nul_in_an_emoji_is_invalid_input(self, world, connect, emoji, event):
        probe = await connect(token=world.token(world.alice))
        general = world.room("general")
        sent = await probe.call("send_message", {"room": general, "content": "hi"})
        data = {"room": general, "message_id": sent["message"]["id"], "emoji": emoji}
        ack = await probe.call(event, data)
        assert ack["ok"] is False and ack["code"] == "INVALID_INPUT", ack

    @pytest.mark.parametrize("data", [None, "room", 5, ["g:1:c:1"], True])
    async def test_non_object_payloads(self, world, connect, data):
        probe = await connect(token=world.token(world.alice))
        for event in ("join_room", "send_message", "typing", "add_reaction", "authenticate"):
            ack = await probe.call(event, data)
            assert ack["ok"] is False and ack["code"] == "INVALID_INPUT", (event, ack)

    async def test_extra_arguments_and_unknown_fields_are_ignored(self, world, connect):
        probe = await connect(token=world.token(world.alice))
        general = world.room("general")
        ack = await probe.client.call(
            "join_room", ({"room": general, "whatever": [1, 2]}, "extra", 3), timeout=5
        )
        assert ack == {"ok": True, "room": general}

    async def test_unknown_event_answers_invalid_input(self, world, connect):
        probe = await connect(token=world.token(world.alice))
        ack = await probe.call("drop_tables", {"room": "x"})
        assert ack["ok"] is False and ack["code"] == "INVALID_INPUT"
        assert ack["details"] == {"field": "event"}

    @pytest.mark.parametrize("name", ["connect", "disconnect"])
    async def test_lifecycle_names_sent_as_events_do_not_reach_the_lifecycle(
        self, rt, world, connect, name
    ):
        probe = await connect(token=world.token(world.alice))
        uid = world.alice.user["id"]
        ack = await probe.call(name, {"token": world.token(world.bob)})
        assert ack["ok"] is False and ack["code"] == "INVALID_INPUT"
        assert await rt.presence.is_online(uid)
        assert rt.realtime.sockets[probe.sid].user_id == uid


class TestOrigin:
    @pytest.mark.parametrize("transport", ["polling", "websocket"])
    @pytest.mark.parametrize(
        "origin", ["http://evil.example", "null", "http://127.0.0.1.evil.example", "file://"]
    )
    async def test_foreign_origin_is_refused(self, rt, world, server, transport, origin):
        client = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(
                server,
                headers={"Origin": origin, "Cookie": f"session={world.token(world.alice)}"},
                transports=[transport],
                wait_timeout=5,
            )
        assert not await rt.presence.is_online(world.alice.user["id"])

    async def test_foreign_origin_polling_handshake_answers_400(self, server):
        r = await polling_handshake(server, "https://evil.example")
        assert r.status_code == 400
        assert "access-control-allow-origin" not in r.headers

    async def test_foreign_origin_websocket_handshake_is_rejected(self, server):
        url = server.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
        with pytest.raises(websockets.exceptions.InvalidStatus) as exc:
            async with websockets.connect(url, origin="https://evil.example"):
                pass
        assert exc.value.response.status_code == 403

    @pytest.mark.parametrize("transport", ["polling", "websocket"])
    async def test_own_origin_is_accepted(self, rt, world, server, transport):
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(
            server,
            headers={"Origin": server},
            auth={"token": world.token(world.alice)},
            transports=[transport],
            wait_timeout=5,
        )
        try:
            assert await rt.presence.is_online(world.alice.user["id"])
        finally:
            await client.disconnect()

    async def test_a_look_alike_host_header_does_not_make_a_foreign_origin_own(self, server):
        r = await polling_handshake(
            server,
            "https://evil.example",
            **{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
        )
        assert r.status_code == 400


class TestConfiguredOrigin:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"allowed_origins": "https://chat.example.com, http://localhost:5173/"}

    @pytest.mark.parametrize("origin", ["https://chat.example.com", "http://localhost:5173"])
    @pytest.mark.parametrize("transport", ["polling", "websocket"])
    async def test_configured_origins_are_accepted(self, server, origin, transport):
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(
            server, headers={"Origin": origin}, transports=[transport], wait_timeout=5
        )
        assert client.connected
        await client.disconnect()

    async def test_others_still_refused(self, server):
        r = await polling_handshake(server, "https://chat.example.com.evil.example")
        assert r.status_code == 400
        r = await polling_handshake(server, "https://chat.example.com")
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "https://chat.example.com"


async def raw_socket(server: str, token: str | None = None) -> Any:
    """A bare Engine.IO v4 websocket, Socket.IO namespace connected."""
    url = server.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    ws = await websockets.connect(url, max_size=None)
    opened = await ws.recv()
    assert opened.startswith("0")
    auth = orjson.dumps({"token": token}).decode() if token else ""
    await ws.send("40" + auth)
    connected = await ws.recv()
    assert connected.startswith("40"), connected
    return ws


async def recv_until(ws: Any, prefix: str) -> str:
    async with asyncio.timeout(5):
        while True:
            frame = await ws.recv()
            if frame == "2":  # engine.io ping
                await ws.send("3")
                continue
            if isinstance(frame, str) and frame.startswith(prefix):
                return frame


class TestOversizeAndMalformedPackets:
    @pytest.mark.parametrize("transport", ["polling", "websocket"])
    async def test_a_message_of_2000_four_byte_characters_and_ten_files_fits(
        self, world, connect, transport
    ):
        probe = await connect(token=world.token(world.alice), transports=[transport])
        general = world.room("general")
        await probe.call("join_room", {"room": general})
        content = "😀" * 2000
        files = [f"uploads/{'a' * 32}/{'f' * 200}.png" for _ in range(10)]
        ack = await probe.call("send_message", {"room": general, "content": content})
        assert ack["ok"] is True and ack["message"]["content"] == content
        data = {"room": general, "content": content, "files": files}
        ack = await probe.call("send_message", data)
        assert ack["ok"] is False and ack["details"]["field"] == "files"  # not hers: refused
        assert probe.client.connected

    async def test_oversize_websocket_packet_closes_only_that_socket(
        self, rt, world, connect, server
    ):
        bystander = await listening(rt, connect, world.token(world.bob))
        ws = await raw_socket(server, world.token(world.alice))
        assert (await bystander.next("presence_update"))["username"] == "alice"
        big = {"room": world.room("general"), "content": "x" * 100_000}
        await ws.send("42" + orjson.dumps(["send_message", big]).decode())
        with pytest.raises(websockets.exceptions.ConnectionClosed):
            await recv_until(ws, "44")  # nothing answers: the socket is closed
        r = await world.alice.get(f"/api/channels/{world.general}/messages")
        assert r.json()["messages"] == []
        ack = await bystander.call("join_room", {"room": world.room("general")})
        assert ack["ok"] is True
        gone = await bystander.next("presence_update")
        assert (gone["username"], gone["status"]) == ("alice", "offline")

    async def test_oversize_polling_post_is_refused(self, world, connect, server):
        bystander = await connect(token=world.token(world.bob))
        async with httpx.AsyncClient() as http:
            r = await http.get(f"{server}/socket.io/?EIO=4&transport=polling")
            sid = orjson.loads(r.text[1:])["sid"]
            r = await http.post(
                f"{server}/socket.io/?EIO=4&transport=polling&sid={sid}",
                content=b"4" + b"2" + b"x" * 200_000,
            )
            assert r.status_code == 413
        ack = await bystander.call("join_room", {"room": world.room("general")})
        assert ack["ok"] is True

    @pytest.mark.parametrize(
        "frame",
        [
            "42",
            "42[]",
            "42[123]",
            "42[null]",
            '42{"a":1}',
            '42["join_room"',
            '42["join_room",{"room":"g:1:c:1"',
            "4x",
            "49",
            "43",
            "43abc",
            "41",
            '42/admin,["join_room",{}]',
            '451-["send_message",{"_placeholder":true,"num":0}]',
            '42["send_message",{"room":"g:1:c:1","content":"\\ud800"}]',
            "9",
            "",
        ],
    )
    async def test_malformed_frames_do_not_harm_the_server(self, world, connect, server, frame):
        ws = await raw_socket(server, world.token(world.alice))
        await ws.send(frame)
        # Two follow-ups: a frame announcing a binary attachment swallows the next
        # frame as that attachment.
        await ws.send('421["leave_room",{"room":"g:1:c:1"}]')
        await ws.send('422["leave_room",{"room":"g:1:c:1"}]')
        try:
            reply = await recv_until(ws, "43")
            assert orjson.loads(reply[3:])[0]["ok"] is True
        except websockets.exceptions.ConnectionClosed:
            pass  # dropping a socket that speaks garbage is fine too
        except TimeoutError:
            assert frame == "41"  # the client left the namespace: events are ignored
        finally:
            await ws.close()
        bystander = await connect(token=world.token(world.bob))
        ack = await bystander.call("join_room", {"room": world.room("general")})
        assert ack["ok"] is True
        r = await world.alice.get(f"/api/channels/{world.general}/messages")
        assert r.json()["messages"] == []

    async def test_other_namespaces_are_refused(self, server):
        client = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(server, namespaces=["/admin"], wait_timeout=5)
        await client.disconnect()


class TestSocketRateLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"socket_rate_limit": "5/minute"}

    async def test_past_the_limit_events_are_refused(self, rt, world, connect):
        probe = await connect(token=world.token(world.alice))
        general = world.room("general")
        for _ in range(5):
            assert (await probe.call("typing", {"room": general}))["code"] in (
                "NOT_CHANNEL_MEMBER",  # not joined: still counted
            )
        ack = await probe.call("join_room", {"room": general})
        assert ack["ok"] is False and ack["code"] == "RATE_LIMIT_EXCEEDED"
        assert ack["details"]["retry_after"] >= 1
        await probe.emit("send_message", {"room": general, "content": "flood"})
        err = await probe.next("error")
        assert err["code"] == "RATE_LIMIT_EXCEEDED"
        assert probe.sid not in room_members(rt, general)
        r = await world.alice.get(f"/api/channels/{world.general}/messages")
        assert r.json()["messages"] == []

    async def test_the_limit_is_per_user_across_sockets(self, world, connect):
        first = await connect(token=world.token(world.alice))
        second = await connect(token=world.token(world.alice))
        for _ in range(3):
            await first.call("leave_room", {"room": world.room("general")})
        for _ in range(2):
            await second.call("leave_room", {"room": world.room("general")})
        ack = await second.call("leave_room", {"room": world.room("general")})
        assert ack["code"] == "RATE_LIMIT_EXCEEDED"
        other_user = await connect(token=world.token(world.bob))
        assert (await other_user.call("leave_room", {"room": world.room("general")}))["ok"]

    async def test_unauthenticated_authenticate_attempts_are_limited_per_address(
        self, world, connect
    ):
        for _ in range(5):
            probe = await connect()
            ack = await probe.call("authenticate", {"token": "guess"})
            assert ack["code"] == "AUTH_REQUIRED"
        probe = await connect()
        ack = await probe.call("authenticate", {"token": world.token(world.alice)})
        assert ack["ok"] is False and ack["code"] == "RATE_LIMIT_EXCEEDED"
