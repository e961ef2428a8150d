"""Socket authentication: cookie, handshake token, ``authenticate`` event; the
unauthenticated socket; the rooms a signed-in socket is put in."""

from __future__ import annotations

import pytest

from tests.realtime.conftest import room_members

CLIENT_EVENTS = [
    "join_room",
    "leave_room",
    "send_message",
    "typing",
    "stop_typing",
    "add_reaction",
    "remove_reaction",
    "pin_message",
    "unpin_message",
]


class TestConnectAuthentication:
    async def test_session_cookie_signs_the_socket_in(self, rt, world, connect):
        probe = await connect(cookie=world.token(world.alice))
        uid = world.alice.user["id"]
        assert probe.sid in room_members(rt, f"u:{uid}")
        assert probe.sid in room_members(rt, f"g:{world.g1}")
        ack = await probe.call("join_room", {"room": world.room("general")})
        assert ack == {"ok": True, "room": world.room("general")}

    async def test_handshake_token_signs_the_socket_in(self, rt, world, connect):
        probe = await connect(token=world.token(world.bob))
        uid = world.bob.user["id"]
        assert probe.sid in room_members(rt, f"u:{uid}")
        assert probe.sid in room_members(rt, f"g:{world.g1}")
        assert probe.sid not in room_members(rt, f"g:{world.g2}")

    async def test_token_wins_over_a_cookie_of_another_user(self, rt, world, connect):
        probe = await connect(token=world.token(world.bob), cookie=world.token(world.carol))
        assert probe.sid in room_members(rt, f"u:{world.bob.user['id']}")
        assert probe.sid not in room_members(rt, f"u:{world.carol.user['id']}")

    async def test_invalid_credentials_still_connect_unauthenticated(self, rt, world, connect):
        probe = await connect(token="not-a-token", cookie="also-not")
        assert probe.client.connected
        assert realtime_user(rt, probe.sid) is None
        ack = await probe.call("join_room", {"room": world.room("general")})
        assert ack["ok"] is False and ack["code"] == "AUTH_REQUIRED"

    @pytest.mark.parametrize(
        "auth", [{"token": 12}, {"token": None}, ["x"], "token", {"token": "é" * 40}]
    )
    async def test_malformed_handshake_auth_is_unauthenticated(self, rt, world, connect, auth):
        probe = await connect(auth=auth)
        assert probe.client.connected
        assert realtime_user(rt, probe.sid) is None


class TestAuthenticateEvent:
    async def test_answers_authenticated_and_enters_rooms(self, rt, world, connect):
        probe = await connect()
        await probe.emit("authenticate", {"token": world.token(world.alice)})
        data = await probe.next("authenticated")
        assert data == {"id": world.alice.user["id"], "username": "alice"}
        assert probe.sid in room_members(rt, f"u:{world.alice.user['id']}")
        assert probe.sid in room_members(rt, f"g:{world.g1}")

    async def test_ack_carries_the_identity(self, world, connect):
        probe = await connect()
        ack = await probe.call("authenticate", {"token": world.token(world.bob)})
        assert ack == {"ok": True, "id": world.bob.user["id"], "username": "bob"}
        assert await probe.next("authenticated") == {"id": world.bob.user["id"], "username": "bob"}

    async def test_wrong_token_answers_error(self, rt, world, connect):
        probe = await connect()
        await probe.emit("authenticate", {"token": "nope"})
        err = await probe.next("error")
        assert err["code"] == "AUTH_REQUIRED" and err["error"]
        assert realtime_user(rt, probe.sid) is None
        ack = await probe.call("authenticate", {"token": "nope"})
        assert ack["ok"] is False and ack["code"] == "AUTH_REQUIRED"

    @pytest.mark.parametrize(
        ("data", "code", "field"),
        [
            ({}, "MISSING_REQUIRED_FIELD", "token"),
            ({"token": 5}, "INVALID_INPUT", "token"),
            ({"token": ["a"]}, "INVALID_INPUT", "token"),
            ("token", "INVALID_INPUT", None),
            (None, "INVALID_INPUT", None),
        ],
    )
    async def test_bad_payloads(self, world, connect, data, code, field):
        probe = await connect()
        ack = await probe.call("authenticate", data)
        assert ack["ok"] is False and ack["code"] == code
        if field:
            assert ack["details"]["field"] == field

    async def test_same_user_again_is_a_no_op(self, rt, world, connect):
        probe = await connect(token=world.token(world.alice))
        ack = await probe.call("authenticate", {"token": world.token(world.alice)})
        assert ack["ok"] is True and ack["username"] == "alice"
        assert await rt.presence.is_online(world.alice.user["id"])

    async def test_another_user_cannot_take_over_a_signed_in_socket(self, rt, world, connect):
        probe = await connect(token=world.token(world.alice))
        ack = await probe.call("authenticate", {"token": world.token(world.bob)})
        assert ack["ok"] is False and ack["code"] == "INVALID_INPUT"
        assert realtime_user(rt, probe.sid).username == "alice"
        assert probe.sid not in room_members(rt, f"u:{world.bob.user['id']}")

    async def test_racing_authenticates_bind_one_user_once(self, rt, world, connect):
        probe = await connect()
        a, b = world.alice.user["id"], world.bob.user["id"]
        await probe.emit("authenticate", {"token": world.token(world.alice)})
        await probe.emit("authenticate", {"token": world.token(world.bob)})
        first = await probe.next("authenticated")
        # the loser: refused whether it ran alongside (AUTH_REQUIRED) or after (INVALID_INPUT)
        assert (await probe.next("error"))["code"] in ("AUTH_REQUIRED", "INVALID_INPUT")
        await probe.sync()
        assert probe.named("authenticated") == [] and probe.named("error") == []
        winner = realtime_user(rt, probe.sid)
        assert winner.user_id == first["id"]
        loser = b if winner.user_id == a else a
        assert probe.sid in room_members(rt, f"u:{winner.user_id}")
        assert probe.sid not in room_members(rt, f"u:{loser}")
        assert await rt.presence.online_among([a, b]) == {winner.user_id}


class TestUnauthenticatedSocket:
    @pytest.mark.parametrize("event", CLIENT_EVENTS)
    async def test_every_event_answers_auth_required(self, world, connect, event):
        probe = await connect()
        payload = {"room": world.room("general"), "content": "hi", "message_id": 1, "emoji": "👍"}
        await probe.emit(event, payload)
        err = await probe.next("error")
        assert err["code"] == "AUTH_REQUIRED" and isinstance(err["error"], str)
        ack = await probe.call(event, payload)
        assert ack["ok"] is False and ack["code"] == "AUTH_REQUIRED"

    async def test_unknown_events_answer_auth_required(self, world, connect):
        probe = await connect()
        ack = await probe.call("no_such_event", {})
        assert ack["ok"] is False and ack["code"] == "AUTH_REQUIRED"

    async def test_is_in_no_room_and_hears_no_room_traffic(self, rt, world, connect):
        anon = await connect()
        member = await connect(token=world.token(world.alice))
        await member.call("join_room", {"room": world.room("general")})
        rooms = realtime(rt).sio.manager.get_rooms(anon.sid, "/")
        assert rooms == [anon.sid]  # only its own sid room
        ack = await member.call("send_message", {"room": world.room("general"), "content": "x"})
        assert ack["ok"] is True
        await member.next("new_message")
        await anon.sync()
        assert anon.named("new_message") == []


def realtime(rt):
    return rt.realtime


def realtime_user(rt, sid):
    return realtime(rt).sockets.get(sid)
