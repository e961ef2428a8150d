"""Custom guild emojis: list (members), create and delete (MANAGE_GUILD_EXPRESSIONS)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from guildhall.models import Emoji
from tests.conftest import assert_error
from tests.emojis.factory import png_of_size
from tests.factories import make_guild
from tests.files import samples
from tests.files.conftest import multipart, stored_files


async def add_emoji(client, guild_id, name="smile", data=None, filename="e.png"):
    data = samples.png() if data is None else data
    return await client.post(
        f"/api/guilds/{guild_id}/emojis",
        files={"file": (filename, data, "image/png")},
        data={"name": name} if name is not None else {},
    )


class TestCreateEmoji:
    async def test_success_shape_and_served_inline(self, alice, anon, rt):
        gid = await make_guild(alice)
        r = await add_emoji(alice, gid, "party_1")
        assert r.status_code == 201, r.text
        body = r.json()
        assert set(body) >= {"id", "name", "file_path", "animated", "created_at"}
        assert isinstance(body["id"], str) and body["name"] == "party_1"
        assert body["animated"] is False and body["created_at"].endswith("Z")
        assert body["file_path"].startswith(f"uploads/emojis/{gid}/")
        assert body["file_path"].endswith(".png")
        fetched = await anon().get("/" + body["file_path"])
        assert fetched.status_code == 200 and fetched.content == samples.png()
        assert fetched.headers["content-type"] == "image/png"
        assert fetched.headers["content-disposition"].startswith("inline")
        assert fetched.headers["x-content-type-options"] == "nosniff"

    @pytest.mark.parametrize(
        ("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"), ("WEBP", "webp")]
    )
    async def test_each_format_by_content(self, alice, rt, fmt, ext):
        gid = await make_guild(alice)
        r = await add_emoji(alice, gid, data=samples.image(fmt, (32, 32)), filename="x.bin")
        assert r.status_code == 201, r.text
        assert r.json()["file_path"].endswith("." + ext)
        assert r.json()["animated"] is False

    @pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
    async def test_animated(self, alice, rt, fmt):
        gid = await make_guild(alice)
        r = await add_emoji(alice, gid, data=samples.image(fmt, (16, 16), frames=3))
        assert r.status_code == 201, r.text
        assert r.json()["animated"] is True

    async def test_same_name_in_another_guild_is_fine(self, alice, rt):
        g1, g2 = await make_guild(alice), await make_guild(alice)
        assert (await add_emoji(alice, g1, "wave")).status_code == 201
        assert (await add_emoji(alice, g2, "wave")).status_code == 201


class TestCreateEmojiRefuses:
    @pytest.mark.parametrize("name", ["a", "x" * 33, "bad-name", "with space", "héllo", "", ":x:"])
    async def test_bad_names(self, alice, rt, name):
        gid = await make_guild(alice)
        assert_error(await add_emoji(alice, gid, name), 400, "INVALID_INPUT", "name")
        assert stored_files(rt) == []

    async def test_missing_name(self, alice, rt):
        gid = await make_guild(alice)
        assert_error(await add_emoji(alice, gid, None), 400, "MISSING_REQUIRED_FIELD", "name")

    async def test_missing_file(self, alice, rt):
        gid = await make_guild(alice)
        r = await alice.post(f"/api/guilds/{gid}/emojis", data={"name": "smile"})
        assert_error(r, 400, "MISSING_REQUIRED_FIELD", "file")
        body, headers = multipart([('Content-Disposition: form-data; name="name"', "smile")])
        r = await alice.post(f"/api/guilds/{gid}/emojis", content=body, headers=headers)
        assert_error(r, 400, "MISSING_REQUIRED_FIELD", "file")

    async def test_duplicate_name_conflicts_and_leaves_no_file(self, alice, rt):
        gid = await make_guild(alice)
        assert (await add_emoji(alice, gid, "dup")).status_code == 201
        before = stored_files(rt)
        assert_error(await add_emoji(alice, gid, "dup"), 409, "CONFLICT")
        assert stored_files(rt) == before

    async def test_concurrent_same_name_one_wins(self, alice, rt):
        gid = await make_guild(alice)
        results = await asyncio.gather(*(add_emoji(alice, gid, "race") for _ in range(4)))
        codes = sorted(r.status_code for r in results)
        assert codes == [201, 409, 409, 409]
        assert len(stored_files(rt)) == 1

    async def test_unique_constraint_holds_in_the_database(self, alice, rt):
        gid = await make_guild(alice)
        assert (await add_emoji(alice, gid, "solo")).status_code == 201
        with pytest.raises(IntegrityError):
            async with rt.transaction() as tx:
                tx.session.add(Emoji(guild_id=gid, name="solo", file_path="uploads/emojis/x"))
                await tx.session.flush()

    @pytest.mark.parametrize(
        "data",
        [
            samples.HTML,
            samples.SVG,
            samples.PDF,
            samples.GIF_HTML_POLYGLOT,
            samples.png_declaring(100_000, 100_000),
            samples.png((1025, 4)),
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        ],
    )
    async def test_not_an_acceptable_image(self, alice, rt, data):
        gid = await make_guild(alice)
        assert_error(await add_emoji(alice, gid, data=data), 400, "INVALID_FILE_TYPE", "file")
        assert stored_files(rt) == []
        async with rt.transaction(write=False) as tx:
            assert (await tx.session.scalars(select(Emoji))).all() == []

    async def test_empty_file(self, alice, rt):
        gid = await make_guild(alice)
        assert_error(await add_emoji(alice, gid, data=b""), 400, "INVALID_INPUT", "file")

    async def test_size_limit_is_exact(self, alice, rt):
        gid = await make_guild(alice)
        limit = rt.settings.max_emoji_bytes
        assert (await add_emoji(alice, gid, "exact", png_of_size(limit))).status_code == 201
        r = await add_emoji(alice, gid, "over", png_of_size(limit + 1))
        assert_error(r, 413, "FILE_TOO_LARGE")
        assert len(stored_files(rt)) == 1

    async def test_huge_body_is_cut_early(self, alice, rt):
        gid = await make_guild(alice)
        r = await add_emoji(alice, gid, "big", b"\x89PNG" + b"\x00" * (5 * 1024 * 1024))
        assert_error(r, 413, "FILE_TOO_LARGE")
        assert stored_files(rt) == []


@pytest.mark.parametrize("settings_overrides", [{"max_emojis_per_guild": 2}])
class TestEmojiLimit:
    async def test_limit_reached(self, alice, rt):
        gid = await make_guild(alice)
        for name in ("one", "two"):
            assert (await add_emoji(alice, gid, name)).status_code == 201
        assert_error(await add_emoji(alice, gid, "three"), 400, "LIMIT_REACHED")
        assert len(stored_files(rt)) == 2


@pytest.mark.parametrize("settings_overrides", [{"upload_rate_limit": "2/minute"}])
class TestEmojiRateLimit:
    async def test_creations_count_as_uploads(self, alice, rt):
        gid = await make_guild(alice)
        assert (await add_emoji(alice, gid, "one")).status_code == 201
        assert (
            await alice.post("/api/upload", files={"file": ("a.txt", b"x\n")})
        ).status_code == 201
        assert_error(await add_emoji(alice, gid, "two"), 429, "RATE_LIMIT_EXCEEDED")


class TestEmojiAuthorization:
    async def test_member_is_not_owner(self, alice, bob, rt):
        gid = await make_guild(alice, bob)
        assert_error(await add_emoji(bob, gid), 403, "INSUFFICIENT_PERMISSIONS")
        assert stored_files(rt) == []

    async def test_non_member(self, alice, carol, rt):
        gid = await make_guild(alice)
        assert_error(await add_emoji(carol, gid), 403, "NOT_CHANNEL_MEMBER")

    async def test_anonymous(self, alice, anon, rt):
        gid = await make_guild(alice)
        assert_error(await add_emoji(anon(), gid), 401, "AUTH_REQUIRED")

    async def test_missing_csrf(self, alice, rt):
        gid = await make_guild(alice)
        r = await alice.post(
            f"/api/guilds/{gid}/emojis",
            files={"file": ("e.png", samples.png(), "image/png")},
            data={"name": "x1"},
            headers={"X-CSRF-Token": "nope"},
        )
        assert_error(r, 403, "INVALID_CSRF_TOKEN")

    @pytest.mark.parametrize("gid", ["999999", "abc", "-1", "0", "9" * 30])
    async def test_unknown_guild(self, alice, gid):
        assert_error(await add_emoji(alice, gid), 404, "GUILD_NOT_FOUND")
        assert_error(await alice.get(f"/api/guilds/{gid}/emojis"), 404, "GUILD_NOT_FOUND")


class TestListEmojis:
    async def test_members_see_them_oldest_first(self, alice, bob, rt):
        gid = await make_guild(alice, bob)
        ids = [(await add_emoji(alice, gid, n)).json()["id"] for n in ("b_one", "a_two")]
        r = await bob.get(f"/api/guilds/{gid}/emojis")
        assert r.status_code == 200
        assert [e["id"] for e in r.json()] == ids
        first = r.json()[0]
        assert set(first) >= {"id", "name", "file_path", "animated", "created_at"}

    async def test_empty(self, alice, rt):
        gid = await make_guild(alice)
        r = await alice.get(f"/api/guilds/{gid}/emojis")
        assert r.status_code == 200 and r.json() == []

    async def test_only_this_guild(self, alice, rt):
        g1, g2 = await make_guild(alice), await make_guild(alice)
        await add_emoji(alice, g1, "here")
        assert (await alice.get(f"/api/guilds/{g2}/emojis")).json() == []

    async def test_non_member_and_anonymous(self, alice, carol, anon, rt):
        gid = await make_guild(alice)
        assert_error(await carol.get(f"/api/guilds/{gid}/emojis"), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await anon().get(f"/api/guilds/{gid}/emojis"), 401, "AUTH_REQUIRED")


class TestDeleteEmoji:
    async def test_owner_deletes_row_and_file(self, alice, anon, rt):
        gid = await make_guild(alice)
        emoji = (await add_emoji(alice, gid)).json()
        r = await alice.delete(f"/api/emojis/{emoji['id']}")
        assert r.status_code == 200 and r.json() == {"success": True}
        assert (await alice.get(f"/api/guilds/{gid}/emojis")).json() == []
        assert stored_files(rt) == []
        assert_error(await anon().get("/" + emoji["file_path"]), 404, "NOT_FOUND")
        assert_error(await alice.delete(f"/api/emojis/{emoji['id']}"), 404, "EMOJI_NOT_FOUND")

    async def test_member_and_non_member_cannot(self, alice, bob, carol, rt):
        gid = await make_guild(alice, bob)
        emoji = (await add_emoji(alice, gid)).json()
        assert_error(
            await bob.delete(f"/api/emojis/{emoji['id']}"), 403, "INSUFFICIENT_PERMISSIONS"
        )
        assert_error(await carol.delete(f"/api/emojis/{emoji['id']}"), 403, "NOT_CHANNEL_MEMBER")
        assert len((await alice.get(f"/api/guilds/{gid}/emojis")).json()) == 1
        assert len(stored_files(rt)) == 1

    @pytest.mark.parametrize("eid", ["nope", "0", "x" * 100])
    async def test_unknown(self, alice, eid):
        assert_error(await alice.delete(f"/api/emojis/{eid}"), 404, "EMOJI_NOT_FOUND")

    async def test_anonymous(self, alice, anon, rt):
        gid = await make_guild(alice)
        emoji = (await add_emoji(alice, gid)).json()
        assert_error(await anon().delete(f"/api/emojis/{emoji['id']}"), 401, "AUTH_REQUIRED")


class TestGuildDeletion:
    async def test_deleting_the_guild_removes_emoji_and_sticker_files(self, alice, anon, rt):
        gid = await make_guild(alice)
        emoji = (await add_emoji(alice, gid)).json()
        sticker = await alice.post(
            f"/api/guilds/{gid}/stickers",
            files={"file": ("s.png", samples.png((20, 20)), "image/png")},
            data={"name": "Sticker"},
        )
        assert sticker.status_code == 201 and len(stored_files(rt)) == 2
        assert (await alice.delete(f"/api/guilds/{gid}")).status_code == 200
        assert stored_files(rt) == []
        assert_error(await anon().get("/" + emoji["file_path"]), 404, "NOT_FOUND")
