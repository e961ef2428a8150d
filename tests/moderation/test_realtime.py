"""A kicked or banned member's real python-socketio client: it hears
``guild_removed``, leaves every room of the guild at once, and hears nothing of the
guild after; the others hear ``member_left``. A timeout is ``member_updated``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import joined, left_out
from tests.realtime.conftest import listening, room_members


@pytest.mark.parametrize("how", ["kick", "ban"])
async def test_a_removed_member_stops_hearing_the_guild(rt, world, connect, how):
    general, random = world.room("general"), world.room("random")
    bob = await joined(rt, connect, world.token(world.bob), general, random)
    alice = await joined(rt, connect, world.token(world.alice), general)
    bid = world.bob.user["id"]
    if how == "kick":
        r = await world.alice.delete(f"/api/guilds/{world.g1}/members/{bid}")
    else:
        r = await world.alice.put(f"/api/guilds/{world.g1}/bans/{bid}")
    assert r.status_code == 200, r.text

    assert await bob.next("guild_removed") == {"guild_id": world.g1}
    left = await alice.next("member_left")
    assert (left["guild_id"], left["user_id"], left["username"]) == (world.g1, bid, "bob")
    # Out of every room of the guild before the REST answer (this node delivers first).
    for room in (general, random, f"g:{world.g1}"):
        assert bob.sid not in room_members(rt, room)

    await left_out(world, alice, bob, general)
    ack = await bob.call("join_room", {"room": general})
    assert ack["ok"] is False and ack["code"] == "NOT_CHANNEL_MEMBER"


async def test_a_timeout_is_member_updated_to_the_guild(rt, world, connect):
    alice = await listening(rt, connect, world.token(world.alice))
    until = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    bid = world.bob.user["id"]
    r = await world.alice.put(
        f"/api/guilds/{world.g1}/members/{bid}", json={"communication_disabled_until": until}
    )
    assert r.status_code == 200, r.text
    event = await alice.next("member_updated")
    assert event == {**r.json(), "guild_id": world.g1}
