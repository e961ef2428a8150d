"""``channel_access(..., detached=True)`` (the hot reads: a send, a socket's join and
first page): the same answer as the tracked one, from plain columns, as read-only
copies the session does not hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import inspect

from guildhall.errors import AppError
from guildhall.guilds.access import channel_access
from guildhall.models import Channel, Guild
from tests.messages.factories import make_world

CHANNEL_KEYS = [p.key for p in Channel.__mapper__.column_attrs]
GUILD_KEYS = [p.key for p in Guild.__mapper__.column_attrs]


def values(obj: Any, keys: list[str]) -> dict[str, Any] | None:
    return None if obj is None else {k: getattr(obj, k) for k in keys}


async def both(rt: Any, channel_id: int, user_id: int) -> tuple[Any, Any]:
    async with rt.transaction(write=False) as tx:
        tracked = await channel_access(tx, channel_id, user_id, with_author=True)
        detached = await channel_access(tx, channel_id, user_id, True, detached=True)
        assert inspect(detached.channel).transient
        assert detached.channel not in tx.session
        assert detached.guild is None or detached.guild not in tx.session
        assert inspect(tracked.channel).persistent
    return tracked, detached


def same(tracked: Any, detached: Any) -> None:
    assert values(detached.channel, CHANNEL_KEYS) == values(tracked.channel, CHANNEL_KEYS)
    assert values(detached.guild, GUILD_KEYS) == values(tracked.guild, GUILD_KEYS)
    for field in ("user_id", "permissions", "timed_out_until", "username", "avatar"):
        assert getattr(detached, field) == getattr(tracked, field), field
    assert detached.display_name == tracked.display_name


async def test_a_guild_channel_for_owner_member_and_a_timed_out_member(rt, alice, bob, carol):
    world = await make_world(rt, alice, bob, carol)
    await world.send(alice, "counted")  # message_count, last_message_id, seq move
    until = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    r = await alice.put(
        f"/api/guilds/{world.guild_id}/members/{bob.user['id']}",
        json={"communication_disabled_until": until.isoformat()},
    )
    assert r.status_code == 200, r.text
    for client in (alice, bob):
        tracked, detached = await both(rt, world.channel_id, client.user["id"])
        same(tracked, detached)
        assert detached.channel.message_count == 1
    _, bobs = await both(rt, world.channel_id, bob.user["id"])
    assert bobs.timed_out_until == until
    # Not a member, no such channel: the same refusals.
    for user_id, channel_id, code in (
        (carol.user["id"], world.channel_id, "NOT_CHANNEL_MEMBER"),
        (alice.user["id"], world.channel_id + 999, "CHANNEL_NOT_FOUND"),
    ):
        async with rt.transaction(write=False) as tx:
            with pytest.raises(AppError) as refused:
                await channel_access(tx, channel_id, user_id, detached=True)
        assert refused.value.code == code


async def test_a_dm_has_no_guild(rt, alice, bob, carol):
    await make_world(rt, alice, bob, carol)  # alice and bob share a guild
    r = await alice.post("/api/users/@me/channels", json={"recipient_id": bob.user["id"]})
    assert r.status_code == 200, r.text
    tracked, detached = await both(rt, r.json()["id"], bob.user["id"])
    same(tracked, detached)
    assert detached.guild is None and detached.channel.type == "dm"
