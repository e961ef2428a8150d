"""Section 20 changes on live sockets: ``user_updated`` reaches guild-mates and
friends (once each), ``guild_updated`` the guild, and a password reset
disconnects every socket of the user."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from guildhall.kit.ids import hash_token, new_token
from guildhall.kit.time import utcnow
from guildhall.models import PasswordReset
from tests.realtime.conftest import WAIT, befriend, listening


class TestUserUpdated:
    async def test_reaches_guild_mates_and_friends_once_and_nobody_else(
        self, rt, world, connect, make_user
    ):
        dave = await make_user("dave")  # neither friend nor guild-mate
        a, b, c = (u.user["id"] for u in (world.alice, world.bob, world.carol))
        await befriend(rt, a, c)  # a friend in no shared guild
        await befriend(rt, a, b)  # a friend who is also a guild-mate
        bob = await listening(rt, connect, world.token(world.bob))
        carol = await listening(rt, connect, world.token(world.carol))
        stranger = await listening(rt, connect, dave.user["token"])
        r = await world.alice.put("/api/me", json={"display_name": "Ally", "username": "alicia"})
        assert r.status_code == 200, r.text
        expected = {"id": a, "username": "alicia", "display_name": "Ally", "avatar": None}
        assert await bob.next("user_updated") == expected
        assert await carol.next("user_updated") == expected
        for probe in (bob, carol, stranger):
            await probe.sync()
        assert bob.named("user_updated") == [] and carol.named("user_updated") == []
        assert stranger.named("user_updated") == []

    async def test_the_users_own_sockets_hear_it_without_guilds(self, rt, connect, make_user):
        loner = await make_user("loner")
        probe = await listening(rt, connect, loner.user["token"])
        await loner.put("/api/me", json={"display_name": "Solo"})
        assert (await probe.next("user_updated"))["display_name"] == "Solo"

    async def test_a_request_that_changes_nothing_is_silent(self, rt, world, connect):
        bob = await listening(rt, connect, world.token(world.bob))
        assert (await world.alice.put("/api/me", json={"username": "alice"})).status_code == 200
        await bob.sync()
        assert bob.named("user_updated") == []


class TestGuildUpdated:
    async def test_reaches_the_guild_only(self, rt, world, connect):
        bob = await listening(rt, connect, world.token(world.bob))
        carol = await listening(rt, connect, world.token(world.carol))
        r = await world.alice.put(f"/api/guilds/{world.g1}", json={"description": "Hi all"})
        assert r.status_code == 200, r.text
        event = await bob.next("guild_updated")
        assert event == r.json()
        assert event["description"] == "Hi all" and event["icon"] is None
        await carol.sync()
        assert carol.named("guild_updated") == []


class TestPasswordResetDisconnects:
    async def test_every_socket_of_the_user_is_closed(self, rt, world, connect):
        alice = await listening(rt, connect, world.token(world.alice))
        bob = await listening(rt, connect, world.token(world.bob))
        token = new_token()
        async with rt.transaction() as tx:
            tx.session.add(
                PasswordReset(
                    token_hash=hash_token(token),
                    user_id=world.alice.user["id"],
                    expires_at=utcnow() + timedelta(hours=1),
                )
            )
        r = await world.bob.post(
            "/api/password-reset/confirm", json={"token": token, "new_password": "fresh secret 1"}
        )
        assert r.status_code == 200, r.text
        async with asyncio.timeout(WAIT):
            await alice.disconnected.wait()
        await bob.sync()
        assert bob.client.connected
