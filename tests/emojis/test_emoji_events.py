"""Emoji and sticker changes reach the guild's members live, on the guild room."""

from __future__ import annotations

import pytest

from guildhall.events import guild_room
from tests.emojis.test_emojis import add_emoji
from tests.emojis.test_stickers import add_sticker
from tests.factories import make_guild


@pytest.mark.parametrize(
    ("add", "kind", "name"), [(add_emoji, "emoji", "wave"), (add_sticker, "sticker", "Happy cat")]
)
async def test_created_and_deleted_are_published(alice, bob, rt, captured_events, add, kind, name):
    gid = await make_guild(alice, bob)
    r = await add(alice, gid, name)
    assert r.status_code == 201, r.text
    image = r.json()
    created = [(e.room, e.data) for e in captured_events.named(f"{kind}_created")]
    assert created == [(guild_room(gid), image)]

    assert (await alice.delete(f"/api/{kind}s/{image['id']}")).status_code == 200
    deleted = [(e.room, e.data) for e in captured_events.named(f"{kind}_deleted")]
    assert deleted == [(guild_room(gid), {"id": image["id"], "guild_id": gid})]


async def test_refused_changes_publish_nothing(alice, bob, rt, captured_events):
    gid = await make_guild(alice, bob)
    assert (await add_emoji(bob, gid, "nope")).status_code == 403
    assert (await add_emoji(alice, gid, "dup")).status_code == 201
    assert (await add_emoji(alice, gid, "dup")).status_code == 409
    emoji_id = captured_events.named("emoji_created")[0].data["id"]
    assert (await bob.delete(f"/api/emojis/{emoji_id}")).status_code == 403
    assert len(captured_events.named("emoji_created")) == 1
    assert captured_events.named("emoji_deleted") == []
