"""Roles over REST: CRUD, positions, hierarchy, never granting what one lacks,
member roles, and the events each change sends."""

from __future__ import annotations

import pytest

from guildhall.models import Role
from guildhall.permissions.bits import EVERYONE_DEFAULT, Permission
from tests.conftest import assert_error
from tests.roles.helpers import bits

P = Permission
ROLE_FIELDS = {
    "id",
    "guild_id",
    "name",
    "permissions",
    "position",
    "color",
    "hoist",
    "mentionable",
    "created_at",
}


async def positions(g) -> list[tuple[str, int]]:
    return [(r["name"], r["position"]) for r in await g.roles()]


class TestEveryone:
    async def test_a_new_guild_has_everyone_with_the_defaults(self, g):
        everyone = (await g.roles())[0]
        assert set(everyone) == ROLE_FIELDS
        assert everyone["name"] == "@everyone" and everyone["position"] == 0
        assert everyone["permissions"] == str(int(EVERYONE_DEFAULT))
        assert everyone["id"] != g.id or True  # its own numbering; found by position

    async def test_everyone_cannot_be_deleted_renamed_or_moved(self, g):
        url = f"/api/guilds/{g.id}/roles/{g.everyone}"
        assert_error(await g.alice.delete(url), 400, "INVALID_INPUT")
        assert_error(await g.alice.put(url, json={"name": "x"}), 400, "INVALID_INPUT", "name")
        await g.role("a")
        assert_error(await g.alice.put(url, json={"position": 1}), 400, "INVALID_INPUT")

    async def test_members_read_roles_outsiders_do_not(self, g, carol):
        assert (await g.bob.get(f"/api/guilds/{g.id}/roles")).status_code == 200
        assert_error(await carol.get(f"/api/guilds/{g.id}/roles"), 403, "NOT_CHANNEL_MEMBER")
        assert_error(await carol.get("/api/guilds/999999/roles"), 404, "GUILD_NOT_FOUND")


class TestCreate:
    async def test_shape_defaults_and_event(self, g, captured_events):
        r = await g.alice.post(f"/api/guilds/{g.id}/roles", json={"name": " Mods "})
        assert r.status_code == 201, r.text
        role = r.json()
        assert set(role) == ROLE_FIELDS
        assert role["name"] == "Mods" and role["permissions"] == "0" and role["position"] == 1
        assert (role["color"], role["hoist"], role["mentionable"]) == (0, False, False)
        assert role["guild_id"] == g.id
        created = captured_events.named("role_created")
        assert [(e.room, e.data) for e in created] == [(f"g:{g.id}", role)]

    async def test_a_new_role_lands_at_one_and_the_others_move_up(self, g, captured_events):
        await g.role("first")
        await g.role("second")
        captured_events.clear()
        await g.role("third")
        assert await positions(g) == [("@everyone", 0), ("third", 1), ("second", 2), ("first", 3)]
        moved = {e.data["name"]: e.data["position"] for e in captured_events.named("role_updated")}
        assert moved == {"second": 2, "first": 3}

    @pytest.mark.parametrize(
        "perms", [8, "0x8", "-8", " 8", "8.0", "", "1" * 21, str(2**63), None, True]
    )
    async def test_permissions_must_be_a_string_of_digits(self, g, perms):
        body = {"name": "x", "permissions": perms}
        if perms is None:
            body["permissions"] = []
        r = await g.alice.post(f"/api/guilds/{g.id}/roles", json=body)
        assert_error(r, 400, "INVALID_INPUT")

    async def test_big_bits_survive_as_strings(self, g):
        role = await g.role("timeouts", permissions=bits(P.MODERATE_MEMBERS, P.VIEW_CHANNEL))
        assert int(role["permissions"]) == int(P.MODERATE_MEMBERS | P.VIEW_CHANNEL)
        assert int(role["permissions"]) > 2**40 - 1

    async def test_unknown_bits_are_dropped(self, g):
        role = await g.role("x", permissions=str((1 << 50) | int(P.VIEW_CHANNEL)))
        assert role["permissions"] == str(int(P.VIEW_CHANNEL))

    async def test_bad_fields(self, g):
        url = f"/api/guilds/{g.id}/roles"
        assert_error(await g.alice.post(url, json={}), 400, "MISSING_REQUIRED_FIELD", "name")
        assert_error(await g.alice.post(url, json={"name": " "}), 400, "INVALID_INPUT")
        bad_color = {"name": "x", "color": 1 << 24}
        assert_error(await g.alice.post(url, json=bad_color), 400, "INVALID_INPUT", "color")

    async def test_needs_manage_roles(self, g):
        r = await g.bob.post(f"/api/guilds/{g.id}/roles", json={"name": "x"})
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
        assert r.json()["details"]["permission"] == "MANAGE_ROLES"

    async def test_at_most_250_roles(self, g, rt):
        async with rt.transaction() as tx:
            tx.session.add_all(
                Role(guild_id=g.id, name=f"r{i}", permissions=0, position=i) for i in range(1, 250)
            )
        r = await g.alice.post(f"/api/guilds/{g.id}/roles", json={"name": "one too many"})
        assert_error(r, 400, "LIMIT_REACHED")


class TestUpdate:
    async def test_fields_change_and_event(self, g, captured_events):
        role = await g.role("x")
        captured_events.clear()
        body = {"name": "y", "color": 0xFF0000, "hoist": True, "mentionable": True}
        r = await g.alice.put(
            f"/api/guilds/{g.id}/roles/{role['id']}", json={**body, "permissions": "1024"}
        )
        assert r.status_code == 200, r.text
        got = r.json()
        assert {k: got[k] for k in body} == body and got["permissions"] == "1024"
        assert [e.data for e in captured_events.named("role_updated")] == [got]

    @pytest.mark.parametrize(
        ("move", "to", "order"),
        [
            ("a", 3, ["b", "c", "a", "d"]),  # up: b and c step down
            ("d", 1, ["d", "a", "b", "c"]),  # down: a, b, c step up
            ("b", 2, ["a", "b", "c", "d"]),  # in place
        ],
    )
    async def test_moves_keep_positions_contiguous(self, g, move, to, order):
        ids = {}
        for name in ("d", "c", "b", "a"):  # each lands at 1: a=1, b=2, c=3, d=4
            ids[name] = (await g.role(name))["id"]
        r = await g.alice.put(f"/api/guilds/{g.id}/roles/{ids[move]}", json={"position": to})
        assert r.status_code == 200, r.text
        assert r.json()["position"] == to
        got = await positions(g)
        assert got == [("@everyone", 0)] + [(n, i) for i, n in enumerate(order, start=1)]

    @pytest.mark.parametrize("to", [0, 3, -1])
    async def test_position_out_of_range(self, g, to):
        role = await g.role("a")
        await g.role("b")
        r = await g.alice.put(f"/api/guilds/{g.id}/roles/{role['id']}", json={"position": to})
        assert_error(r, 400, "INVALID_INPUT", "position")

    async def test_unknown_role(self, g, carol):
        other = (await carol.post("/api/guilds", json={"name": "c"})).json()
        theirs = (await carol.get(f"/api/guilds/{other['id']}/roles")).json()[0]["id"]
        for rid in ("999999", "abc", str(theirs)):
            r = await g.alice.put(f"/api/guilds/{g.id}/roles/{rid}", json={"name": "x"})
            assert_error(r, 404, "ROLE_NOT_FOUND")


class TestDelete:
    async def test_delete_moves_the_rest_down_and_frees_holders(self, g, captured_events):
        a = await g.role("a")
        b = await g.role("b")
        await g.give_ok(g.bob, a)
        captured_events.clear()
        r = await g.alice.delete(f"/api/guilds/{g.id}/roles/{a['id']}")
        assert r.status_code == 200 and r.json() == {"message": "Role deleted"}
        assert await positions(g) == [("@everyone", 0), ("b", 1)]
        assert [e.data["id"] for e in captured_events.named("role_deleted")] == [a["id"]]
        updated = captured_events.named("member_updated")
        assert [(e.data["id"], e.data["roles"]) for e in updated] == [(g.bob.user["id"], [])]
        assert b["id"] in [r["id"] for r in await g.roles()]
        assert_error(
            await g.alice.delete(f"/api/guilds/{g.id}/roles/{a['id']}"), 404, "ROLE_NOT_FOUND"
        )


class TestHierarchy:
    """bob manages roles through 'manager' (position 3 of 3); 'peer' and 'top' are
    at or above him."""

    @pytest.fixture
    async def h(self, g):
        # Each new role lands at 1: top=3, manager=2, low=1.
        await g.role("top")
        manager = await g.role("manager", permissions=bits(P.MANAGE_ROLES, P.VIEW_CHANNEL))
        await g.role("low", permissions=bits(P.SEND_MESSAGES))
        await g.give_ok(g.bob, manager)
        roles = {r["name"]: r for r in await g.roles()}
        assert [roles[n]["position"] for n in ("low", "manager", "top")] == [1, 2, 3]
        return roles

    def refused_by_hierarchy(self, r):
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
        assert r.json()["details"] == {"permission": "MANAGE_ROLES", "reason": "hierarchy"}

    async def test_below_own_top_role_is_allowed(self, g, h):
        url = f"/api/guilds/{g.id}/roles/{h['low']['id']}"
        assert (await g.bob.put(url, json={"name": "lower"})).status_code == 200
        assert (await g.give(g.dave, h["low"], by=g.bob)).status_code == 200

    async def test_equal_or_higher_roles_are_refused(self, g, h):
        for name in ("manager", "top"):
            rid = h[name]["id"]
            self.refused_by_hierarchy(
                await g.bob.put(f"/api/guilds/{g.id}/roles/{rid}", json={"name": "x"})
            )
            self.refused_by_hierarchy(await g.bob.delete(f"/api/guilds/{g.id}/roles/{rid}"))
            self.refused_by_hierarchy(await g.give(g.dave, h[name], by=g.bob))
        # Nor may a role be moved up to (or over) one's own.
        r = await g.bob.put(f"/api/guilds/{g.id}/roles/{h['low']['id']}", json={"position": 2})
        self.refused_by_hierarchy(r)

    async def test_oneself_follows_the_same_rule(self, g, h):
        # bob may not take his own top role away (equal), but may give himself a lower one.
        url = f"/api/guilds/{g.id}/members/{g.bob.user['id']}/roles/{h['manager']['id']}"
        self.refused_by_hierarchy(await g.bob.delete(url))
        assert (await g.give(g.bob, h["low"], by=g.bob)).status_code == 200

    async def test_the_owner_may_do_anything(self, g, h):
        for name in ("manager", "top"):
            r = await g.alice.put(f"/api/guilds/{g.id}/roles/{h[name]['id']}", json={"name": "z"})
            assert r.status_code == 200
        assert (await g.give(g.alice, h["top"])).status_code == 200

    async def test_a_member_with_only_everyone_cannot_create(self, g):
        await g.set_everyone(int(EVERYONE_DEFAULT | P.MANAGE_ROLES))
        self.refused_by_hierarchy(
            await g.dave.post(f"/api/guilds/{g.id}/roles", json={"name": "x"})
        )

    async def test_created_roles_land_below_the_creator(self, g, h):
        r = await g.bob.post(f"/api/guilds/{g.id}/roles", json={"name": "new"})
        assert r.status_code == 201, r.text
        assert r.json()["position"] == 1


class TestNeverGrantWhatYouLack:
    @pytest.fixture
    async def bob_manages(self, g):
        manager = await g.role("manager", permissions=bits(P.MANAGE_ROLES, P.VIEW_CHANNEL))
        await g.give_ok(g.bob, manager)
        return manager

    def refused(self, r, perm):
        assert_error(r, 403, "INSUFFICIENT_PERMISSIONS")
        assert r.json()["details"]["permission"] == perm
        assert "reason" not in r.json()["details"]

    async def test_create(self, g, bob_manages):
        url = f"/api/guilds/{g.id}/roles"
        body = {"name": "x", "permissions": bits(P.BAN_MEMBERS)}
        self.refused(await g.bob.post(url, json=body), "BAN_MEMBERS")
        ok = {"name": "x", "permissions": bits(P.VIEW_CHANNEL, P.SEND_MESSAGES)}
        assert (await g.bob.post(url, json=ok)).status_code == 201

    async def test_update_adds_only_what_one_has(self, g, bob_manages):
        low = await g.role("low", permissions=bits(P.KICK_MEMBERS))
        url = f"/api/guilds/{g.id}/roles/{low['id']}"
        r = await g.bob.put(url, json={"permissions": bits(P.KICK_MEMBERS, P.ADMINISTRATOR)})
        self.refused(r, "ADMINISTRATOR")
        # Keeping a bit one lacks is not granting it.
        r = await g.bob.put(url, json={"permissions": bits(P.KICK_MEMBERS, P.VIEW_CHANNEL)})
        assert r.status_code == 200, r.text

    async def test_giving_a_role_grants_its_bits(self, g, bob_manages):
        strong = await g.role("strong", permissions=bits(P.MANAGE_GUILD))
        self.refused(await g.give(g.dave, strong, by=g.bob), "MANAGE_GUILD")

    async def test_administrators_hold_everything(self, g):
        admin = await g.role("admin", permissions=bits(P.ADMINISTRATOR))
        await g.give_ok(g.bob, admin)
        r = await g.bob.post(
            f"/api/guilds/{g.id}/roles", json={"name": "x", "permissions": bits(P.BAN_MEMBERS)}
        )
        assert r.status_code == 201, r.text


class TestMemberRoles:
    async def test_give_and_take(self, g, captured_events):
        a = await g.role("a")
        b = await g.role("b")
        member = await g.give_ok(g.bob, a)
        assert member["roles"] == [a["id"]] and member["guild_id"] == g.id
        assert member["communication_disabled_until"] is None
        member = await g.give_ok(g.bob, b)
        assert member["roles"] == [a["id"], b["id"]]  # highest first (a is at 2)
        listed = {m["id"]: m for m in (await g.dave.get(f"/api/guilds/{g.id}/members")).json()}
        assert listed[g.bob.user["id"]]["roles"] == [a["id"], b["id"]]
        assert listed[g.alice.user["id"]]["roles"] == []  # @everyone left out
        captured_events.clear()
        assert (await g.give(g.bob, a)).status_code == 200  # again: nothing new
        assert captured_events.named("member_updated") == []
        url = f"/api/guilds/{g.id}/members/{g.bob.user['id']}/roles/{a['id']}"
        r = await g.alice.delete(url)
        assert r.status_code == 200 and r.json()["roles"] == [b["id"]]
        assert [e.data["roles"] for e in captured_events.named("member_updated")] == [[b["id"]]]

    async def test_errors(self, g, carol):
        a = await g.role("a")
        url = f"/api/guilds/{g.id}/members/{carol.user['id']}/roles/{a['id']}"
        assert_error(await g.alice.put(url), 404, "USER_NOT_FOUND")
        url = f"/api/guilds/{g.id}/members/{g.bob.user['id']}/roles/{g.everyone}"
        assert_error(await g.alice.put(url), 400, "INVALID_INPUT")
        url = f"/api/guilds/{g.id}/members/{g.bob.user['id']}/roles/424242"
        assert_error(await g.alice.put(url), 404, "ROLE_NOT_FOUND")
        url = f"/api/guilds/{g.id}/members/{g.bob.user['id']}/roles/{a['id']}"
        assert_error(await g.dave.put(url), 403, "INSUFFICIENT_PERMISSIONS")
        assert_error(await carol.put(url), 403, "NOT_CHANNEL_MEMBER")

    async def test_leaving_drops_the_roles(self, g, rt):
        a = await g.role("a")
        await g.give_ok(g.bob, a)
        assert (await g.bob.delete(f"/api/guilds/{g.id}/members/@me")).status_code == 200
        from guildhall.models import MemberRole
        from tests.guilds.helpers import count, join

        assert await count(rt, MemberRole, MemberRole.user_id == g.bob.user["id"]) == 0
        await join(g.alice, g.bob, g.id)
        listed = {m["id"]: m for m in (await g.alice.get(f"/api/guilds/{g.id}/members")).json()}
        assert listed[g.bob.user["id"]]["roles"] == []
