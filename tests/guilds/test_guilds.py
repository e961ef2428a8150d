from __future__ import annotations

from datetime import timedelta

import pytest

from guildhall.events import JOIN_ROOMS, LEAVE_ROOMS, guild_room, user_room
from guildhall.kit.time import utcnow
from guildhall.models import (
    Channel,
    Emoji,
    Guild,
    Invite,
    Member,
    Message,
    Poll,
    PollOption,
    Sticker,
    Upload,
)
from tests.conftest import assert_error
from tests.guilds.helpers import (
    count,
    create_channel,
    create_guild,
    join,
    message_with_upload,
    on_disk,
    stored_file,
)

NO_CSRF = {"X-CSRF-Token": ""}


class TestCreateGuild:
    async def test_creator_is_owner_and_member(self, alice, captured_events):
        r = await alice.post("/api/guilds", json={"name": "  Knights  "})
        assert r.status_code == 201
        guild = r.json()
        assert set(guild) == {"id", "name", "owner_id", "icon", "description", "created_at"}
        assert guild["name"] == "Knights" and guild["owner_id"] == alice.user["id"]
        assert isinstance(guild["id"], int) and guild["created_at"].endswith("Z")
        assert (await alice.get("/api/guilds")).json() == [guild]
        members = (await alice.get(f"/api/guilds/{guild['id']}/members")).json()
        assert [m["username"] for m in members] == ["alice"]
        joins = [(e.room, e.data) for e in captured_events.named(JOIN_ROOMS)]
        assert joins == [(user_room(alice.user["id"]), {"rooms": [guild_room(guild["id"])]})]

    async def test_name_of_100_characters(self, alice):
        r = await alice.post("/api/guilds", json={"name": "é" * 100})
        assert r.status_code == 201 and r.json()["name"] == "é" * 100

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({}, "MISSING_REQUIRED_FIELD"),
            ({"name": ""}, "INVALID_INPUT"),
            ({"name": "   "}, "INVALID_INPUT"),
            ({"name": "x" * 101}, "INVALID_INPUT"),
            ({"name": "x" * 100_000}, "INVALID_INPUT"),
            ({"name": 5}, "INVALID_INPUT"),
            ({"name": None}, "INVALID_INPUT"),
            ({"name": ["a"]}, "INVALID_INPUT"),
            ({"name": "bad\x00name"}, "INVALID_INPUT"),
        ],
    )
    async def test_bad_name_creates_nothing(self, rt, alice, body, code):
        assert_error(await alice.post("/api/guilds", json=body), 400, code, "name")
        assert await count(rt, Guild) == 0

    async def test_malformed_body(self, rt, alice):
        r = await alice.post(
            "/api/guilds", content=b"{", headers={"content-type": "application/json"}
        )
        assert_error(r, 400, "INVALID_INPUT")
        assert_error(await alice.post("/api/guilds", json="Guild"), 400, "INVALID_INPUT")
        assert await count(rt, Guild) == 0

    async def test_needs_csrf_and_login(self, rt, anon, alice):
        r = await alice.post("/api/guilds", json={"name": "G"}, headers=NO_CSRF)
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        assert_error(await anon().post("/api/guilds", json={"name": "G"}), 401, "AUTH_REQUIRED")
        assert await count(rt, Guild) == 0


class TestGuildLimit:
    @pytest.fixture
    def settings_overrides(self):
        return {"max_guilds_per_user": 2}

    async def test_create_and_join_stop_at_the_limit(self, rt, alice, bob):
        await create_guild(alice, "one")
        await create_guild(alice, "two")
        assert_error(await alice.post("/api/guilds", json={"name": "three"}), 400, "LIMIT_REACHED")
        bobs = await create_guild(bob, "bob's")
        invite = (await bob.post(f"/api/guilds/{bobs['id']}/invites", json={})).json()
        r = await alice.post(f"/api/invites/{invite['code']}/join")
        assert_error(r, 400, "LIMIT_REACHED")
        assert await count(rt, Invite, Invite.uses > 0) == 0
        assert await count(rt, Member, Member.user_id == alice.user["id"]) == 2

    async def test_leaving_frees_a_place(self, alice, bob):
        bobs = await create_guild(bob, "bob's")
        await create_guild(alice, "one")
        await join(bob, alice, bobs["id"])
        assert_error(await alice.post("/api/guilds", json={"name": "x"}), 400, "LIMIT_REACHED")
        assert (await alice.delete(f"/api/guilds/{bobs['id']}/members/@me")).status_code == 200
        assert (await alice.post("/api/guilds", json={"name": "x"})).status_code == 201


class TestListAndGetGuild:
    async def test_lists_only_own_guilds_by_id(self, alice, bob):
        a1 = await create_guild(alice, "b-first")
        b1 = await create_guild(bob, "bob's")
        a2 = await create_guild(alice, "a-second")
        await join(bob, alice, b1["id"])
        assert [g["id"] for g in (await alice.get("/api/guilds")).json()] == [
            a1["id"],
            b1["id"],
            a2["id"],
        ]
        assert (await bob.get("/api/guilds")).json() == [b1]

    async def test_get_one(self, alice, bob, carol):
        guild = await create_guild(alice)
        await join(alice, bob, guild["id"])
        assert (await alice.get(f"/api/guilds/{guild['id']}")).json() == guild
        assert (await bob.get(f"/api/guilds/{guild['id']}")).json() == guild
        assert_error(await carol.get(f"/api/guilds/{guild['id']}"), 403, "NOT_CHANNEL_MEMBER")

    # Guild 1 exists: other spellings of 1 (that int() would take) must not name it.
    @pytest.mark.parametrize(
        "gid",
        ["999999", "abc", "0", "-1", "1.5", str(2**64), "+1", "01", " 1", "1_0", "\u0661"],
    )
    async def test_unknown_ids(self, alice, gid):
        await create_guild(alice)
        assert_error(await alice.get(f"/api/guilds/{gid}"), 404, "GUILD_NOT_FOUND")

    async def test_anonymous_refused(self, anon, alice):
        guild = await create_guild(alice)
        assert_error(await anon().get("/api/guilds"), 401, "AUTH_REQUIRED")
        assert_error(await anon().get(f"/api/guilds/{guild['id']}"), 401, "AUTH_REQUIRED")


class TestDeleteGuild:
    async def test_owner_deletes_and_rooms_are_left(self, alice, captured_events):
        guild = await create_guild(alice)
        captured_events.clear()
        r = await alice.delete(f"/api/guilds/{guild['id']}")
        assert r.status_code == 200 and r.json() == {"message": "Guild deleted successfully"}
        room = guild_room(guild["id"])
        assert [(e.room, e.name, e.data) for e in captured_events.events] == [
            (room, "guild_deleted", {"id": guild["id"]}),
            (room, LEAVE_ROOMS, {"rooms": [room], "prefixes": [f"g:{guild['id']}:"]}),
        ]
        assert_error(await alice.get(f"/api/guilds/{guild['id']}"), 404, "GUILD_NOT_FOUND")
        assert (await alice.get("/api/guilds")).json() == []

    async def test_deletes_everything_in_it_and_its_files(self, rt, alice, bob):
        guild = await create_guild(alice)
        other = await create_guild(alice, "other")
        channel = await create_channel(alice, guild["id"])
        elsewhere = await create_channel(alice, other["id"])
        await join(alice, bob, guild["id"])
        await alice.post(f"/api/guilds/{guild['id']}/invites", json={})
        message_id, path = await message_with_upload(rt, channel, alice.user["id"])
        # the same upload also attached in another guild: it must survive
        _, shared = await message_with_upload(rt, channel, alice.user["id"])
        await message_with_upload(rt, elsewhere, alice.user["id"], upload_path=shared)
        emoji_path = f"uploads/emojis/{guild['id']}/smile.png"
        sticker_path = f"uploads/stickers/{guild['id']}/wave.png"
        async with rt.transaction() as tx:
            tx.session.add(Emoji(guild_id=guild["id"], name="smile", file_path=emoji_path))
            tx.session.add(Sticker(guild_id=guild["id"], name="wave", file_path=sticker_path))
            tx.session.add(
                Poll(
                    id="p1",
                    message_id=message_id,
                    question="?",
                    expires_at=utcnow() + timedelta(hours=1),
                )
            )
            await tx.session.flush()
            tx.session.add(PollOption(poll_id="p1", id="1", position=0, text="yes"))
        files = [stored_file(rt, p) for p in (emoji_path, sticker_path)]
        files.append(on_disk(rt, path))
        assert all(f.exists() for f in files)

        assert (await alice.delete(f"/api/guilds/{guild['id']}")).status_code == 200
        gid = guild["id"]
        for model, where in [
            (Channel, Channel.guild_id == gid),
            (Message, Message.guild_id == gid),
            (Member, Member.guild_id == gid),
            (Invite, Invite.guild_id == gid),
            (Emoji, Emoji.guild_id == gid),
            (Sticker, Sticker.guild_id == gid),
            (Poll, Poll.id == "p1"),
            (PollOption, PollOption.poll_id == "p1"),
            (Upload, Upload.path == path),
        ]:
            assert await count(rt, model, where) == 0, model
        assert not any(f.exists() for f in files)
        assert await count(rt, Upload, Upload.path == shared) == 1
        assert on_disk(rt, shared).exists()
        assert await count(rt, Message, Message.guild_id == other["id"]) == 1

    async def test_only_the_owner(self, rt, alice, bob, carol):
        guild = await create_guild(alice)
        await join(alice, bob, guild["id"])
        assert_error(await bob.delete(f"/api/guilds/{guild['id']}"), 403, "NOT_GUILD_OWNER")
        assert_error(await carol.delete(f"/api/guilds/{guild['id']}"), 403, "NOT_CHANNEL_MEMBER")
        r = await alice.delete(f"/api/guilds/{guild['id']}", headers=NO_CSRF)
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        assert await count(rt, Guild) == 1

    @pytest.mark.parametrize("gid", ["424242", "nope"])
    async def test_unknown(self, alice, gid):
        assert_error(await alice.delete(f"/api/guilds/{gid}"), 404, "GUILD_NOT_FOUND")

    async def test_anonymous_refused(self, anon, alice):
        guild = await create_guild(alice)
        assert_error(await anon().delete(f"/api/guilds/{guild['id']}"), 401, "AUTH_REQUIRED")


class TestMembers:
    async def test_members_with_presence_in_join_order(self, rt, alice, bob, carol):
        guild = await create_guild(alice)
        await join(alice, carol, guild["id"])
        await join(alice, bob, guild["id"])
        await rt.presence.connect(carol.user["id"])
        r = await bob.get(f"/api/guilds/{guild['id']}/members")
        assert r.status_code == 200
        members = r.json()
        assert [(m["username"], m["status"]) for m in members] == [
            ("alice", "offline"),
            ("carol", "online"),
            ("bob", "offline"),
        ]
        for m in members:
            assert set(m) == {
                "id",
                "username",
                "display_name",
                "avatar",
                "status",
                "joined_at",
                "roles",
                "communication_disabled_until",
            }
            assert m["joined_at"].endswith("Z") and m["avatar"] is None
        assert "example.com" not in r.text

    async def test_one_presence_lookup_for_the_page(self, rt, alice, bob, carol):
        guild = await create_guild(alice)
        await join(alice, bob, guild["id"])
        await join(alice, carol, guild["id"])
        calls = []
        original = rt.presence.online_among

        async def spy(ids):
            calls.append(list(ids))
            return await original(ids)

        rt.presence.online_among = spy
        await alice.get(f"/api/guilds/{guild['id']}/members")
        assert len(calls) == 1 and sorted(calls[0]) == sorted(
            c.user["id"] for c in (alice, bob, carol)
        )

    async def test_refused_to_outsiders(self, anon, alice, bob):
        guild = await create_guild(alice)
        assert_error(await bob.get(f"/api/guilds/{guild['id']}/members"), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await bob.get("/api/guilds/777/members"), 404, "GUILD_NOT_FOUND")
        assert_error(await anon().get(f"/api/guilds/{guild['id']}/members"), 401, "AUTH_REQUIRED")


class TestLeave:
    async def test_member_leaves(self, alice, bob, captured_events):
        guild = await create_guild(alice)
        await join(alice, bob, guild["id"])
        captured_events.clear()
        r = await bob.delete(f"/api/guilds/{guild['id']}/members/@me")
        assert r.status_code == 200
        assert r.json()["message"] == "Successfully left guild"
        gid = guild["id"]
        user = {"id": bob.user["id"], "username": "bob", "display_name": None, "avatar": None}
        assert [(e.room, e.name, e.data) for e in captured_events.events] == [
            (
                guild_room(gid),
                "member_left",
                {"guild_id": gid, "user_id": user["id"], "username": "bob", "user": user},
            ),
            (
                user_room(bob.user["id"]),
                LEAVE_ROOMS,
                {"rooms": [guild_room(gid)], "prefixes": [f"g:{gid}:c:"]},
            ),
        ]
        assert_error(await bob.get(f"/api/guilds/{gid}"), 403, "NOT_CHANNEL_MEMBER")
        assert (await bob.get("/api/guilds")).json() == []
        assert [m["username"] for m in (await alice.get(f"/api/guilds/{gid}/members")).json()] == [
            "alice"
        ]

    async def test_owner_cannot_leave(self, alice):
        guild = await create_guild(alice)
        r = await alice.delete(f"/api/guilds/{guild['id']}/members/@me")
        assert_error(r, 400, "INVALID_INPUT")
        assert (await alice.get("/api/guilds")).json() == [guild]

    async def test_errors(self, anon, alice, bob):
        guild = await create_guild(alice)
        gid = guild["id"]
        assert_error(await bob.delete(f"/api/guilds/{gid}/members/@me"), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await bob.delete("/api/guilds/31337/members/@me"), 404, "GUILD_NOT_FOUND")
        assert_error(await bob.delete("/api/guilds/x/members/@me"), 404, "GUILD_NOT_FOUND")
        assert_error(await anon().delete(f"/api/guilds/{gid}/members/@me"), 401, "AUTH_REQUIRED")
        await join(alice, bob, gid)
        r = await bob.delete(f"/api/guilds/{gid}/members/@me", headers=NO_CSRF)
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        assert (await bob.get(f"/api/guilds/{gid}")).status_code == 200
