from __future__ import annotations

import pytest

from guildhall.events import LEAVE_ROOMS, channel_room, guild_room
from guildhall.models import Attachment, Channel, Message, Upload
from tests.conftest import assert_error
from tests.guilds.helpers import (
    count,
    create_channel,
    create_guild,
    join,
    message_with_upload,
    on_disk,
)

NO_CSRF = {"X-CSRF-Token": ""}


async def assert_owner_only(method, url, alice, bob, carol, anon, **request):
    """``method url`` (with ``request``'s body) is refused to a member without the
    permission (bob), an outsider (carol), anyone signed out, and the owner
    (alice) without the CSRF header."""
    for client, status, code in [
        (bob, 403, "INSUFFICIENT_PERMISSIONS"),
        (carol, 403, "NOT_CHANNEL_MEMBER"),
        (anon(), 401, "AUTH_REQUIRED"),
    ]:
        assert_error(await client.request(method, url, **request), status, code)
    r = await alice.request(method, url, headers=NO_CSRF, **request)
    assert_error(r, 403, "INVALID_CSRF_TOKEN")


CHANNEL_FIELDS = {
    "id",
    "name",
    "type",
    "guild_id",
    "position",
    "category_id",
    "read_only",
    "created_at",
    "permission_overwrites",
}


@pytest.fixture
async def guild(alice, bob):
    """alice's guild, with bob as a plain member."""
    g = await create_guild(alice)
    await join(alice, bob, g["id"])
    return g


class TestCreateChannel:
    async def test_shape_and_positions(self, alice, guild, captured_events):
        r = await alice.post(f"/api/guilds/{guild['id']}/channels", json={"name": " general "})
        assert r.status_code == 201
        first = r.json()
        assert set(first) == CHANNEL_FIELDS
        assert first["name"] == "general" and first["type"] == "text"
        assert first["guild_id"] == guild["id"] and first["position"] == 0
        assert first["category_id"] is None and first["read_only"] is False
        assert first["created_at"].endswith("Z")
        voice = await create_channel(alice, guild["id"], name="talk", type="voice")
        category = await create_channel(alice, guild["id"], name="Games", type="category")
        assert (voice["type"], voice["position"]) == ("voice", 1)
        assert (category["type"], category["position"]) == ("category", 2)
        created = [(e.room, e.data) for e in captured_events.named("channel_created")]
        assert created == [(guild_room(guild["id"]), c) for c in (first, voice, category)]

    async def test_in_a_category(self, alice, guild):
        category = await create_channel(alice, guild["id"], name="Games", type="category")
        inside = await create_channel(alice, guild["id"], name="chess", category_id=category["id"])
        assert inside["category_id"] == category["id"]
        voice = await create_channel(
            alice, guild["id"], name="lobby", type="voice", category_id=category["id"]
        )
        assert voice["category_id"] == category["id"]

    async def test_next_free_position_after_a_move(self, alice, guild):
        a = await create_channel(alice, guild["id"], name="a")
        await alice.put(f"/api/channels/{a['id']}", json={"position": 7})
        assert (await create_channel(alice, guild["id"], name="b"))["position"] == 8

    async def test_bad_category(self, rt, alice, bob, guild):
        text = await create_channel(alice, guild["id"], name="text")
        category = await create_channel(alice, guild["id"], name="cat", type="category")
        elsewhere = await create_guild(alice, "other")
        foreign = await create_channel(alice, elsewhere["id"], name="cat", type="category")
        url = f"/api/guilds/{guild['id']}/channels"
        for body in [
            {"name": "x", "category_id": text["id"]},  # not a category
            {"name": "x", "category_id": foreign["id"]},  # another guild's
            {"name": "x", "category_id": 999999},
            {"name": "x", "category_id": 2**70},
            {"name": "x", "category_id": -3},
            {"name": "x", "category_id": "1"},
            {"name": "x", "type": "category", "category_id": category["id"]},  # nested
        ]:
            assert_error(await alice.post(url, json=body), 400, "INVALID_INPUT", "category_id")
        assert await count(rt, Channel, Channel.guild_id == guild["id"]) == 2

    @pytest.mark.parametrize(
        ("body", "code", "field"),
        [
            ({}, "MISSING_REQUIRED_FIELD", "name"),
            ({"type": "text"}, "MISSING_REQUIRED_FIELD", "name"),
            ({"name": ""}, "INVALID_INPUT", "name"),
            ({"name": "  "}, "INVALID_INPUT", "name"),
            ({"name": "n" * 101}, "INVALID_INPUT", "name"),
            ({"name": "n" * 200_000}, "INVALID_INPUT", "name"),
            ({"name": 12}, "INVALID_INPUT", "name"),
            ({"name": "x", "type": "forum"}, "INVALID_INPUT", "type"),
            ({"name": "x", "type": "TEXT"}, "INVALID_INPUT", "type"),
            ({"name": "x", "type": 1}, "INVALID_INPUT", "type"),
            ({"name": "x", "type": None}, "INVALID_INPUT", "type"),
        ],
    )
    async def test_bad_input_creates_nothing(self, rt, alice, guild, body, code, field):
        r = await alice.post(f"/api/guilds/{guild['id']}/channels", json=body)
        assert_error(r, 400, code, field)
        assert await count(rt, Channel) == 0

    async def test_owner_only(self, rt, anon, alice, bob, carol, guild):
        url = f"/api/guilds/{guild['id']}/channels"
        await assert_owner_only("POST", url, alice, bob, carol, anon, json={"name": "x"})
        assert await count(rt, Channel) == 0

    @pytest.mark.parametrize("gid", ["123456", "abc", "0", "1e3"])
    async def test_unknown_guild(self, alice, gid):
        r = await alice.post(f"/api/guilds/{gid}/channels", json={"name": "x"})
        assert_error(r, 404, "GUILD_NOT_FOUND")


class TestChannelLimit:
    @pytest.fixture
    def settings_overrides(self):
        return {"max_channels_per_guild": 3}

    async def test_fourth_channel_refused(self, rt, alice):
        guild = await create_guild(alice)
        for name in ("a", "b", "c"):
            await create_channel(alice, guild["id"], name=name)
        r = await alice.post(f"/api/guilds/{guild['id']}/channels", json={"name": "d"})
        assert_error(r, 400, "LIMIT_REACHED")
        assert await count(rt, Channel) == 3
        # the limit is per guild
        other = await create_guild(alice, "other")
        await create_channel(alice, other["id"], name="a")


class TestListChannels:
    async def test_members_see_them_by_position_then_id(self, alice, bob, guild):
        a = await create_channel(alice, guild["id"], name="a")
        b = await create_channel(alice, guild["id"], name="b")
        c = await create_channel(alice, guild["id"], name="c")
        await alice.put(f"/api/channels/{c['id']}", json={"position": 0})
        r = await bob.get(f"/api/guilds/{guild['id']}/channels")
        assert r.status_code == 200
        listed = r.json()
        assert [ch["name"] for ch in listed] == ["a", "c", "b"]  # a and c share 0: by id
        assert all(set(ch) == CHANNEL_FIELDS for ch in listed)
        assert listed[2] == b and listed[0] == a

    async def test_refused_to_outsiders(self, anon, alice, carol, guild):
        url = f"/api/guilds/{guild['id']}/channels"
        assert_error(await carol.get(url), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await anon().get(url), 401, "AUTH_REQUIRED")
        assert_error(await alice.get("/api/guilds/4040/channels"), 404, "GUILD_NOT_FOUND")
        assert_error(await alice.get("/api/guilds/four/channels"), 404, "GUILD_NOT_FOUND")


class TestUpdateChannel:
    async def test_any_subset(self, alice, bob, guild, captured_events):
        ch = await create_channel(alice, guild["id"], name="general")
        category = await create_channel(alice, guild["id"], name="cat", type="category")
        captured_events.clear()
        r = await alice.put(f"/api/channels/{ch['id']}", json={"name": " news ", "read_only": True})
        assert r.status_code == 200
        assert r.json() == {**ch, "name": "news", "read_only": True}
        r = await alice.put(
            f"/api/channels/{ch['id']}", json={"position": 5, "category_id": category["id"]}
        )
        assert r.json() == {
            **ch,
            "name": "news",
            "read_only": True,
            "position": 5,
            "category_id": category["id"],
        }
        r = await alice.put(f"/api/channels/{ch['id']}", json={"category_id": None})
        assert r.json()["category_id"] is None and r.json()["position"] == 5
        updated = [e.data for e in captured_events.named("channel_updated")]
        assert len(updated) == 3 and updated[-1] == r.json()
        assert {e.room for e in captured_events.events} == {guild_room(guild["id"])}
        listed = (await bob.get(f"/api/guilds/{guild['id']}/channels")).json()
        assert r.json() in listed

    async def test_empty_body_changes_nothing(self, alice, guild, captured_events):
        ch = await create_channel(alice, guild["id"])
        captured_events.clear()
        r = await alice.put(f"/api/channels/{ch['id']}", json={})
        assert r.status_code == 200 and r.json() == ch
        assert captured_events.events == []

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"read_only": "true"}, "read_only"),
            ({"read_only": 1}, "read_only"),
            ({"read_only": None}, "read_only"),
            ({"name": None}, "name"),
            ({"name": ""}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"name": ["x"]}, "name"),
            ({"position": -1}, "position"),
            ({"position": 2**31}, "position"),
            ({"position": 10**40}, "position"),
            ({"position": "1"}, "position"),
            ({"position": 1.0}, "position"),
            ({"position": None}, "position"),
            ({"category_id": 987654}, "category_id"),
            ({"category_id": "x"}, "category_id"),
            ({"name": "fine", "position": -5}, "position"),  # one bad field: nothing changes
        ],
    )
    async def test_bad_values_change_nothing(self, alice, guild, body, field):
        ch = await create_channel(alice, guild["id"])
        assert_error(
            await alice.put(f"/api/channels/{ch['id']}", json=body), 400, "INVALID_INPUT", field
        )
        assert (await alice.get(f"/api/guilds/{guild['id']}/channels")).json() == [ch]

    async def test_category_rules(self, alice, guild):
        cat = await create_channel(alice, guild["id"], name="cat", type="category")
        other_cat = await create_channel(alice, guild["id"], name="cat2", type="category")
        text = await create_channel(alice, guild["id"], name="text")
        r = await alice.put(f"/api/channels/{cat['id']}", json={"category_id": other_cat["id"]})
        assert_error(r, 400, "INVALID_INPUT", "category_id")
        r = await alice.put(f"/api/channels/{text['id']}", json={"category_id": text["id"]})
        assert_error(r, 400, "INVALID_INPUT", "category_id")
        elsewhere = await create_guild(alice, "other")
        foreign = await create_channel(alice, elsewhere["id"], name="c", type="category")
        r = await alice.put(f"/api/channels/{text['id']}", json={"category_id": foreign["id"]})
        assert_error(r, 400, "INVALID_INPUT", "category_id")

    async def test_owner_only(self, anon, alice, bob, carol, guild):
        ch = await create_channel(alice, guild["id"])
        url = f"/api/channels/{ch['id']}"
        await assert_owner_only("PUT", url, alice, bob, carol, anon, json={"name": "x"})
        assert (await alice.get(f"/api/guilds/{guild['id']}/channels")).json() == [ch]

    @pytest.mark.parametrize("cid", ["99999", "general", "-1", str(2**63)])
    async def test_unknown_channel(self, alice, cid):
        assert_error(
            await alice.put(f"/api/channels/{cid}", json={"name": "x"}), 404, "CHANNEL_NOT_FOUND"
        )


class TestDeleteChannel:
    async def test_deletes_it_its_messages_and_files(self, rt, alice, guild, captured_events):
        ch = await create_channel(alice, guild["id"])
        keep = await create_channel(alice, guild["id"], name="keep")
        _, path = await message_with_upload(rt, ch, alice.user["id"])
        _, shared = await message_with_upload(rt, ch, alice.user["id"])
        await message_with_upload(rt, keep, alice.user["id"], upload_path=shared)
        file = on_disk(rt, path)
        assert file.exists()
        captured_events.clear()
        r = await alice.delete(f"/api/channels/{ch['id']}")
        assert r.status_code == 200 and r.json() == {"message": "Channel deleted successfully"}
        own = channel_room(guild["id"], ch["id"])
        assert [(e.room, e.name, e.data) for e in captured_events.events] == [
            (guild_room(guild["id"]), "channel_deleted", ch),
            (own, LEAVE_ROOMS, {"rooms": [own]}),
        ]
        assert await count(rt, Message, Message.channel_id == ch["id"]) == 0
        assert await count(rt, Upload, Upload.path == path) == 0 and not file.exists()
        assert await count(rt, Upload, Upload.path == shared) == 1
        assert on_disk(rt, shared).exists()
        assert await count(rt, Attachment) == 1  # the one in "keep"
        assert (await alice.get(f"/api/guilds/{guild['id']}/channels")).json() == [keep]

    async def test_deleting_a_category_keeps_its_channels(self, alice, guild, captured_events):
        cat = await create_channel(alice, guild["id"], name="cat", type="category")
        inside = await create_channel(alice, guild["id"], name="in", category_id=cat["id"])
        captured_events.clear()
        assert (await alice.delete(f"/api/channels/{cat['id']}")).status_code == 200
        freed = {**inside, "category_id": None}
        assert (await alice.get(f"/api/guilds/{guild['id']}/channels")).json() == [freed]
        assert [e.data for e in captured_events.named("channel_updated")] == [freed]

    async def test_owner_only(self, rt, anon, alice, bob, carol, guild):
        ch = await create_channel(alice, guild["id"])
        await assert_owner_only("DELETE", f"/api/channels/{ch['id']}", alice, bob, carol, anon)
        assert await count(rt, Channel) == 1

    @pytest.mark.parametrize("cid", ["99999", "x"])
    async def test_unknown_channel(self, alice, cid):
        assert_error(await alice.delete(f"/api/channels/{cid}"), 404, "CHANNEL_NOT_FOUND")
