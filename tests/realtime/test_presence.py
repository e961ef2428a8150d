"""Presence: online while the user has a socket; ``presence_update`` to the user's
guild rooms and friends' user rooms, once per change and once per recipient."""

from __future__ import annotations

from guildhall.users import service as users_service
from tests.realtime.conftest import befriend, listening, settle


class TestPresenceUpdate:
    async def test_online_reaches_guild_mates_and_friends_only(self, rt, world, connect, make_user):
        dave = await make_user("dave")  # carol's friend, shares no guild with alice
        erin = await make_user("erin")  # shares nothing with anyone
        await befriend(rt, world.alice.user["id"], dave.user["id"])
        bob = await listening(rt, connect, world.token(world.bob))
        carol = await listening(rt, connect, world.token(world.carol))
        dave_socket = await listening(rt, connect, dave.user["token"])
        erin_socket = await listening(rt, connect, erin.user["token"])
        await settle(rt)
        for p in (bob, carol, dave_socket, erin_socket):
            p.clear()

        await connect(token=world.token(world.alice))
        expected = {"user_id": world.alice.user["id"], "username": "alice", "status": "online"}
        assert await bob.next("presence_update") == expected
        assert await dave_socket.next("presence_update") == expected
        await settle(rt)
        for p in (carol, erin_socket):
            await p.sync()
            assert p.named("presence_update") == []

    async def test_second_socket_is_not_news_last_socket_closing_is(self, rt, world, connect):
        bob = await listening(rt, connect, world.token(world.bob))
        first = await connect(token=world.token(world.alice))
        assert (await bob.next("presence_update"))["status"] == "online"
        second = await connect(token=world.token(world.alice))
        await first.client.disconnect()
        await settle(rt)
        await bob.sync()
        assert bob.named("presence_update") == []
        assert await rt.presence.is_online(world.alice.user["id"])
        await second.client.disconnect()
        assert await bob.next("presence_update") == {
            "user_id": world.alice.user["id"],
            "username": "alice",
            "status": "offline",
        }
        assert not await rt.presence.is_online(world.alice.user["id"])

    async def test_a_friend_in_several_shared_guilds_hears_it_once(self, rt, world, connect):
        from tests.realtime.conftest import add_guild

        a, b = world.alice.user["id"], world.bob.user["id"]
        await add_guild(rt, a, "Second", [b])
        await add_guild(rt, a, "Third", [b])
        await befriend(rt, a, b)
        bob = await listening(rt, connect, world.token(world.bob))
        await connect(token=world.token(world.alice))
        await bob.next("presence_update")
        await settle(rt)
        await bob.sync()
        assert bob.named("presence_update") == []

    async def test_unauthenticated_sockets_do_not_count(self, rt, world, connect):
        await connect()
        await connect(token="bogus")
        assert await rt.presence.online_among([world.alice.user["id"]]) == set()

    async def test_authenticating_later_counts(self, rt, world, connect):
        bob = await listening(rt, connect, world.token(world.bob))
        probe = await connect()
        await probe.call("authenticate", {"token": world.token(world.alice)})
        assert (await bob.next("presence_update"))["status"] == "online"
        assert await rt.presence.is_online(world.alice.user["id"])

    async def test_logout_takes_the_user_offline(self, rt, world, connect):
        bob = await listening(rt, connect, world.token(world.bob))
        await connect(token=world.token(world.alice))
        assert (await bob.next("presence_update"))["status"] == "online"
        assert (await world.alice.post("/api/logout")).status_code == 200
        assert (await bob.next("presence_update"))["status"] == "offline"


class TestStatusesReadPresence:
    async def test_user_service_statuses(self, rt, world, connect):
        a, b, c = (w.user["id"] for w in (world.alice, world.bob, world.carol))
        watcher = await listening(rt, connect, world.token(world.carol))
        probe = await connect(token=world.token(world.alice))
        # Alice's "online" is announced in the background: settled before the
        # friendship, or carol (a friend by then) hears it ahead of "offline".
        await settle(rt)
        expected = {a: "online", b: "offline", c: "online"}
        assert await users_service.statuses(rt, [a, b, c]) == expected
        assert await users_service.user_status(rt, a) == "online"
        await befriend(rt, a, c)
        await probe.client.disconnect()
        assert (await watcher.next("presence_update"))["status"] == "offline"
        assert await users_service.user_status(rt, a) == "offline"

    async def test_users_list_shows_online_while_a_socket_is_open(self, rt, world, connect):
        watcher = await listening(rt, connect, world.token(world.carol))
        await befriend(rt, world.alice.user["id"], world.carol.user["id"])
        probe = await connect(token=world.token(world.alice))
        assert (await watcher.next("presence_update"))["status"] == "online"
        r = await world.bob.get("/api/users")
        assert r.status_code == 200, r.text
        status = {u["username"]: u["status"] for u in r.json()}
        assert status["alice"] == "online" and status["bob"] == "offline"
        r = await world.bob.get(f"/api/guilds/{world.g1}/members")
        assert r.status_code == 200, r.text
        assert {m["username"]: m["status"] for m in r.json()} == {
            "alice": "online",
            "bob": "offline",
        }
        await probe.client.disconnect()
        assert (await watcher.next("presence_update"))["status"] == "offline"
        r = await world.bob.get("/api/users")
        assert {u["username"]: u["status"] for u in r.json()}["alice"] == "offline"
