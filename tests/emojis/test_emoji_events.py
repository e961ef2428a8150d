"""Emoji and sticker changes reach the guild's members live, on the guild room."""

from __future__ import annotations

from guildhall.events import guild_room
from tests.emojis.factory import make_guild
from tests.emojis.test_emojis import add_emoji
from tests.emojis.test_stickers import add_sticker


async def test_emoji_created_and_deleted_are_published(alice, bob, rt, captured_events):
    gid = await make_guild(rt, alice, bob)
    r = await add_emoji(alice, gid, "wave")
    assert r.status_code == 201, r.text
    emoji = r.json()
    created = [(e.room, e.data) for e in captured_events.named("emoji_created")]
    assert created == [(guild_room(gid), emoji)]

    assert (await alice.delete(f"/api/emojis/{emoji['id']}")).status_code == 200
    deleted = [(e.room, e.data) for e in captured_events.named("emoji_deleted")]
    assert deleted == [(guild_room(gid), {"id": emoji["id"], "guild_id": gid})]


async def test_sticker_created_and_deleted_are_published(alice, bob, rt, captured_events):
    gid = await make_guild(rt, alice, bob)
    r = await add_sticker(alice, gid, "Happy cat")
    assert r.status_code == 201, r.text
    sticker = r.json()
    created = [(e.room, e.data) for e in captured_events.named("sticker_created")]
    assert created == [(guild_room(gid), sticker)]

    assert (await alice.delete(f"/api/stickers/{sticker['id']}")).status_code == 200
    deleted = [(e.room, e.data) for e in captured_events.named("sticker_deleted")]
    assert deleted == [(guild_room(gid), {"id": sticker["id"], "guild_id": gid})]


async def test_refused_changes_publish_nothing(alice, bob, rt, captured_events):
    gid = await make_guild(rt, alice, bob)
    assert (await add_emoji(bob, gid, "nope")).status_code == 403
    assert (await add_emoji(alice, gid, "dup")).status_code == 201
    assert (await add_emoji(alice, gid, "dup")).status_code == 409
    emoji_id = captured_events.named("emoji_created")[0].data["id"]
    assert (await bob.delete(f"/api/emojis/{emoji_id}")).status_code == 403
    assert len(captured_events.named("emoji_created")) == 1
    assert captured_events.named("emoji_deleted") == []
