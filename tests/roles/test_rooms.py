"""Rooms follow permissions, on real python-socketio clients: join_room needs
VIEW_CHANNEL, history needs READ_MESSAGE_HISTORY, and losing VIEW_CHANNEL takes a
socket out of the room before the change is answered."""

from __future__ import annotations

import pytest

from guildhall.permissions.bits import Permission
from tests.realtime.conftest import listening, room_members
from tests.roles.helpers import bits

P = Permission
V = P.VIEW_CHANNEL


@pytest.fixture
async def setup(rt, server, g, connect):
    room = f"g:{g.id}:c:{g.channel}"
    r = await g.alice.post(f"/api/channels/{g.channel}/messages", json={"content": "before"})
    assert r.status_code == 201
    bob = await listening(rt, connect, g.bob.user["token"])
    alice = await listening(rt, connect, g.alice.user["token"])
    for probe in (bob, alice):
        assert (await probe.call("join_room", {"room": room}))["ok"] is True
        await probe.sync()
        probe.clear()
    return room, bob, alice


async def say(g, text: str) -> None:
    r = await g.alice.post(f"/api/channels/{g.channel}/messages", json={"content": text})
    assert r.status_code == 201, r.text


async def seen_only_through(g) -> dict:
    """A role ``insider`` that bob holds and that alone lets him see the channel
    (@everyone is denied VIEW_CHANNEL there)."""
    insider = await g.role("insider")
    await g.give_ok(g.bob, insider)
    await g.overwrite(insider["id"], "role", allow=bits(V))
    await g.overwrite(g.everyone, "role", deny=bits(V))
    return insider


class TestLosingViewChannel:
    async def check_gone(self, rt, g, room, bob, alice) -> None:
        # Answered: bob's socket is already out of the room.
        assert bob.sid not in room_members(rt, room)
        await say(g, "after")
        while (await alice.next("new_message"))["content"] != "after":
            pass  # earlier messages of the test
        await bob.sync()
        assert bob.named("new_message") == []
        ack = await bob.call("join_room", {"room": room})
        assert ack["ok"] is False and ack["code"] == "INSUFFICIENT_PERMISSIONS"
        assert ack["details"]["permission"] == "VIEW_CHANNEL"

    async def test_an_everyone_overwrite(self, rt, g, setup):
        room, bob, alice = setup
        await say(g, "seen")
        assert (await bob.next("new_message"))["content"] == "seen"
        await g.overwrite(g.everyone, "role", deny=bits(V))
        await self.check_gone(rt, g, room, bob, alice)

    async def test_taking_the_role_that_showed_it(self, rt, g, setup):
        room, bob, alice = setup
        insider = await seen_only_through(g)
        assert bob.sid in room_members(rt, room)  # still allowed through the role
        url = f"/api/guilds/{g.id}/members/{g.bob.user['id']}/roles/{insider['id']}"
        assert (await g.alice.delete(url)).status_code == 200
        await self.check_gone(rt, g, room, bob, alice)

    async def test_deleting_the_role_that_showed_it(self, rt, g, setup):
        room, bob, alice = setup
        insider = await seen_only_through(g)
        assert (
            await g.alice.delete(f"/api/guilds/{g.id}/roles/{insider['id']}")
        ).status_code == 200
        await self.check_gone(rt, g, room, bob, alice)

    async def test_a_role_permission_change(self, rt, g, setup):
        room, bob, alice = setup
        await g.set_everyone(0)
        await self.check_gone(rt, g, room, bob, alice)
        assert alice.sid in room_members(rt, room)  # the owner sees everything

    async def test_others_stay(self, rt, g, setup, connect):
        room, bob, _ = setup
        dave = await listening(rt, connect, g.dave.user["token"])
        assert (await dave.call("join_room", {"room": room}))["ok"] is True
        await g.overwrite(g.bob.user["id"], "member", deny=bits(V))
        assert bob.sid not in room_members(rt, room)
        assert dave.sid in room_members(rt, room)


class TestJoinRoom:
    async def test_history_needs_read_message_history(self, rt, g, connect):
        room = f"g:{g.id}:c:{g.channel}"
        await say(g, "old")
        await g.overwrite(g.everyone, "role", deny=bits(P.READ_MESSAGE_HISTORY))
        bob = await listening(rt, connect, g.bob.user["token"])
        assert (await bob.call("join_room", {"room": room}))["ok"] is True
        assert await bob.next("messages_history") == []
        await say(g, "live")
        assert (await bob.next("new_message"))["content"] == "live"

    async def test_timed_out_members_cannot_type_or_send(self, rt, g, connect):
        from tests.roles.test_timeout import time_out

        room = f"g:{g.id}:c:{g.channel}"
        bob = await listening(rt, connect, g.bob.user["token"])
        assert (await bob.call("join_room", {"room": room}))["ok"] is True
        await time_out(rt, g.id, g.bob.user["id"])
        for event, data in (
            ("typing", {"room": room}),
            ("send_message", {"room": room, "content": "x"}),
        ):
            ack = await bob.call(event, data)
            assert ack["ok"] is False and ack["code"] == "MEMBER_TIMED_OUT", (event, ack)
