"""Control events: services record JOIN_ROOMS / LEAVE_ROOMS / DISCONNECT and the
realtime layer applies them to this node's sockets, never passing them on.

These tests commit the control events exactly as the guild, channel and auth
services do, then check that the live sockets' deliveries follow.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete

from guildhall.events import DISCONNECT, JOIN_ROOMS, LEAVE_ROOMS
from guildhall.models import Member
from guildhall.realtime import handlers
from tests.conftest import PASSWORD
from tests.factories import joined, say
from tests.realtime.conftest import add_member, emit_events, room_members


class TestJoinRooms:
    async def test_joining_a_guild_starts_its_traffic_on_live_sockets(self, rt, world, connect):
        bob = await joined(rt, connect, world.token(world.bob))
        await say(rt, f"g:{world.g2}", 1)
        await bob.sync()
        assert bob.named("marker") == []
        uid = world.bob.user["id"]
        await add_member(rt, world.g2, uid)
        await emit_events(rt, (f"u:{uid}", JOIN_ROOMS, {"rooms": [f"g:{world.g2}"]}))
        await say(rt, f"g:{world.g2}", 2)
        assert await bob.next("marker") == {"n": 2}
        # and now the guild's channels can be joined
        ack = await bob.call("join_room", {"room": world.room("lounge")})
        assert ack["ok"] is True
        assert bob.named("@join_rooms") == []


class TestLeaveRooms:
    async def test_leaving_a_guild_stops_guild_and_channel_traffic(self, rt, world, connect):
        general, random = world.room("general"), world.room("random")
        bob = await joined(rt, connect, world.token(world.bob), general, random)
        alice = await joined(rt, connect, world.token(world.alice), general)
        uid = world.bob.user["id"]
        async with rt.transaction() as tx:
            await tx.session.execute(
                delete(Member).where(Member.guild_id == world.g1, Member.user_id == uid)
            )
            tx.emit(f"g:{world.g1}", "member_left", {"guild_id": world.g1, "username": "bob"})
            tx.emit(
                f"u:{uid}",
                LEAVE_ROOMS,
                {"rooms": [f"g:{world.g1}"], "prefixes": [f"g:{world.g1}:"]},
            )
        # the event announcing the leave still reached bob, before the leave
        assert (await bob.next("member_left"))["username"] == "bob"
        for room in (general, random, f"g:{world.g1}"):
            assert bob.sid not in room_members(rt, room)
            await say(rt, room, 1)
        ack = await bob.call("send_message", {"room": general, "content": "still here?"})
        assert ack["ok"] is False and ack["code"] == "NOT_CHANNEL_MEMBER"
        await alice.next("marker")
        await bob.sync()
        assert bob.named("marker") == [] and bob.named("new_message") == []
        # and joining again is refused
        ack = await bob.call("join_room", {"room": general})
        assert ack["ok"] is False and ack["code"] == "NOT_CHANNEL_MEMBER"

    async def test_other_guilds_rooms_are_kept(self, rt, world, connect):
        uid = world.bob.user["id"]
        await add_member(rt, world.g2, uid)
        bob = await joined(rt, connect, world.token(world.bob), world.room("general"))
        await bob.call("join_room", {"room": world.room("lounge")})
        await emit_events(
            rt,
            (f"u:{uid}", LEAVE_ROOMS, {"rooms": [f"g:{world.g1}"], "prefixes": [f"g:{world.g1}:"]}),
        )
        assert bob.sid in room_members(rt, world.room("lounge"))
        assert bob.sid in room_members(rt, f"g:{world.g2}")
        assert bob.sid not in room_members(rt, world.room("general"))

    async def test_deleted_guild_empties_all_its_rooms(self, rt, world, connect):
        general = world.room("general")
        alice = await joined(rt, connect, world.token(world.alice), general)
        bob = await joined(rt, connect, world.token(world.bob), general, world.room("random"))
        carol = await joined(rt, connect, world.token(world.carol), world.room("lounge"))
        g = f"g:{world.g1}"
        await emit_events(
            rt,
            (g, "guild_deleted", {"guild_id": world.g1}),
            (g, LEAVE_ROOMS, {"rooms": [g], "prefixes": [f"{g}:"]}),
        )
        for p in (alice, bob):
            assert await p.next("guild_deleted") == {"guild_id": world.g1}
        manager_rooms = rt.realtime.sio.manager.rooms["/"]
        assert not [r for r in manager_rooms if isinstance(r, str) and r.startswith(g)]
        for room in (general, world.room("random"), g):
            await say(rt, room, 1)
        await say(rt, world.room("lounge"), 2)
        assert await carol.next("marker") == {"n": 2}
        for p in (alice, bob):
            await p.sync()
            assert p.named("marker") == []

    async def test_deleted_channel_leaves_only_that_room(self, rt, world, connect):
        general, random = world.room("general"), world.room("random")
        bob = await joined(rt, connect, world.token(world.bob), general, random)
        await emit_events(
            rt,
            (general, "channel_deleted", {"id": world.general, "guild_id": world.g1}),
            (general, LEAVE_ROOMS, {"rooms": [general]}),
        )
        assert (await bob.next("channel_deleted"))["id"] == world.general
        await say(rt, general, 1)
        await say(rt, random, 2)
        assert await bob.next("marker") == {"n": 2}
        await bob.sync()
        assert bob.named("marker") == []
        assert bob.sid in room_members(rt, f"g:{world.g1}")


class TestDisconnect:
    async def test_logout_disconnects_the_sessions_sockets_only(self, rt, world, connect, anon):
        other = anon()
        r = await other.post("/api/login", json={"username": "alice", "password": PASSWORD})
        assert r.status_code == 200
        doomed = await connect(cookie=world.token(world.alice))
        doomed_too = await connect(token=world.token(world.alice))
        survivor = await connect(token=r.json()["token"])
        r = await world.alice.post("/api/logout")
        assert r.status_code == 200
        for p in (doomed, doomed_too):
            await wait_for(p.disconnected)
            assert p.sid not in rt.realtime.sockets
        assert survivor.client.connected
        ack = await survivor.call("join_room", {"room": world.room("general")})
        assert ack["ok"] is True

    async def test_logged_out_token_cannot_authenticate_again(self, world, connect):
        token = world.token(world.bob)
        assert (await world.bob.post("/api/logout")).status_code == 200
        probe = await connect(token=token)
        ack = await probe.call("authenticate", {"token": token})
        assert ack["ok"] is False and ack["code"] == "AUTH_REQUIRED"

    async def test_password_change_ends_the_old_sessions_sockets(self, rt, world, connect):
        probe = await connect(token=world.token(world.bob))
        r = await world.bob.post(
            "/api/me/password",
            json={"old_password": PASSWORD, "new_password": "a much better password"},
        )
        assert r.status_code == 200, r.text
        await wait_for(probe.disconnected)
        fresh = await connect(token=r.json()["token"])
        assert (await fresh.call("join_room", {"room": world.room("general")}))["ok"] is True

    async def test_all_but_keeps_one_session(self, rt, world, connect, anon):
        other = anon()
        r = await other.post("/api/login", json={"username": "bob", "password": PASSWORD})
        keep_token = r.json()["token"]
        keep = await connect(token=keep_token)
        gone = await connect(token=world.token(world.bob))
        keep_session = rt.realtime.sockets[keep.sid].session_id
        uid = world.bob.user["id"]
        await emit_events(rt, (f"u:{uid}", DISCONNECT, {"all_but": keep_session}))
        await wait_for(gone.disconnected)
        await keep.sync()
        assert keep.client.connected

    async def test_disconnected_socket_receives_nothing_more(self, rt, world, connect):
        general = world.room("general")
        bob = await joined(rt, connect, world.token(world.bob), general)
        alice = await joined(rt, connect, world.token(world.alice), general)
        assert (await world.bob.post("/api/logout")).status_code == 200
        await wait_for(bob.disconnected)
        await say(rt, general, 1)
        assert await alice.next("marker") == {"n": 1}
        assert bob.named("marker") == []
        assert bob.sid not in room_members(rt, general)


class TestControlEventsAreNeverDelivered:
    @pytest.mark.parametrize("name", [JOIN_ROOMS, LEAVE_ROOMS, DISCONNECT])
    async def test_not_sent_to_clients(self, rt, world, connect, name):
        bob = await joined(rt, connect, world.token(world.bob))
        uid = world.bob.user["id"]
        await emit_events(rt, (f"u:{uid}", name, {"rooms": [], "session_ids": []}))
        await say(rt, f"u:{uid}", 1)
        assert await bob.next("marker") == {"n": 1}
        assert [n for n in bob.names() if n.startswith("@")] == []


class TestMembershipRaces:
    async def test_leave_landing_during_the_join_check_is_not_missed(
        self, rt, world, connect, monkeypatch
    ):
        """The check passes, then the leave commits and is delivered before the
        socket enters the room: the join must notice and re-check."""
        bob = await joined(rt, connect, world.token(world.bob))
        uid = world.bob.user["id"]
        real = handlers.channel_in_room
        calls = 0

        async def racing(tx, guild_id, channel_id, user_id):
            nonlocal calls
            calls += 1
            found = await real(tx, guild_id, channel_id, user_id)
            if calls == 1:
                async with rt.transaction() as other:
                    await other.session.execute(
                        delete(Member).where(Member.guild_id == guild_id, Member.user_id == uid)
                    )
                    other.emit(
                        f"u:{uid}",
                        LEAVE_ROOMS,
                        {"rooms": [f"g:{guild_id}"], "prefixes": [f"g:{guild_id}:"]},
                    )
            return found

        monkeypatch.setattr(handlers, "channel_in_room", racing)
        ack = await bob.call("join_room", {"room": world.room("general")})
        assert calls == 2
        assert ack["ok"] is False and ack["code"] == "NOT_CHANNEL_MEMBER"
        assert bob.sid not in room_members(rt, world.room("general"))

    async def test_logout_landing_during_authentication_is_not_missed(
        self, rt, world, connect, monkeypatch
    ):
        server = rt.realtime
        real = server._read_membership
        token = world.token(world.bob)
        calls = 0

        async def racing(tok):
            nonlocal calls
            calls += 1
            found = await real(tok)
            if calls == 1:
                assert (await world.bob.post("/api/logout")).status_code == 200
            return found

        monkeypatch.setattr(server, "_read_membership", racing)
        probe = await connect()
        ack = await probe.call("authenticate", {"token": token})
        assert calls == 2
        assert ack["ok"] is False and ack["code"] == "AUTH_REQUIRED"
        assert server.sockets[probe.sid] is None
        assert not await rt.presence.is_online(world.bob.user["id"])


async def wait_for(event: Any) -> None:
    import asyncio

    async with asyncio.timeout(5):
        await event.wait()
