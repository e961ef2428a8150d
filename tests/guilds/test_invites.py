from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from guildhall.events import JOIN_ROOMS, guild_room, user_room
from guildhall.kit.time import utcnow
from guildhall.models import Invite, Member
from tests.conftest import assert_error
from tests.guilds.helpers import count, create_guild

NO_CSRF = {"X-CSRF-Token": ""}


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


async def make_invite(client, guild_id, **body):
    r = await client.post(f"/api/guilds/{guild_id}/invites", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def set_invite(rt, code, **values):
    async with rt.transaction() as tx:
        await tx.session.execute(update(Invite).where(Invite.code == code).values(**values))


async def uses(rt, code):
    from sqlalchemy import select

    async with rt.transaction(write=False) as tx:
        return (
            await tx.session.execute(select(Invite.uses).where(Invite.code == code))
        ).scalar_one()


class TestCreateInvite:
    async def test_defaults(self, alice):
        guild = await create_guild(alice)
        invite = await make_invite(alice, guild["id"])
        assert {"code", "expires_at", "max_uses", "uses"} <= set(invite)
        assert re.fullmatch(r"[A-Za-z0-9]{8,}", invite["code"])
        assert invite["max_uses"] == 0 and invite["uses"] == 0
        assert invite["guild_id"] == guild["id"]
        lifetime = parse(invite["expires_at"]) - parse(invite["created_at"])
        assert abs(lifetime - timedelta(hours=24)) < timedelta(minutes=1)

    async def test_no_body_at_all(self, alice):
        guild = await create_guild(alice)
        r = await alice.post(f"/api/guilds/{guild['id']}/invites")
        assert r.status_code == 201 and r.json()["max_uses"] == 0
        assert r.json()["expires_at"] is not None

    async def test_never_expires_and_limited_uses(self, alice):
        guild = await create_guild(alice)
        invite = await make_invite(alice, guild["id"], expires_hours=0, max_uses=1000)
        assert invite["expires_at"] is None and invite["max_uses"] == 1000
        week = await make_invite(alice, guild["id"], expires_hours=168)
        lifetime = parse(week["expires_at"]) - parse(week["created_at"])
        assert abs(lifetime - timedelta(hours=168)) < timedelta(minutes=1)

    async def test_codes_differ(self, alice):
        guild = await create_guild(alice)
        codes = {(await make_invite(alice, guild["id"]))["code"] for _ in range(5)}
        assert len(codes) == 5

    async def test_any_member_may_invite(self, alice, bob):
        guild = await create_guild(alice)
        invite = await make_invite(alice, guild["id"])
        await bob.post(f"/api/invites/{invite['code']}/join")
        assert (await make_invite(bob, guild["id"]))["creator_id"] == bob.user["id"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"expires_hours": -1}, "expires_hours"),
            ({"expires_hours": 169}, "expires_hours"),
            ({"expires_hours": 10**30}, "expires_hours"),
            ({"expires_hours": "24"}, "expires_hours"),
            ({"expires_hours": 1.5}, "expires_hours"),
            ({"expires_hours": True}, "expires_hours"),
            ({"expires_hours": None}, "expires_hours"),
            ({"max_uses": -1}, "max_uses"),
            ({"max_uses": 1001}, "max_uses"),
            ({"max_uses": "5"}, "max_uses"),
            ({"max_uses": [1]}, "max_uses"),
        ],
    )
    async def test_bad_values_create_nothing(self, rt, alice, body, field):
        guild = await create_guild(alice)
        r = await alice.post(f"/api/guilds/{guild['id']}/invites", json=body)
        assert_error(r, 400, "INVALID_INPUT", field)
        assert await count(rt, Invite) == 0

    async def test_outsiders_refused(self, rt, anon, alice, bob):
        guild = await create_guild(alice)
        gid = guild["id"]
        assert_error(
            await bob.post(f"/api/guilds/{gid}/invites", json={}), 403, "NOT_CHANNEL_MEMBER"
        )
        assert_error(await bob.post("/api/guilds/98765/invites", json={}), 404, "GUILD_NOT_FOUND")
        assert_error(await bob.post("/api/guilds/x/invites", json={}), 404, "GUILD_NOT_FOUND")
        assert_error(await anon().post(f"/api/guilds/{gid}/invites", json={}), 401, "AUTH_REQUIRED")
        r = await alice.post(f"/api/guilds/{gid}/invites", json={}, headers=NO_CSRF)
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        assert await count(rt, Invite) == 0


class TestListInvites:
    async def test_members_see_every_invite(self, alice, bob, carol):
        guild = await create_guild(alice)
        first = await make_invite(alice, guild["id"])
        await bob.post(f"/api/invites/{first['code']}/join")
        second = await make_invite(bob, guild["id"], max_uses=3)
        listed = (await bob.get(f"/api/guilds/{guild['id']}/invites")).json()
        assert [i["code"] for i in listed] == [first["code"], second["code"]]
        assert listed[0]["uses"] == 1 and listed[1]["max_uses"] == 3
        assert_error(
            await carol.get(f"/api/guilds/{guild['id']}/invites"), 403, "NOT_CHANNEL_MEMBER"
        )
        assert_error(await carol.get("/api/guilds/5555/invites"), 404, "GUILD_NOT_FOUND")


class TestPreview:
    async def test_anyone_with_the_code(self, anon, alice, bob):
        guild = await create_guild(alice, "Knights")
        invite = await make_invite(alice, guild["id"], expires_hours=0)
        await bob.post(f"/api/invites/{invite['code']}/join")
        for client in (anon(), alice):
            r = await client.get(f"/api/invites/{invite['code']}")
            assert r.status_code == 200
            body = r.json()
            assert body["code"] == invite["code"] and body["guild_id"] == guild["id"]
            assert body["guild_name"] == "Knights" and body["member_count"] == 2
            assert body["expires_at"] is None

    @pytest.mark.parametrize("code", ["nope1234", "x" * 500, "ab cd", "caf%C3%A9", "a_b-c"])
    async def test_unknown(self, anon, code):
        assert_error(await anon().get(f"/api/invites/{code}"), 404, "INVITE_NOT_FOUND")

    async def test_expired_or_used_up(self, rt, anon, alice):
        guild = await create_guild(alice)
        old = await make_invite(alice, guild["id"])
        await set_invite(rt, old["code"], expires_at=utcnow() - timedelta(seconds=1))
        assert_error(await anon().get(f"/api/invites/{old['code']}"), 404, "INVITE_EXPIRED")
        full = await make_invite(alice, guild["id"], max_uses=2)
        await set_invite(rt, full["code"], uses=2)
        assert_error(await anon().get(f"/api/invites/{full['code']}"), 404, "INVITE_EXPIRED")


class TestJoin:
    async def test_joins_counts_a_use_and_tells_the_guild(self, rt, alice, bob, captured_events):
        guild = await create_guild(alice)
        invite = await make_invite(alice, guild["id"], max_uses=5)
        captured_events.clear()
        r = await bob.post(f"/api/invites/{invite['code']}/join")
        assert r.status_code == 200
        assert r.json() == {"message": "Successfully joined guild", "guild_id": guild["id"]}
        assert await uses(rt, invite["code"]) == 1
        assert (await bob.get("/api/guilds")).json() == [guild]
        gid = guild["id"]
        user = {"id": bob.user["id"], "username": "bob", "display_name": None, "avatar": None}
        assert [(e.room, e.name, e.data) for e in captured_events.events] == [
            (guild_room(gid), "member_joined", {"guild_id": gid, "user": user}),
            (user_room(bob.user["id"]), JOIN_ROOMS, {"rooms": [guild_room(gid)]}),
        ]

    async def test_member_joining_again_counts_nothing(self, rt, alice, bob, captured_events):
        guild = await create_guild(alice)
        invite = await make_invite(alice, guild["id"], max_uses=1)
        await bob.post(f"/api/invites/{invite['code']}/join")
        captured_events.clear()
        for client in (bob, alice):  # bob again; alice is the owner
            r = await client.post(f"/api/invites/{invite['code']}/join")
            assert r.status_code == 200
            assert r.json() == {"message": "Successfully joined guild", "guild_id": guild["id"]}
        assert await uses(rt, invite["code"]) == 1
        assert captured_events.events == []

    async def test_unknown_expired_used_up(self, rt, alice, bob, carol):
        guild = await create_guild(alice)
        assert_error(await bob.post("/api/invites/doesnotexist/join"), 404, "INVITE_NOT_FOUND")
        old = await make_invite(alice, guild["id"])
        await set_invite(rt, old["code"], expires_at=utcnow() - timedelta(seconds=1))
        assert_error(await bob.post(f"/api/invites/{old['code']}/join"), 404, "INVITE_EXPIRED")
        once = await make_invite(alice, guild["id"], max_uses=1)
        assert (await bob.post(f"/api/invites/{once['code']}/join")).status_code == 200
        assert_error(await carol.post(f"/api/invites/{once['code']}/join"), 404, "INVITE_EXPIRED")
        assert await uses(rt, once["code"]) == 1 and await uses(rt, old["code"]) == 0
        assert await count(rt, Member, Member.user_id == carol.user["id"]) == 0

    async def test_needs_login_and_csrf(self, rt, anon, alice, bob):
        guild = await create_guild(alice)
        invite = await make_invite(alice, guild["id"])
        assert_error(await anon().post(f"/api/invites/{invite['code']}/join"), 401, "AUTH_REQUIRED")
        r = await bob.post(f"/api/invites/{invite['code']}/join", headers=NO_CSRF)
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        assert await uses(rt, invite["code"]) == 0

    async def test_racing_for_the_last_use_has_one_winner(self, rt, make_user, alice, bob):
        guild = await create_guild(alice)
        invite = await make_invite(alice, guild["id"], max_uses=2)
        await bob.post(f"/api/invites/{invite['code']}/join")  # one use left
        racers = [await make_user(f"racer{i}") for i in range(8)]
        answers = await asyncio.gather(
            *(c.post(f"/api/invites/{invite['code']}/join") for c in racers)
        )
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [200] + [404] * 7
        for r in answers:
            if r.status_code == 404:
                assert_error(r, 404, "INVITE_EXPIRED")
        assert await uses(rt, invite["code"]) == 2
        assert await count(rt, Member, Member.guild_id == guild["id"]) == 3


class TestDeleteInvite:
    async def test_creator_or_owner(self, rt, alice, bob, carol):
        guild = await create_guild(alice)
        first = await make_invite(alice, guild["id"])
        await bob.post(f"/api/invites/{first['code']}/join")
        await carol.post(f"/api/invites/{first['code']}/join")
        by_bob = await make_invite(bob, guild["id"])
        by_carol = await make_invite(carol, guild["id"])
        # a member who neither made it nor owns the guild
        assert_error(
            await carol.delete(f"/api/invites/{by_bob['code']}"), 403, "INSUFFICIENT_PERMISSIONS"
        )
        r = await bob.delete(f"/api/invites/{by_bob['code']}")
        assert r.status_code == 200 and r.json() == {"message": "Invite deleted successfully"}
        assert (await alice.delete(f"/api/invites/{by_carol['code']}")).status_code == 200
        assert_error(await bob.get(f"/api/invites/{by_bob['code']}"), 404, "INVITE_NOT_FOUND")
        assert await count(rt, Invite) == 1

    async def test_errors(self, rt, anon, alice, bob):
        guild = await create_guild(alice)
        invite = await make_invite(alice, guild["id"])
        assert_error(await bob.delete(f"/api/invites/{invite['code']}"), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await bob.delete("/api/invites/missing123"), 404, "INVITE_NOT_FOUND")
        assert_error(await anon().delete(f"/api/invites/{invite['code']}"), 401, "AUTH_REQUIRED")
        r = await alice.delete(f"/api/invites/{invite['code']}", headers=NO_CSRF)
        assert_error(r, 403, "INVALID_CSRF_TOKEN")
        assert await count(rt, Invite) == 1
