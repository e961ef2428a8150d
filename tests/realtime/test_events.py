"""Every client event: its answer, the server event it causes, its exact shape, and
exactly who receives it (Zulip style). ``outsider`` is a socket of a user who is
not in the guild, ``idle`` a member's socket that has not joined the room: both
are connected the whole time and must hear nothing from the room."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import MESSAGE_KEYS
from tests.realtime.conftest import Probe, World, add_member, emit_events, realtime


@dataclass
class Room:
    world: World
    name: str
    alice: Probe  # owner, joined
    bob: Probe  # member, joined
    idle: Probe  # bob's second socket, not joined
    outsider: Probe  # carol, not a member

    @property
    def listeners(self) -> list[Probe]:
        return [self.alice, self.bob, self.idle, self.outsider]

    async def sync(self) -> None:
        for p in self.listeners:
            await p.sync()

    def clear(self) -> None:
        for p in self.listeners:
            p.clear()

    def unrelated_heard(self, event: str) -> list[Any]:
        """What the sockets that must hear nothing from the room heard of ``event``."""
        return self.idle.named(event) + self.outsider.named(event)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """This module runs the old write path while it exists
    (``GUILDHALL_SOCKET_DIRECT_WRITE=false``): uvicorn's stock WebSocket protocol,
    python-engineio's queue and writer task per socket. Every other module runs
    the default, frame-once direct write (realtime/wire.py)."""
    return {"socket_direct_write": False}


async def test_this_module_runs_the_queued_write_path(rt: Any, room: Room) -> None:
    sockets = list(realtime(rt).sio.eio.sockets.values())
    assert len(sockets) == 4
    assert all(s.upgraded for s in sockets)  # websockets (the probes' transport)
    assert all(s.wire is None for s in sockets)  # nothing written directly
    message = await send(room.alice, room.name, "queued")
    got = await room.bob.next("new_message")
    assert got["id"] == message["id"]


@pytest.fixture
async def room(world: World, connect: Any) -> Room:
    name = world.room("general")
    alice = await connect(token=world.token(world.alice))
    bob = await connect(token=world.token(world.bob))
    idle = await connect(token=world.token(world.bob))
    outsider = await connect(token=world.token(world.carol))
    for p in (alice, bob):
        assert (await p.call("join_room", {"room": name}))["ok"] is True
    r = Room(world, name, alice, bob, idle, outsider)
    await r.sync()
    r.clear()
    return r


async def send(probe: Probe, room: str, content: str = "hello", **extra: Any) -> dict[str, Any]:
    ack = await probe.call("send_message", {"room": room, "content": content, **extra})
    assert ack["ok"] is True, ack
    return ack["message"]


class TestJoinRoom:
    async def test_answers_joined_room_then_the_newest_fifty_oldest_first(self, world, connect):
        owner = await connect(token=world.token(world.alice))
        name = world.room("general")
        await owner.call("join_room", {"room": name})
        sent = [await send(owner, name, f"m{i}") for i in range(55)]
        probe = await connect(token=world.token(world.bob))
        await probe.emit("join_room", {"room": name})
        await probe.arrived("messages_history")
        names = probe.names()  # in arrival order, before ``next`` takes any
        assert names.index("joined_room") < names.index("messages_history")
        history = await probe.next("messages_history")
        # The channel's current seq: one new_message each (section 18).
        assert await probe.next("joined_room") == {"room": name, "seq": 55}
        assert [m["id"] for m in history] == [m["id"] for m in sent[-50:]]
        assert all(set(m) >= MESSAGE_KEYS for m in history)
        assert history[0]["content"] == "m5" and history[-1]["content"] == "m54"

    async def test_joined_room_comes_before_messages_history(self, world, connect):
        probe = await connect(token=world.token(world.bob))
        await probe.call("join_room", {"room": world.room("random")})
        await probe.sync()
        names = [n for n in probe.names() if n in ("joined_room", "messages_history")]
        assert names == ["joined_room", "messages_history"]
        assert probe.named("messages_history") == [[]]

    async def test_ack(self, world, connect):
        probe = await connect(token=world.token(world.bob))
        ack = await probe.call("join_room", {"room": world.room("general")})
        assert ack == {"ok": True, "room": world.room("general")}

    async def test_non_member_gets_not_channel_member(self, rt, world, connect):
        probe = await connect(token=world.token(world.carol))
        await probe.emit("join_room", {"room": world.room("general")})
        err = await probe.next("error")
        assert err["code"] == "NOT_CHANNEL_MEMBER" and err["error"]
        assert probe.sid not in members(rt, world.room("general"))
        await probe.sync()
        assert probe.named("joined_room") == [] and probe.named("messages_history") == []

    async def test_unknown_channel_gets_channel_not_found(self, world, connect):
        probe = await connect(token=world.token(world.alice))
        ack = await probe.call("join_room", {"room": f"g:{world.g1}:c:999999"})
        assert ack["ok"] is False and ack["code"] == "CHANNEL_NOT_FOUND"

    @pytest.mark.parametrize(
        ("guild", "channel", "code"),
        [
            # carol's channel under guild 1's prefix: bob must not get into
            # g:1:c:<lounge>. The channel is in a guild bob is not in: the same answer
            # as REST gives.
            pytest.param("g1", "lounge", "NOT_CHANNEL_MEMBER", id="foreign-channel-my-guild"),
            # bob's channel under a guild prefix it is not in names nothing.
            pytest.param("g2", "general", "CHANNEL_NOT_FOUND", id="my-channel-foreign-guild"),
        ],
    )
    async def test_a_channel_under_another_guild_prefix(
        self, rt, world, connect, guild, channel, code
    ):
        probe = await connect(token=world.token(world.bob))
        forged = f"g:{getattr(world, guild)}:c:{getattr(world, channel)}"
        ack = await probe.call("join_room", {"room": forged})
        assert ack["ok"] is False and ack["code"] == code
        assert probe.sid not in members(rt, forged)


class TestLeaveRoom:
    async def test_answers_left_room_and_stops_delivery(self, room):
        ack = await room.bob.call("leave_room", {"room": room.name})
        assert ack == {"ok": True, "room": room.name}
        assert await room.bob.next("left_room") == {"room": room.name}
        await send(room.alice, room.name)
        await room.sync()
        assert room.bob.named("new_message") == []
        assert len(room.alice.named("new_message")) == 1

    @pytest.mark.parametrize("target", ["u", "g"])
    async def test_membership_rooms_cannot_be_left(self, rt, world, room, target):
        uid = world.bob.user["id"]
        name = f"u:{uid}" if target == "u" else f"g:{world.g1}"
        ack = await room.bob.call("leave_room", {"room": name})
        assert ack["ok"] is False and ack["code"] == "INVALID_INPUT"
        assert room.bob.sid in members(rt, name)


class TestSendMessage:
    async def test_new_message_reaches_the_room_sender_included(self, room):
        message = await send(room.alice, room.name, "  Hello, world!  ", nonce="n-1")
        assert set(message) >= MESSAGE_KEYS
        assert message["content"] == "Hello, world!"
        assert message["username"] == "alice" and message["nonce"] == "n-1"
        assert message["guild_id"] == room.world.g1
        assert message["channel_id"] == room.world.general
        # Live, it carries the channel's event number too (section 18).
        assert await room.alice.next("new_message") == {**message, "seq": 1}
        assert await room.bob.next("new_message") == {**message, "seq": 1}
        await room.sync()
        assert room.idle.named("new_message") == []
        assert room.outsider.named("new_message") == []

    async def test_without_ack_new_message_still_reaches_the_sender(self, room):
        await room.bob.emit("send_message", {"room": room.name, "content": "no ack"})
        got = await room.bob.next("new_message")
        assert got["content"] == "no ack" and got["username"] == "bob"
        assert (await room.alice.next("new_message"))["id"] == got["id"]

    async def test_member_may_send_without_joining(self, room):
        message = await send(room.idle, room.name, "from the side")
        assert (await room.bob.next("new_message"))["id"] == message["id"]
        await room.sync()
        assert room.idle.named("new_message") == []  # it did not join the room

    async def test_same_nonce_returns_the_first_message_and_broadcasts_once(self, room):
        first = await send(room.alice, room.name, "once", nonce="dup")
        again = await send(room.alice, room.name, "once", nonce="dup")
        assert again["id"] == first["id"]
        await room.sync()
        assert len(room.bob.named("new_message")) == 1

    async def test_non_member_is_refused_and_nothing_is_emitted(self, room):
        ack = await room.outsider.call("send_message", {"room": room.name, "content": "x"})
        assert ack["ok"] is False and ack["code"] == "NOT_CHANNEL_MEMBER"
        await room.sync()
        assert all(p.named("new_message") == [] for p in room.listeners)

    async def test_channel_under_another_guilds_prefix_is_refused_and_rolled_back(self, room):
        forged = f"g:{room.world.g2}:c:{room.world.general}"
        ack = await room.bob.call("send_message", {"room": forged, "content": "sneaky"})
        assert ack["ok"] is False and ack["code"] == "CHANNEL_NOT_FOUND"
        await room.sync()
        assert all(p.named("new_message") == [] for p in room.listeners)
        r = await room.world.alice.get(f"/api/channels/{room.world.general}/messages")
        assert r.json()["messages"] == []

    async def test_read_only_channel_refuses_members_and_emits_nothing(self, rt, room, connect):
        ro = room.world.room("announcements")
        for p in (room.alice, room.bob):
            await p.call("join_room", {"room": ro})
        await room.sync()
        room.clear()
        await room.bob.emit("send_message", {"room": ro, "content": "nope"})
        err = await room.bob.next("error")
        assert err["code"] == "CHANNEL_READ_ONLY"
        await room.sync()
        assert all(p.named("new_message") == [] for p in room.listeners)
        owner_message = await send(room.alice, ro, "owner may")
        assert (await room.bob.next("new_message"))["id"] == owner_message["id"]

    async def test_single_file_and_files_are_validated_by_the_same_rules(self, room):
        ack = await room.alice.call(
            "send_message", {"room": room.name, "content": "f", "file": "uploads/nope/x.png"}
        )
        assert ack["ok"] is False and ack["code"] == "INVALID_INPUT"
        assert ack["details"]["field"] == "files"
        ack = await room.alice.call(
            "send_message", {"room": room.name, "file": {"path": "uploads/nope/x.png"}}
        )
        assert ack["ok"] is False and ack["details"]["field"] == "files"

    async def test_uploaded_file_is_attached(self, room):
        up = await room.world.alice.post(
            "/api/upload", files={"file": ("note.txt", b"hello there\n", "text/plain")}
        )
        assert up.status_code == 201, up.text
        path = up.json()["path"]
        message = await send(room.alice, room.name, "", file={"path": path})
        assert [f["path"] for f in message["files"]] == [path]
        assert (await room.bob.next("new_message"))["files"] == message["files"]

    async def test_rest_send_emits_the_same_new_message(self, room):
        r = await room.world.bob.post(
            f"/api/channels/{room.world.general}/messages", json={"content": "via REST"}
        )
        assert r.status_code == 201, r.text
        got = await room.alice.next("new_message")
        assert got == {**r.json(), "seq": 1}
        assert (await room.bob.next("new_message"))["id"] == got["id"]
        await room.sync()
        assert room.outsider.named("new_message") == [] and room.idle.named("new_message") == []


class TestDeliveryOverPolling:
    async def test_a_polling_socket_hears_the_room(self, rt, world, room, connect):
        await add_member(rt, world.g1, world.carol.user["id"])
        polling = await connect(token=world.token(world.carol), transports=["polling"])
        assert (await polling.call("join_room", {"room": room.name}))["ok"] is True
        message = await send(room.alice, room.name, "over long-polling")
        assert await polling.next("new_message") == {**message, "seq": 1}
        await polling.emit("typing", {"room": room.name})
        assert (await room.alice.next("user_typing"))["username"] == "carol"


class TestTyping:
    @pytest.mark.parametrize(
        ("client_event", "server_event"),
        [("typing", "user_typing"), ("stop_typing", "user_stopped_typing")],
    )
    async def test_reaches_the_others_in_the_room_only(self, room, client_event, server_event):
        ack = await room.alice.call(client_event, {"room": room.name})
        assert ack == {"ok": True}
        got = await room.bob.next(server_event)
        assert got == {
            "username": "alice",
            "user_id": room.world.alice.user["id"],
            "room": room.name,
        }
        await room.sync()
        assert room.alice.named(server_event) == []  # not the typist
        assert room.idle.named(server_event) == []
        assert room.outsider.named(server_event) == []

    async def test_only_from_a_joined_room(self, room):
        await room.idle.emit("typing", {"room": room.name})
        err = await room.idle.next("error")
        assert err["code"] == "NOT_CHANNEL_MEMBER"
        ack = await room.outsider.call("typing", {"room": room.name})
        assert ack["ok"] is False and ack["code"] == "NOT_CHANNEL_MEMBER"
        await room.sync()
        assert room.bob.named("user_typing") == []


class TestReactions:
    async def test_add_and_remove(self, room):
        message = await send(room.bob, room.name, "react to me")
        await room.sync()
        room.clear()
        ack = await room.alice.call(
            "add_reaction", {"room": room.name, "message_id": message["id"], "emoji": "👍"}
        )
        assert ack["ok"] is True
        assert ack["message"]["reactions"] == [{"emoji": "👍", "count": 1, "users": ["alice"]}]
        expected = {"message_id": message["id"], "emoji": "👍", "username": "alice"}
        for p in (room.alice, room.bob):
            assert await p.next("reaction_added") == {**expected, "room": room.name, "seq": 2}
        await room.alice.emit(
            "remove_reaction", {"room": room.name, "message_id": message["id"], "emoji": "👍"}
        )
        for p in (room.alice, room.bob):
            assert await p.next("reaction_removed") == {**expected, "room": room.name, "seq": 3}
        await room.sync()
        for p in (room.idle, room.outsider):
            assert p.named("reaction_added") == [] and p.named("reaction_removed") == []

    async def test_message_of_another_channel_is_not_found_and_unchanged(self, rt, room):
        other = room.world.room("random")
        await room.alice.call("join_room", {"room": other})
        message = await send(room.alice, other, "elsewhere")
        ack = await room.bob.call(
            "add_reaction", {"room": room.name, "message_id": message["id"], "emoji": "👍"}
        )
        assert ack["ok"] is False and ack["code"] == "MESSAGE_NOT_FOUND"
        await room.sync()
        assert room.bob.named("reaction_added") == []
        r = await room.world.alice.get(f"/api/channels/{room.world.random}/messages")
        assert r.json()["messages"][-1]["reactions"] == []


class TestPins:
    async def test_pin_and_unpin(self, room):
        message = await send(room.bob, room.name, "pin me")
        ack = await room.alice.call("pin_message", {"room": room.name, "message_id": message["id"]})
        assert ack["ok"] is True and ack["message_id"] == message["id"]
        assert ack["message"]["pinned"] is True
        for p in (room.alice, room.bob):
            assert await p.next("message_pinned") == {
                "message_id": message["id"],
                "room": room.name,
                "seq": 2,
            }
        await room.bob.emit("unpin_message", {"room": room.name, "message_id": message["id"]})
        for p in (room.alice, room.bob):
            assert await p.next("message_unpinned") == {
                "message_id": message["id"],
                "room": room.name,
                "seq": 3,
            }
        await room.sync()
        for p in (room.idle, room.outsider):
            assert p.named("message_pinned") == [] and p.named("message_unpinned") == []

    async def test_same_rules_as_rest_a_member_cannot_pin_anothers_message(self, room):
        message = await send(room.alice, room.name, "mine")
        ack = await room.bob.call("pin_message", {"room": room.name, "message_id": message["id"]})
        assert ack["ok"] is False and ack["code"] == "INSUFFICIENT_PERMISSIONS"
        await room.sync()
        assert room.alice.named("message_pinned") == []

    async def test_message_must_belong_to_the_room(self, room):
        other = room.world.room("random")
        await room.alice.call("join_room", {"room": other})
        message = await send(room.alice, other, "elsewhere")
        ack = await room.alice.call("pin_message", {"room": room.name, "message_id": message["id"]})
        assert ack["ok"] is False and ack["code"] == "MESSAGE_NOT_FOUND"

    async def test_unknown_message(self, room):
        ack = await room.alice.call("pin_message", {"room": room.name, "message_id": 987654})
        assert ack["ok"] is False and ack["code"] == "MESSAGE_NOT_FOUND"


class TestRestChangesReachTheRoom:
    """message_edited, message_deleted and poll_updated come from REST only: the
    room's joined sockets hear them, nobody else."""

    async def test_message_edited(self, room):
        message = await send(room.alice, room.name, "first")
        await room.sync()
        room.clear()
        r = await room.world.alice.put(f"/api/messages/{message['id']}", json={"content": "second"})
        assert r.status_code == 200, r.text
        for p in (room.alice, room.bob):
            got = await p.next("message_edited")
            assert got["id"] == message["id"] and got["room"] == room.name
            assert got["content"] == "second" and got["edited_at"] == r.json()["edited_at"]
        await room.sync()
        assert room.unrelated_heard("message_edited") == []

    async def test_message_deleted(self, room):
        message = await send(room.bob, room.name, "doomed")
        r = await room.world.alice.delete(f"/api/messages/{message['id']}")
        assert r.status_code == 200, r.text
        for p in (room.alice, room.bob):
            got = await p.next("message_deleted")
            assert got["id"] == message["id"] and got["room"] == room.name
        await room.sync()
        assert room.unrelated_heard("message_deleted") == []

    async def test_poll_updated(self, room):
        message = await send(room.alice, room.name, "vote")
        r = await room.world.alice.post(
            f"/api/messages/{message['id']}/poll",
            json={"question": "Tea?", "options": ["yes", "no"]},
        )
        assert r.status_code == 201, r.text
        poll = r.json()
        r = await room.world.bob.post(f"/api/polls/{poll['id']}/vote", json={"option_id": "1"})
        assert r.status_code == 200, r.text
        for p in (room.alice, room.bob):
            got = await p.next("poll_updated")
            if got["options"][0]["votes"] == 0:  # the creation's own update, if any
                got = await p.next("poll_updated")
            assert got["id"] == poll["id"] and got["message_id"] == message["id"]
            assert got["room"] == room.name and got["options"][0]["votes"] == 1
        await room.sync()
        assert room.unrelated_heard("poll_updated") == []


class TestServiceEventsReachTheirRooms:
    """Events recorded by any service leave after commit and reach their room."""

    async def test_rolled_back_unit_emits_nothing(self, rt, room):
        with pytest.raises(RuntimeError):
            async with rt.transaction() as tx:
                tx.emit(room.name, "new_message", {"id": -1})
                raise RuntimeError("boom")
        await emit_events(rt, (room.name, "marker", {"n": 1}))
        assert await room.bob.next("marker") == {"n": 1}
        assert room.bob.named("new_message") == []

    async def test_skip_sid_excludes_that_socket(self, rt, room):
        async with rt.transaction() as tx:
            tx.emit(room.name, "custom", {"x": 1}, skip_sid=room.bob.sid)
        assert await room.alice.next("custom") == {"x": 1}
        await room.sync()
        assert room.bob.named("custom") == []


def members(rt: Any, name: str) -> set[str]:
    return {sid for sid, _ in rt.realtime.sio.manager.get_participants("/", name)}
