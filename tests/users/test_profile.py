"""PUT /api/me (contract section 20): username, display name and avatar, and
how every user-carrying shape then shows them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from guildhall.files import square
from tests.conftest import assert_error
from tests.files import samples
from tests.guilds.helpers import create_channel, create_guild, join


async def upload(client: Any, data: bytes, name: str = "a.png") -> str:
    r = await client.post("/api/upload", files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == 201, r.text
    return r.json()["path"]


async def fetch_image(client: Any, url_path: str) -> Image.Image:
    r = await client.get(url_path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == square.MIMETYPE
    im = Image.open(io.BytesIO(r.content))
    im.load()
    return im


class TestDisplayName:
    async def test_set_trimmed_and_shown_in_me(self, alice):
        r = await alice.put("/api/me", json={"display_name": "  Алиса 🌸 "})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["display_name"] == "Алиса 🌸"
        assert set(body) >= {"id", "username", "email", "avatar", "status", "created_at"}
        assert body["csrf_token"] == alice.cookies.get("csrf_token")
        assert (await alice.get("/api/me")).json()["display_name"] == "Алиса 🌸"

    async def test_null_removes_it_and_absent_keeps_it(self, alice):
        await alice.put("/api/me", json={"display_name": "Ally"})
        r = await alice.put("/api/me", json={})
        assert r.json()["display_name"] == "Ally"
        r = await alice.put("/api/me", json={"display_name": None})
        assert r.status_code == 200 and r.json()["display_name"] is None

    async def test_exactly_32_characters_pass(self, alice):
        r = await alice.put("/api/me", json={"display_name": "я" * 32})
        assert r.status_code == 200 and r.json()["display_name"] == "я" * 32

    @pytest.mark.parametrize(
        "value",
        [
            "x" * 33,
            "",
            "   ",
            "bad\nname",
            "tab\there",
            "nul\x00",
            "bell\x07",
            "evil\u202egnp",
        ],
    )
    async def test_hostile_values_are_invalid_input(self, alice, value):
        r = await alice.put("/api/me", json={"display_name": value})
        assert_error(r, 400, "INVALID_INPUT", "display_name")
        assert (await alice.get("/api/me")).json()["display_name"] is None

    async def test_wrong_type_is_invalid_input_not_422(self, alice):
        r = await alice.put("/api/me", json={"display_name": 5})
        assert_error(r, 400, "INVALID_INPUT")

    async def test_carried_by_users_members_messages_and_searches(self, alice, bob):
        await alice.put("/api/me", json={"display_name": "Ally"})
        guild = await create_guild(alice)
        await join(alice, bob, guild["id"])
        channel = await create_channel(alice, guild["id"])
        r = await alice.post(
            f"/api/channels/{channel['id']}/messages", json={"content": "findable words"}
        )
        assert r.status_code == 201 and r.json()["display_name"] == "Ally"
        users = {u["username"]: u for u in (await bob.get("/api/users")).json()}
        assert users["alice"]["display_name"] == "Ally"
        assert users["bob"]["display_name"] is None
        assert "email" not in users["alice"]
        members = (await bob.get(f"/api/guilds/{guild['id']}/members")).json()
        assert {m["username"]: m["display_name"] for m in members} == {"alice": "Ally", "bob": None}
        history = (await bob.get(f"/api/channels/{channel['id']}/messages")).json()
        messages = history["messages"] if isinstance(history, dict) else history
        assert [m["display_name"] for m in messages] == ["Ally"]
        hits = (await bob.get("/api/search/users?q=ali")).json()["results"]
        assert hits == [{"username": "alice", "display_name": "Ally", "avatar": None}]
        found = (await bob.get("/api/search/messages?q=findable")).json()
        assert [m["display_name"] for m in found] == ["Ally"]


class TestUsername:
    async def test_rename_then_log_in_with_the_new_name(self, alice, anon):
        r = await alice.put("/api/me", json={"username": "alicia"})
        assert r.status_code == 200 and r.json()["username"] == "alicia"
        r = await anon().post(
            "/api/login", json={"username": "alicia", "password": "correct horse battery"}
        )
        assert r.status_code == 200, r.text

    async def test_a_name_taken_in_another_case_is_user_already_exists(self, alice, bob):
        r = await alice.put("/api/me", json={"username": "BOB"})
        assert_error(r, 400, "USER_ALREADY_EXISTS")
        assert (await alice.get("/api/me")).json()["username"] == "alice"

    async def test_own_name_in_another_case_is_fine(self, alice):
        r = await alice.put("/api/me", json={"username": "Alice"})
        assert r.status_code == 200 and r.json()["username"] == "Alice"

    @pytest.mark.parametrize("value", ["a", "x" * 33, "has space", "semi;colon", ""])
    async def test_register_rules(self, alice, value):
        assert_error(await alice.put("/api/me", json={"username": value}), 400, "INVALID_INPUT")

    async def test_null_username_is_refused(self, alice):
        r = await alice.put("/api/me", json={"username": None})
        assert_error(r, 400, "INVALID_INPUT", "username")

    async def test_a_refused_field_changes_nothing_else(self, alice):
        r = await alice.put("/api/me", json={"username": "x", "display_name": "Fine"})
        assert r.status_code == 400
        assert (await alice.get("/api/me")).json()["display_name"] is None


class TestAvatar:
    async def test_square_copy_of_at_most_256_original_untouched(self, alice, anon):
        original = samples.image("PNG", (600, 300))
        path = await upload(alice, original)
        r = await alice.put("/api/me", json={"avatar": path})
        assert r.status_code == 200, r.text
        avatar = r.json()["avatar"]
        assert avatar.startswith(f"/uploads/avatars/{alice.user['id']}/")
        im = await fetch_image(anon(), avatar)  # a capability URL, as every upload
        assert im.size == (256, 256)
        r = await alice.get("/" + path)
        assert r.status_code == 200 and r.content == original
        users = {u["username"]: u for u in (await alice.get("/api/users")).json()}
        assert users["alice"]["avatar"] == avatar

    async def test_small_image_is_not_enlarged_and_leading_slash_accepted(self, alice):
        path = await upload(alice, samples.image("JPEG", (40, 90)), "a.jpg")
        r = await alice.put("/api/me", json={"avatar": "/" + path})
        assert r.status_code == 200, r.text
        assert (await fetch_image(alice, r.json()["avatar"])).size == (40, 40)

    async def test_animated_gif_keeps_its_first_frame(self, alice):
        path = await upload(alice, samples.image("GIF", (300, 300), frames=3), "a.gif")
        r = await alice.put("/api/me", json={"avatar": path})
        assert r.status_code == 200, r.text
        im = await fetch_image(alice, r.json()["avatar"])
        assert not getattr(im, "is_animated", False)
        assert im.size == (256, 256)

    async def test_replacing_and_removing_delete_the_old_copy(self, alice):
        first = (
            await alice.put("/api/me", json={"avatar": await upload(alice, samples.png((50, 50)))})
        ).json()["avatar"]
        second = (
            await alice.put("/api/me", json={"avatar": await upload(alice, samples.png((60, 60)))})
        ).json()["avatar"]
        assert first != second
        assert (await alice.get(first)).status_code == 404
        r = await alice.put("/api/me", json={"avatar": None})
        assert r.status_code == 200 and r.json()["avatar"] is None
        assert (await alice.get(second)).status_code == 404

    async def test_not_an_image_is_invalid_file_type(self, alice):
        path = await upload(alice, b"just some text\n", "notes.txt")
        r = await alice.put("/api/me", json={"avatar": path})
        assert_error(r, 400, "INVALID_FILE_TYPE", "avatar")

    async def test_someone_elses_upload_is_invalid_input(self, alice, bob):
        path = await upload(bob, samples.png((20, 20)))
        r = await alice.put("/api/me", json={"avatar": path})
        assert_error(r, 400, "INVALID_INPUT", "avatar")
        assert (await alice.get("/api/me")).json()["avatar"] is None

    @pytest.mark.parametrize(
        "path",
        ["uploads/nothing/here.png", "../etc/passwd", "uploads/../x", "", "uploads/a\x00b"],
    )
    async def test_unknown_or_malformed_paths_are_invalid_input(self, alice, path):
        assert_error(await alice.put("/api/me", json={"avatar": path}), 400, "INVALID_INPUT")

    async def test_an_avatar_path_is_not_an_upload(self, alice, bob):
        """A square copy is not a path of /api/upload: it cannot be reused."""
        r = await bob.put("/api/me", json={"avatar": await upload(bob, samples.png((9, 9)))})
        copy = r.json()["avatar"]
        for who in (alice, bob):
            assert_error(await who.put("/api/me", json={"avatar": copy}), 400, "INVALID_INPUT")

    async def test_a_50_megapixel_image_is_refused_without_decoding(self, alice, rt):
        # A real, valid 10000x5000 PNG of one colour (tiny compressed): the
        # upload accepts it, the avatar refuses it from its header.
        buf = io.BytesIO()
        Image.new("L", (10000, 5000)).save(buf, "PNG")
        path = await upload(alice, buf.getvalue())
        r = await alice.put("/api/me", json={"avatar": path})
        assert_error(r, 400, "INVALID_INPUT", "avatar")
        assert "too large" in r.json()["error"]
        assert (await alice.get("/api/me")).json()["avatar"] is None
        # No square copy was left behind.
        avatars = rt.settings.uploads_dir / "avatars"
        assert not avatars.exists() or not any(avatars.rglob("*.webp"))
