"""Kick, ban and timeout through the real app: permissions, the hierarchy (owner
and self), what each removes or blocks, and the events each records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from guildhall.events import LEAVE_ROOMS, guild_room, user_room
from guildhall.models import Ban, Message
from tests.conftest import assert_error
from tests.guilds.helpers import count, create_channel, create_guild, join
from tests.moderation.helpers import assert_hierarchy, assert_missing, grant, guild_with


def iso_in(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat().replace("+00:00", "Z")


async def invite(owner, gid):
    r = await owner.post(f"/api/guilds/{gid}/invites", json={})
    assert r.status_code == 201, r.text
    return r.json()["code"]


async def member_ids(client, gid):
    r = await client.get(f"/api/guilds/{gid}/members")
    assert r.status_code == 200, r.text
    return {m["id"] for m in r.json()}


class TestKick:
    async def test_owner_kicks_a_member_who_may_rejoin(self, alice, bob, captured_events):
        gid = await guild_with(alice, bob)
        code = await invite(alice, gid)
        captured_events.clear()
        r = await alice.delete(f"/api/guilds/{gid}/members/{bob.user['id']}")
        assert r.status_code == 200, r.text
        assert r.json() == {"message": "Member removed"}
        assert await member_ids(alice, gid) == {alice.user["id"]}
        assert_error(await bob.get(f"/api/guilds/{gid}"), 403, "NOT_CHANNEL_MEMBER")
        bid = bob.user["id"]
        user = {"id": bid, "username": "bob", "display_name": None, "avatar": None}
        events = [(e.room, e.name, e.data) for e in captured_events.events]
        assert events == [
            (
                guild_room(gid),
                "member_left",
                {"guild_id": gid, "user_id": bid, "username": "bob", "user": user},
            ),
            (user_room(bid), "guild_removed", {"guild_id": gid}),
            (
                user_room(bid),
                LEAVE_ROOMS,
                {"rooms": [guild_room(gid)], "prefixes": [f"g:{gid}:c:"]},
            ),
        ]
        r = await bob.post(f"/api/invites/{code}/join")
        assert r.status_code == 200, r.text
        assert bid in await member_ids(alice, gid)

    async def test_a_member_without_kick_members_is_refused(self, alice, bob, carol):
        gid = await guild_with(alice, bob, carol)
        assert_missing(
            await bob.delete(f"/api/guilds/{gid}/members/{carol.user['id']}"), "KICK_MEMBERS"
        )
        assert carol.user["id"] in await member_ids(alice, gid)

    async def test_nobody_kicks_themselves_or_the_owner(self, alice, bob, carol, monkeypatch):
        gid = await guild_with(alice, bob, carol)
        assert_hierarchy(
            await alice.delete(f"/api/guilds/{gid}/members/{alice.user['id']}"), "KICK_MEMBERS"
        )
        grant(monkeypatch, bob.user["id"])
        assert_hierarchy(
            await bob.delete(f"/api/guilds/{gid}/members/{alice.user['id']}"), "KICK_MEMBERS"
        )
        assert_hierarchy(
            await bob.delete(f"/api/guilds/{gid}/members/{bob.user['id']}"), "KICK_MEMBERS"
        )
        # Same highest role (both only @everyone): not strictly above.
        assert_hierarchy(
            await bob.delete(f"/api/guilds/{gid}/members/{carol.user['id']}"), "KICK_MEMBERS"
        )
        assert await member_ids(alice, gid) == {u.user["id"] for u in (alice, bob, carol)}

    async def test_unknown_targets_and_outsiders(self, alice, bob, carol):
        gid = await guild_with(alice, bob)
        url = f"/api/guilds/{gid}/members"
        assert_error(await alice.delete(f"{url}/{carol.user['id']}"), 404, "USER_NOT_FOUND")
        assert_error(await alice.delete(f"{url}/999999"), 404, "USER_NOT_FOUND")
        assert_error(await alice.delete(f"{url}/abc"), 404, "USER_NOT_FOUND")
        assert_error(await carol.delete(f"{url}/{bob.user['id']}"), 403, "NOT_CHANNEL_MEMBER")
        assert_error(
            await alice.delete(f"/api/guilds/999999/members/{bob.user['id']}"),
            404,
            "GUILD_NOT_FOUND",
        )

    async def test_leaving_still_answers_on_members_me(self, alice, bob):
        gid = await guild_with(alice, bob)
        r = await bob.delete(f"/api/guilds/{gid}/members/@me")
        assert r.status_code == 200, r.text
        assert r.json() == {"message": "Successfully left guild", "guild_id": gid}
        assert_error(await alice.delete(f"/api/guilds/{gid}/members/@me"), 400, "INVALID_INPUT")


class TestBan:
    async def test_ban_removes_blocks_lists_and_unban_lets_back(self, alice, bob, captured_events):
        gid = await guild_with(alice, bob)
        code = await invite(alice, gid)
        captured_events.clear()
        bid = bob.user["id"]
        r = await alice.put(f"/api/guilds/{gid}/bans/{bid}", json={"reason": "spam"})
        assert r.status_code == 200, r.text
        assert r.json() == {"message": "Member banned"}
        assert await member_ids(alice, gid) == {alice.user["id"]}
        names = [(e.room, e.name) for e in captured_events.events]
        assert (guild_room(gid), "member_left") in names
        assert (user_room(bid), "guild_removed") in names
        assert (user_room(bid), LEAVE_ROOMS) in names

        assert_error(await bob.post(f"/api/invites/{code}/join"), 403, "USER_BANNED")
        assert bid not in await member_ids(alice, gid)

        r = await alice.get(f"/api/guilds/{gid}/bans")
        assert r.status_code == 200, r.text
        [entry] = r.json()
        assert entry["user"] == {"id": bid, "username": "bob", "display_name": None, "avatar": None}
        assert entry["reason"] == "spam"
        assert entry["created_at"].endswith("Z")

        r = await alice.delete(f"/api/guilds/{gid}/bans/{bid}")
        assert r.status_code == 200, r.text
        assert r.json() == {"message": "Ban removed"}
        assert (await alice.get(f"/api/guilds/{gid}/bans")).json() == []
        assert (await bob.post(f"/api/invites/{code}/join")).status_code == 200
        assert bid in await member_ids(alice, gid)

    async def test_a_non_member_may_be_banned_and_cannot_join(self, rt, alice, carol):
        gid = await guild_with(alice)
        code = await invite(alice, gid)
        r = await alice.put(f"/api/guilds/{gid}/bans/{carol.user['id']}")
        assert r.status_code == 200, r.text
        assert_error(await carol.post(f"/api/invites/{code}/join"), 403, "USER_BANNED")
        # Banning again changes nothing.
        r = await alice.put(f"/api/guilds/{gid}/bans/{carol.user['id']}", json={"reason": "x"})
        assert r.status_code == 200, r.text
        assert await count(rt, Ban, Ban.guild_id == gid) == 1
        assert (await alice.get(f"/api/guilds/{gid}/bans")).json()[0]["reason"] is None

    async def test_delete_message_seconds_takes_only_that_window_in_that_guild(
        self, rt, alice, bob, captured_events
    ):
        gid = await guild_with(alice, bob)
        first = await create_channel(alice, gid)
        second = await create_channel(alice, gid, name="second")
        other = await guild_with(alice, bob)
        elsewhere = await create_channel(alice, other)

        async def say(channel, text, who=bob):
            r = await who.post(f"/api/channels/{channel['id']}/messages", json={"content": text})
            assert r.status_code == 201, r.text
            return r.json()["id"]

        old = await say(first, "old")
        recent = [await say(first, "recent 1"), await say(second, "recent 2")]
        alices = await say(first, "alice's", who=alice)
        kept_elsewhere = await say(elsewhere, "other guild")
        async with rt.transaction() as tx:
            await tx.session.execute(
                update(Message)
                .where(Message.id == old)
                .values(created_at=datetime.now(UTC) - timedelta(hours=2))
            )
        captured_events.clear()
        r = await alice.put(
            f"/api/guilds/{gid}/bans/{bob.user['id']}", json={"delete_message_seconds": 3600}
        )
        assert r.status_code == 200, r.text
        async with rt.transaction(write=False) as tx:
            left = set((await tx.session.execute(select(Message.id))).scalars())
        assert left == {old, alices, kept_elsewhere}
        deleted = {(e.room, e.data["id"]) for e in captured_events.named("message_deleted")}
        assert deleted == {
            (f"g:{gid}:c:{first['id']}", recent[0]),
            (f"g:{gid}:c:{second['id']}", recent[1]),
        }

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"delete_message_seconds": -1}, "delete_message_seconds"),
            ({"delete_message_seconds": 604801}, "delete_message_seconds"),
            ({"delete_message_seconds": "60"}, "delete_message_seconds"),
            ({"reason": "x" * 513}, "reason"),
            ({"reason": 5}, "reason"),
        ],
    )
    async def test_bad_bodies_change_nothing(self, rt, alice, bob, body, field):
        gid = await guild_with(alice, bob)
        r = await alice.put(f"/api/guilds/{gid}/bans/{bob.user['id']}", json=body)
        assert_error(r, 400, "INVALID_INPUT", field)
        assert await count(rt, Ban) == 0
        assert bob.user["id"] in await member_ids(alice, gid)

    async def test_the_largest_window_is_accepted(self, alice, bob):
        gid = await guild_with(alice, bob)
        r = await alice.put(
            f"/api/guilds/{gid}/bans/{bob.user['id']}", json={"delete_message_seconds": 604800}
        )
        assert r.status_code == 200, r.text

    async def test_permissions_and_hierarchy(self, rt, alice, bob, carol, make_user, monkeypatch):
        gid = await guild_with(alice, bob, carol)
        bans = f"/api/guilds/{gid}/bans"
        assert_missing(await bob.put(f"{bans}/{carol.user['id']}"), "BAN_MEMBERS")
        assert_missing(await bob.get(bans), "BAN_MEMBERS")
        assert_missing(await bob.delete(f"{bans}/{carol.user['id']}"), "BAN_MEMBERS")
        assert_hierarchy(await alice.put(f"{bans}/{alice.user['id']}"), "BAN_MEMBERS")
        grant(monkeypatch, bob.user["id"])
        assert_hierarchy(await bob.put(f"{bans}/{alice.user['id']}"), "BAN_MEMBERS")
        assert_hierarchy(await bob.put(f"{bans}/{carol.user['id']}"), "BAN_MEMBERS")
        assert await count(rt, Ban) == 0
        # A non-member holds no role: the hierarchy does not protect them.
        dave = await make_user("dave")
        assert (await bob.put(f"{bans}/{dave.user['id']}")).status_code == 200

    async def test_unknown_users_and_bans(self, alice, bob, carol):
        gid = await guild_with(alice, bob)
        bans = f"/api/guilds/{gid}/bans"
        assert_error(await alice.put(f"{bans}/999999"), 404, "USER_NOT_FOUND")
        assert_error(await alice.put(f"{bans}/nope"), 404, "USER_NOT_FOUND")
        assert_error(await alice.delete(f"{bans}/{bob.user['id']}"), 404, "BAN_NOT_FOUND")
        assert_error(await alice.delete(f"{bans}/nope"), 404, "BAN_NOT_FOUND")
        assert_error(await carol.get(bans), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await carol.put(f"{bans}/{bob.user['id']}"), 403, "NOT_CHANNEL_MEMBER")


class TestTimeout:
    async def test_set_and_lift(self, alice, bob, captured_events):
        gid = await guild_with(alice, bob)
        url = f"/api/guilds/{gid}/members/{bob.user['id']}"
        until = datetime.now(UTC) + timedelta(hours=1)
        captured_events.clear()
        r = await alice.put(url, json={"communication_disabled_until": until.isoformat()})
        assert r.status_code == 200, r.text
        member = r.json()
        assert {"id", "username", "avatar", "status", "joined_at"} <= member.keys()
        assert member["id"] == bob.user["id"]
        stored = datetime.fromisoformat(member["communication_disabled_until"])
        assert abs(stored - until) < timedelta(milliseconds=1)
        [event] = captured_events.named("member_updated")
        assert event.room == guild_room(gid)
        assert event.data == {**member, "guild_id": gid}

        r = await alice.put(url, json={"communication_disabled_until": None})
        assert r.status_code == 200, r.text
        assert r.json()["communication_disabled_until"] is None

    async def test_28_days_is_the_most(self, alice, bob):
        gid = await guild_with(alice, bob)
        url = f"/api/guilds/{gid}/members/{bob.user['id']}"
        r = await alice.put(url, json={"communication_disabled_until": iso_in(timedelta(days=28))})
        assert r.status_code == 200, r.text

    @pytest.mark.parametrize(
        "value",
        [
            # Offsets from now, made into times in the test: parameters are
            # collected in every xdist worker and must be the same in each.
            timedelta(days=28, minutes=5),
            timedelta(minutes=-1),
            "tomorrow",
            "2030-01-01T00:00:00",  # no zone
            "",
            5,
            True,
        ],
    )
    async def test_out_of_bounds_or_malformed(self, alice, bob, value):
        if isinstance(value, timedelta):
            value = iso_in(value)
        gid = await guild_with(alice, bob)
        url = f"/api/guilds/{gid}/members/{bob.user['id']}"
        r = await alice.put(url, json={"communication_disabled_until": value})
        assert_error(r, 400, "INVALID_INPUT", "communication_disabled_until")

    async def test_the_field_is_required(self, alice, bob):
        gid = await guild_with(alice, bob)
        r = await alice.put(f"/api/guilds/{gid}/members/{bob.user['id']}", json={})
        assert_error(r, 400, "MISSING_REQUIRED_FIELD", "communication_disabled_until")

    async def test_permissions_hierarchy_and_targets(self, alice, bob, carol, monkeypatch):
        gid = await guild_with(alice, bob, carol)
        body = {"communication_disabled_until": iso_in(timedelta(hours=1))}
        members = f"/api/guilds/{gid}/members"
        r = await bob.put(f"{members}/{carol.user['id']}", json=body)
        assert_missing(r, "MODERATE_MEMBERS")
        assert_hierarchy(
            await alice.put(f"{members}/{alice.user['id']}", json=body), "MODERATE_MEMBERS"
        )
        grant(monkeypatch, bob.user["id"])
        for target in (alice, bob, carol):
            r = await bob.put(f"{members}/{target.user['id']}", json=body)
            assert_hierarchy(r, "MODERATE_MEMBERS")
        stranger = await create_guild(carol)
        assert_error(
            await alice.put(f"{members}/{carol.user['id']}9", json=body), 404, "USER_NOT_FOUND"
        )
        assert stranger["owner_id"] == carol.user["id"]
        r = await alice.put(f"/api/guilds/{stranger['id']}/members/{carol.user['id']}", json=body)
        assert_error(r, 403, "NOT_CHANNEL_MEMBER")
        for m in (await alice.get(members)).json():
            assert m.get("communication_disabled_until") is None


async def test_a_kicked_and_rejoined_member_is_in_the_list_once(alice, bob):
    gid = await guild_with(alice, bob)
    assert (await alice.delete(f"/api/guilds/{gid}/members/{bob.user['id']}")).status_code == 200
    await join(alice, bob, gid)
    ids = [m["id"] for m in (await alice.get(f"/api/guilds/{gid}/members")).json()]
    assert ids.count(bob.user["id"]) == 1
