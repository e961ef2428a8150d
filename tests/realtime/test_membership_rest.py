"""Membership changes made over REST take effect on live sockets: what the guild,
channel, invite and friend services record is what the sockets then hear."""

from __future__ import annotations

from tests.factories import joined, left_out, say
from tests.realtime.conftest import listening, room_members


class TestLeaveGuild:
    async def test_leaver_hears_nothing_more_from_the_guild(self, rt, world, connect):
        general = world.room("general")
        bob = await joined(rt, connect, world.token(world.bob), general, world.room("random"))
        alice = await joined(rt, connect, world.token(world.alice), general)
        r = await world.bob.delete(f"/api/guilds/{world.g1}/members/@me")
        assert r.status_code == 200, r.text
        left = await alice.next("member_left")
        assert left["user"]["username"] == "bob"
        await say(rt, world.room("random"), 1)
        await left_out(world, alice, bob, general)
        assert bob.named("marker") == []
        for room in (general, world.room("random"), f"g:{world.g1}"):
            assert bob.sid not in room_members(rt, room)


class TestDeleteGuild:
    async def test_every_socket_leaves_the_guilds_rooms(self, rt, world, connect):
        general = world.room("general")
        alice = await joined(rt, connect, world.token(world.alice), general)
        bob = await joined(rt, connect, world.token(world.bob), general)
        r = await world.alice.delete(f"/api/guilds/{world.g1}")
        assert r.status_code == 200, r.text
        for p in (alice, bob):
            assert (await p.next("guild_deleted"))["id"] == world.g1
        table = rt.realtime.sio.manager.rooms["/"]
        assert not [r for r in table if isinstance(r, str) and r.startswith(f"g:{world.g1}")]
        await say(rt, general, 1)
        await say(rt, f"g:{world.g1}", 2)
        for p in (alice, bob):
            await p.sync()
            assert p.named("marker") == []


class TestDeleteChannel:
    async def test_its_room_is_emptied_and_the_rest_kept(self, rt, world, connect):
        general, random = world.room("general"), world.room("random")
        bob = await joined(rt, connect, world.token(world.bob), general, random)
        r = await world.alice.delete(f"/api/channels/{world.general}")
        assert r.status_code == 200, r.text
        assert (await bob.next("channel_deleted"))["id"] == world.general
        assert bob.sid not in room_members(rt, general)
        await say(rt, general, 1)
        await say(rt, random, 2)
        assert await bob.next("marker") == {"n": 2}
        await bob.sync()
        assert bob.named("marker") == []
        ack = await bob.call("join_room", {"room": general})
        assert ack["ok"] is False and ack["code"] == "CHANNEL_NOT_FOUND"


class TestJoinByInvite:
    async def test_guild_traffic_starts_on_the_joiners_live_socket(self, rt, world, connect):
        carol = await listening(rt, connect, world.token(world.carol))
        alice = await listening(rt, connect, world.token(world.alice))
        r = await world.alice.post(f"/api/guilds/{world.g1}/invites", json={})
        assert r.status_code == 201, r.text
        r = await world.carol.post(f"/api/invites/{r.json()['code']}/join")
        assert r.status_code == 200, r.text
        joined_event = await alice.next("member_joined")
        assert joined_event["user"]["username"] == "carol"
        assert carol.sid in room_members(rt, f"g:{world.g1}")
        r = await world.alice.post(f"/api/guilds/{world.g1}/channels", json={"name": "welcome"})
        assert r.status_code == 201, r.text
        created = await carol.next("channel_created")
        assert created["id"] == r.json()["id"]
        room = f"g:{world.g1}:c:{created['id']}"
        assert (await carol.call("join_room", {"room": room}))["ok"] is True
        await alice.call("send_message", {"room": room, "content": "welcome carol"})
        assert (await carol.next("new_message"))["content"] == "welcome carol"


class TestFriendEvents:
    async def test_reach_both_users_rooms_only(self, rt, world, connect):
        alice = await listening(rt, connect, world.token(world.alice))
        bob = await listening(rt, connect, world.token(world.bob))
        carol = await listening(rt, connect, world.token(world.carol))
        r = await world.alice.post("/api/friends/request", json={"to": "bob"})
        assert r.status_code == 200, r.text
        assert (await bob.next("friend_request"))["username"] == "alice"
        assert (await alice.next("friend_request"))["username"] == "bob"
        await carol.sync()
        assert carol.named("friend_request") == []
