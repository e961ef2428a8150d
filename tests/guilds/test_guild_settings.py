"""PUT /api/guilds/{id} (contract section 20): name, icon, description, under
MANAGE_GUILD; guilds everywhere carry icon and description."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.files import samples
from tests.guilds.helpers import create_guild, join
from tests.users.test_profile import fetch_image, upload


class TestUpdateGuild:
    async def test_new_guilds_carry_empty_icon_and_description(self, alice):
        guild = await create_guild(alice)
        assert guild["icon"] is None and guild["description"] is None
        listed = (await alice.get("/api/guilds")).json()
        assert listed[0]["icon"] is None and listed[0]["description"] is None

    async def test_owner_changes_name_and_description(self, alice, bob):
        guild = await create_guild(alice)
        await join(alice, bob, guild["id"])
        r = await alice.put(
            f"/api/guilds/{guild['id']}",
            json={"name": "  Renamed ", "description": "Line one\nline two"},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["name"] == "Renamed" and body["description"] == "Line one\nline two"
        assert body["id"] == guild["id"] and body["owner_id"] == guild["owner_id"]
        seen = (await bob.get(f"/api/guilds/{guild['id']}")).json()
        assert seen["name"] == "Renamed" and seen["description"] == "Line one\nline two"

    async def test_absent_fields_stay_and_empty_description_removes_it(self, alice):
        guild = await create_guild(alice, "Keep")
        gid = guild["id"]
        await alice.put(f"/api/guilds/{gid}", json={"description": "About"})
        r = await alice.put(f"/api/guilds/{gid}", json={})
        assert r.json()["name"] == "Keep" and r.json()["description"] == "About"
        r = await alice.put(f"/api/guilds/{gid}", json={"description": "  "})
        assert r.json()["description"] is None

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": ""}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"name": None}, "name"),
            ({"description": "d" * 301}, "description"),
            ({"description": "bell\x07"}, "description"),
        ],
    )
    async def test_invalid_values(self, alice, body, field):
        guild = await create_guild(alice, "Same")
        r = await alice.put(f"/api/guilds/{guild['id']}", json=body)
        assert_error(r, 400, "INVALID_INPUT", field)
        assert (await alice.get(f"/api/guilds/{guild['id']}")).json()["name"] == "Same"

    async def test_description_of_300_characters_passes(self, alice):
        guild = await create_guild(alice)
        r = await alice.put(f"/api/guilds/{guild['id']}", json={"description": "ж" * 300})
        assert r.status_code == 200 and r.json()["description"] == "ж" * 300

    async def test_icon_is_a_square_copy_and_replacing_it_deletes_the_old(self, alice, bob):
        guild = await create_guild(alice)
        gid = guild["id"]
        await join(alice, bob, gid)
        path = await upload(alice, samples.image("WEBP", (300, 500)), "i.webp")
        r = await alice.put(f"/api/guilds/{gid}", json={"icon": path})
        assert r.status_code == 200, r.text
        icon = r.json()["icon"]
        assert icon.startswith(f"/uploads/icons/{gid}/")
        assert (await fetch_image(bob, icon)).size == (256, 256)
        assert [g["icon"] for g in (await bob.get("/api/guilds")).json()] == [icon]
        r = await alice.put(f"/api/guilds/{gid}", json={"icon": None})
        assert r.json()["icon"] is None
        assert (await bob.get(icon)).status_code == 404

    async def test_deleting_the_guild_deletes_its_icon(self, alice):
        guild = await create_guild(alice)
        path = await upload(alice, samples.png((30, 30)))
        icon = (await alice.put(f"/api/guilds/{guild['id']}", json={"icon": path})).json()["icon"]
        assert (await alice.delete(f"/api/guilds/{guild['id']}")).status_code == 200
        assert (await alice.get(icon)).status_code == 404

    async def test_icon_rules_are_the_avatar_rules(self, alice, bob):
        guild = await create_guild(alice)
        text = await upload(alice, b"plain text\n", "t.txt")
        r = await alice.put(f"/api/guilds/{guild['id']}", json={"icon": text})
        assert_error(r, 400, "INVALID_FILE_TYPE", "icon")
        foreign = await upload(bob, samples.png((10, 10)))
        r = await alice.put(f"/api/guilds/{guild['id']}", json={"icon": foreign})
        assert_error(r, 400, "INVALID_INPUT", "icon")


class TestGuildPermission:
    async def test_member_without_manage_guild_is_refused(self, alice, bob):
        guild = await create_guild(alice, "Orig")
        await join(alice, bob, guild["id"])
        path = await upload(bob, samples.png((10, 10)))
        for body in ({"name": "hacked"}, {"icon": path}, {"description": "x"}):
            r = await bob.put(f"/api/guilds/{guild['id']}", json=body)
            assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
            assert r.json()["details"]["permission"] == "MANAGE_GUILD"
        after = (await alice.get(f"/api/guilds/{guild['id']}")).json()
        assert after["name"] == "Orig" and after["icon"] is None

    async def test_outsider_and_unknown_guild(self, alice, bob):
        guild = await create_guild(alice)
        assert_error(
            await bob.put(f"/api/guilds/{guild['id']}", json={"name": "x"}),
            403,
            "NOT_CHANNEL_MEMBER",
        )
        assert_error(
            await bob.put("/api/guilds/999999", json={"name": "x"}), 404, "GUILD_NOT_FOUND"
        )
        assert_error(await bob.put("/api/guilds/abc", json={"name": "x"}), 404, "GUILD_NOT_FOUND")
