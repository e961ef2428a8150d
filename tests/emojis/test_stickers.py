"""Guild stickers: list (members), create and delete (MANAGE_GUILD_EXPRESSIONS)."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error
from tests.emojis.factory import png_of_size
from tests.factories import make_guild
from tests.files import samples
from tests.files.conftest import stored_files


async def add_sticker(client, guild_id, name="Happy cat", data=None, description=None):
    data = samples.png((64, 64)) if data is None else data
    fields = {}
    if name is not None:
        fields["name"] = name
    if description is not None:
        fields["description"] = description
    return await client.post(
        f"/api/guilds/{guild_id}/stickers",
        files={"file": ("s.png", data, "image/png")},
        data=fields,
    )


class TestCreateSticker:
    async def test_success_shape(self, alice, anon, rt):
        gid = await make_guild(alice)
        r = await add_sticker(alice, gid, "Happy cat!", description="A cat, happy.")
        assert r.status_code == 201, r.text
        body = r.json()
        assert set(body) >= {"id", "name", "file_path", "description", "created_at"}
        assert isinstance(body["id"], str) and body["name"] == "Happy cat!"
        assert body["description"] == "A cat, happy."
        assert body["file_path"].startswith(f"uploads/stickers/{gid}/")
        fetched = await anon().get("/" + body["file_path"])
        assert fetched.status_code == 200 and fetched.content == samples.png((64, 64))
        assert fetched.headers["content-disposition"].startswith("inline")

    async def test_description_is_optional(self, alice, rt):
        gid = await make_guild(alice)
        r = await add_sticker(alice, gid)
        assert r.status_code == 201 and r.json()["description"] is None
        r = await add_sticker(alice, gid, description="   ")
        assert r.status_code == 201 and r.json()["description"] is None

    @pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
    async def test_formats(self, alice, rt, fmt, ext):
        gid = await make_guild(alice)
        r = await add_sticker(alice, gid, data=samples.image(fmt, (32, 32)))
        assert r.status_code == 201, r.text
        assert r.json()["file_path"].endswith("." + ext)

    async def test_names_may_repeat(self, alice, rt):
        gid = await make_guild(alice)
        assert (await add_sticker(alice, gid, "Same")).status_code == 201
        assert (await add_sticker(alice, gid, "Same")).status_code == 201

    async def test_name_is_trimmed(self, alice, rt):
        gid = await make_guild(alice)
        assert (await add_sticker(alice, gid, "  Спасибо  ")).json()["name"] == "Спасибо"


class TestCreateStickerRefuses:
    @pytest.mark.parametrize("name", ["x", "x" * 31, "tab\tname", "new\nline", "  ", "a\x00b"])
    async def test_bad_names(self, alice, rt, name):
        gid = await make_guild(alice)
        assert_error(await add_sticker(alice, gid, name), 400, "INVALID_INPUT", "name")
        assert stored_files(rt) == []

    async def test_missing_name(self, alice, rt):
        gid = await make_guild(alice)
        assert_error(await add_sticker(alice, gid, None), 400, "MISSING_REQUIRED_FIELD", "name")

    async def test_long_description(self, alice, rt):
        gid = await make_guild(alice)
        r = await add_sticker(alice, gid, description="d" * 201)
        assert_error(r, 400, "INVALID_INPUT", "description")
        assert (await add_sticker(alice, gid, description="d" * 200)).status_code == 201

    async def test_gif_is_not_a_sticker(self, alice, rt):
        gid = await make_guild(alice)
        r = await add_sticker(alice, gid, data=samples.image("GIF"))
        assert_error(r, 400, "INVALID_FILE_TYPE", "file")
        assert stored_files(rt) == []

    @pytest.mark.parametrize(
        "data", [samples.HTML, samples.SVG, samples.png_declaring(50_000, 50_000), samples.ZIP]
    )
    async def test_hostile_content(self, alice, rt, data):
        gid = await make_guild(alice)
        assert_error(await add_sticker(alice, gid, data=data), 400, "INVALID_FILE_TYPE")
        assert stored_files(rt) == []

    async def test_size_limit_is_exact(self, alice, rt):
        gid = await make_guild(alice)
        limit = rt.settings.max_sticker_bytes
        assert (await add_sticker(alice, gid, data=png_of_size(limit))).status_code == 201
        assert_error(
            await add_sticker(alice, gid, data=png_of_size(limit + 1)), 413, "FILE_TOO_LARGE"
        )
        assert len(stored_files(rt)) == 1

    async def test_missing_file(self, alice, rt):
        gid = await make_guild(alice)
        r = await alice.post(f"/api/guilds/{gid}/stickers", data={"name": "abc"})
        assert_error(r, 400, "MISSING_REQUIRED_FIELD", "file")


@pytest.mark.parametrize("settings_overrides", [{"max_stickers_per_guild": 1}])
class TestStickerLimit:
    async def test_limit_reached(self, alice, rt):
        gid = await make_guild(alice)
        assert (await add_sticker(alice, gid)).status_code == 201
        assert_error(await add_sticker(alice, gid), 400, "LIMIT_REACHED")
        assert len(stored_files(rt)) == 1


class TestStickerAuthorization:
    async def test_roles(self, alice, bob, carol, anon, rt):
        gid = await make_guild(alice, bob)
        assert_error(await add_sticker(bob, gid), 403, "INSUFFICIENT_PERMISSIONS")
        assert_error(await add_sticker(carol, gid), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await add_sticker(anon(), gid), 401, "AUTH_REQUIRED")
        assert_error(await add_sticker(alice, 424242), 404, "GUILD_NOT_FOUND")
        assert stored_files(rt) == []


class TestListStickers:
    async def test_members_see_them(self, alice, bob, carol, rt):
        gid = await make_guild(alice, bob)
        ids = [(await add_sticker(alice, gid, n)).json()["id"] for n in ("Zed", "Amy")]
        r = await bob.get(f"/api/guilds/{gid}/stickers")
        assert r.status_code == 200 and [s["id"] for s in r.json()] == ids
        assert set(r.json()[0]) >= {"id", "name", "file_path", "description", "created_at"}
        assert_error(await carol.get(f"/api/guilds/{gid}/stickers"), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await bob.get("/api/guilds/x/stickers"), 404, "GUILD_NOT_FOUND")


class TestDeleteSticker:
    async def test_owner_deletes(self, alice, bob, carol, rt):
        gid = await make_guild(alice, bob)
        sticker = (await add_sticker(alice, gid)).json()
        assert_error(
            await bob.delete(f"/api/stickers/{sticker['id']}"), 403, "INSUFFICIENT_PERMISSIONS"
        )
        assert_error(
            await carol.delete(f"/api/stickers/{sticker['id']}"), 403, "NOT_CHANNEL_MEMBER"
        )
        r = await alice.delete(f"/api/stickers/{sticker['id']}")
        assert r.status_code == 200 and r.json() == {"success": True}
        assert stored_files(rt) == []
        assert (await alice.get(f"/api/guilds/{gid}/stickers")).json() == []
        r = await alice.delete(f"/api/stickers/{sticker['id']}")
        assert_error(r, 404, "STICKER_NOT_FOUND")

    async def test_unknown(self, alice):
        assert_error(await alice.delete("/api/stickers/missing"), 404, "STICKER_NOT_FOUND")
