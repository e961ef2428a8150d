"""Guild-wide channel events reach only the members who may see the channel
(section 13: without VIEW_CHANNEL a channel is invisible): a hidden channel's
creation, renames, overwrites and deletion are never heard by the others, and a
member who loses or gains sight of a channel hears ``channel_deleted`` /
``channel_created`` for it."""

from __future__ import annotations

from typing import Any

import pytest

from guildhall.events import Event
from guildhall.permissions.bits import Permission
from guildhall.ports.redis_bus import decode, encode
from tests.guilds.helpers import create_channel
from tests.realtime.conftest import listening
from tests.roles.helpers import bits

V = Permission.VIEW_CHANNEL
CHANNEL_EVENTS = ("channel_created", "channel_updated", "channel_deleted")


def about(probe: Any, channel_id: int) -> list[tuple[str, Any]]:
    """The channel events ``probe`` heard about ``channel_id``."""
    return [
        (name, data)
        for name, data in probe.events
        if name in CHANNEL_EVENTS and data["id"] == channel_id
    ]


@pytest.fixture
async def probes(rt, server, g, connect):
    """Signed-in sockets of alice (owner), bob (plain member) and dave (member who
    holds the role ``staff``), each in ``g:<id>`` only."""
    staff = await g.role("staff")
    await g.give_ok(g.dave, staff)
    out = {}
    for name in ("alice", "bob", "dave"):
        out[name] = await listening(rt, connect, getattr(g, name).user["token"])
    return staff, out


async def settled(*probes: Any) -> None:
    """Everything the server queued for these sockets has arrived."""
    for probe in probes:
        await probe.sync()


async def staff_category(g: Any, staff: dict[str, Any]) -> dict[str, Any]:
    """A category only staff (and the owner) may see."""
    cat = await create_channel(g.alice, g.id, name="staff", type="category")
    await g.overwrite(g.everyone, "role", deny=bits(V), channel=cat["id"])
    await g.overwrite(staff["id"], "role", allow=bits(V), channel=cat["id"])
    return cat


async def staff_only(g: Any, staff: dict[str, Any], p: dict[str, Any]) -> None:
    """The guild's text channel becomes staff's (and the owner's) only; the sockets
    start from nothing heard."""
    await g.overwrite(g.everyone, "role", deny=bits(V))
    await g.overwrite(staff["id"], "role", allow=bits(V))
    await settled(*p.values())
    for probe in p.values():
        probe.clear()


class TestHiddenChannel:
    async def test_creating_renaming_and_deleting_it_reach_only_its_viewers(self, g, probes):
        staff, p = probes
        cat = await staff_category(g, staff)
        inside = await create_channel(g.alice, g.id, name="secret-plans", category_id=cat["id"])
        cid = inside["id"]
        r = await g.alice.put(f"/api/channels/{cid}", json={"name": "renamed-plans"})
        assert r.status_code == 200, r.text
        assert (await g.alice.delete(f"/api/channels/{cid}")).status_code == 200
        await settled(*p.values())
        for viewer in ("alice", "dave"):
            assert [name for name, _ in about(p[viewer], cid)] == list(CHANNEL_EVENTS), viewer
        assert about(p["bob"], cid) == []
        assert about(p["bob"], cat["id"])[-1][0] == "channel_deleted"  # lost it at the deny
        assert "secret-plans" not in repr(p["bob"].events)
        assert "renamed-plans" not in repr(p["bob"].events)

    async def test_a_visible_channel_still_reaches_everyone(self, g, probes):
        _, p = probes
        ch = await create_channel(g.alice, g.id, name="open")
        await settled(*p.values())
        for probe in p.values():
            assert [name for name, _ in about(probe, ch["id"])] == ["channel_created"]

    async def test_deleting_a_category_updates_its_children_only_for_their_viewers(self, g, probes):
        staff, p = probes
        cat = await staff_category(g, staff)
        hidden = await create_channel(g.alice, g.id, name="hidden", category_id=cat["id"])
        shown = await create_channel(g.alice, g.id, name="shown", category_id=cat["id"])
        await g.overwrite(g.everyone, "role", allow=bits(V), channel=shown["id"])
        await settled(*p.values())
        for probe in p.values():
            probe.clear()
        assert (await g.alice.delete(f"/api/channels/{cat['id']}")).status_code == 200
        await settled(*p.values())
        assert [n for n, _ in about(p["bob"], shown["id"])] == ["channel_updated"]
        assert about(p["bob"], hidden["id"]) == [] and about(p["bob"], cat["id"]) == []
        for viewer in ("alice", "dave"):
            heard = about(p[viewer], hidden["id"])
            assert [n for n, _ in heard] == ["channel_updated"]
            assert heard[0][1]["category_id"] is None
            assert [n for n, _ in about(p[viewer], cat["id"])] == ["channel_deleted"]


class TestGainingAndLosingSight:
    async def test_an_overwrite_that_hides_it_is_channel_deleted_for_the_loser(self, g, probes):
        _, p = probes
        bob_id = g.bob.user["id"]
        await g.overwrite(bob_id, "member", deny=bits(V))
        await settled(*p.values())
        heard = about(p["bob"], g.channel)
        assert [n for n, _ in heard] == ["channel_deleted"]
        assert heard[0][1]["id"] == g.channel
        for other in ("alice", "dave"):
            assert [n for n, _ in about(p[other], g.channel)] == ["channel_updated"]
        for probe in p.values():
            probe.clear()
        # Lifting it: bob hears the channel (again) as created, the others as updated.
        r = await g.alice.delete(f"/api/channels/{g.channel}/permissions/{bob_id}?type=member")
        assert r.status_code == 200, r.text
        await settled(*p.values())
        heard = about(p["bob"], g.channel)
        assert [n for n, _ in heard] == ["channel_created"]
        assert heard[0][1]["permission_overwrites"] == []
        for other in ("alice", "dave"):
            assert [n for n, _ in about(p[other], g.channel)] == ["channel_updated"]

    async def test_overwrites_of_a_hidden_channel_never_reach_the_others(self, g, probes):
        staff, p = probes
        await staff_only(g, staff, p)
        await g.overwrite(g.dave.user["id"], "member", allow=bits(Permission.MANAGE_MESSAGES))
        await settled(*p.values())
        assert about(p["bob"], g.channel) == []
        assert [n for n, _ in about(p["dave"], g.channel)] == ["channel_updated"]

    async def test_a_role_change_announces_the_channels_it_hides_and_shows(self, g, probes):
        staff, p = probes
        await staff_only(g, staff, p)
        url = f"/api/guilds/{g.id}/members/{g.dave.user['id']}/roles/{staff['id']}"
        assert (await g.alice.delete(url)).status_code == 200
        await settled(*p.values())
        assert [n for n, _ in about(p["dave"], g.channel)] == ["channel_deleted"]
        p["dave"].clear()
        await g.give_ok(g.dave, staff)
        await settled(*p.values())
        assert [n for n, _ in about(p["dave"], g.channel)] == ["channel_created"]
        assert about(p["bob"], g.channel) == []


class TestBusCarriesTheSkip:
    def test_skip_rooms_survive_the_redis_encoding(self):
        events = [Event("g:1", "channel_created", {"id": 2}, "sid", ("u:3", "u:4"))]
        node, back = decode(encode("n1", events))
        assert node == "n1" and back == events


class TestManyLosers:
    async def test_one_guild_event_skipping_the_rest_when_most_lose_it(
        self, g, probes, monkeypatch
    ):
        """An @everyone change that hides a channel from most of the guild goes out
        as one event to g:<id> skipping the others (here: the owner, who keeps it)."""
        from guildhall.roles import service as roles_service

        monkeypatch.setattr(roles_service, "_PER_USER_UP_TO", 0)
        _, p = probes
        url = f"/api/channels/{g.channel}/permissions/{g.everyone}"
        r = await g.alice.put(url, json={"type": "role", "deny": bits(V)})
        assert r.status_code == 200, r.text
        await settled(*p.values())
        for loser in ("bob", "dave"):
            assert [n for n, _ in about(p[loser], g.channel)] == ["channel_deleted"], loser
        assert [n for n, _ in about(p["alice"], g.channel)] == ["channel_updated"]
        for probe in p.values():
            probe.clear()
        await g.alice.delete(url + "?type=role")
        await settled(*p.values())
        for gainer in ("bob", "dave"):
            assert [n for n, _ in about(p[gainer], g.channel)] == ["channel_created"], gainer
        assert [n for n, _ in about(p["alice"], g.channel)] == ["channel_updated"]
