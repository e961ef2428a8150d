"""What many test modules make the same way: answers checked, guilds made and
joined over the HTTP API, sockets joined to rooms, marker events said in a room.

One home for each, so a change to the contract (a status, a route) is one edit."""

from __future__ import annotations

from typing import Any

from tests.realtime.conftest import Probe, emit_events, listening


def ok(r: Any, status: int = 200) -> Any:
    """The JSON body of an answer (``requests`` or ``httpx``) that must be ``status``."""
    assert r.status_code == status, (r.request.method, r.request.url, r.status_code, r.text)
    return r.json()


async def add_member(inviter: Any, guild_id: int, client: Any) -> None:
    """``client`` joins the guild through an invite ``inviter`` creates."""
    code = ok(await inviter.post(f"/api/guilds/{guild_id}/invites", json={}), 201)["code"]
    ok(await client.post(f"/api/invites/{code}/join"))


async def make_guild(owner: Any, *members: Any, name: str = "guild") -> int:
    """A guild created by ``owner`` through the API, joined by ``members`` (logged-in
    test clients) through one invite."""
    guild_id: int = ok(await owner.post("/api/guilds", json={"name": name}), 201)["id"]
    if members:
        code = ok(await owner.post(f"/api/guilds/{guild_id}/invites", json={}), 201)["code"]
        for client in members:
            ok(await client.post(f"/api/invites/{code}/join"))
    return guild_id


async def joined(rt: Any, connect: Any, token: str, *rooms: str) -> Probe:
    """A signed-in socket in ``rooms``, with nothing received yet (its presence and
    each room's ``joined_room`` / ``messages_history`` arrived and cleared)."""
    probe = await listening(rt, connect, token)
    for room in rooms:
        assert (await probe.call("join_room", {"room": room}))["ok"] is True
    await probe.sync()
    probe.clear()
    return probe


async def say(rt: Any, room: str, n: int) -> None:
    """A ``marker`` event ``{"n": n}`` committed to ``room`` the way a service emits."""
    await emit_events(rt, (room, "marker", {"n": n}))


async def left_out(world: Any, alice: Probe, bob: Probe, room: str) -> None:
    """After bob left (or was removed from) ``world.g1``: alice's message in ``room``
    and a new channel of the guild reach alice's socket and not bob's."""
    ack = await alice.call("send_message", {"room": room, "content": "after"})
    assert ack["ok"] is True, ack
    await alice.next("new_message")
    r = await world.alice.post(f"/api/guilds/{world.g1}/channels", json={"name": "new"})
    assert r.status_code == 201, r.text
    await alice.next("channel_created")
    await bob.sync()
    assert bob.named("new_message") == []
    assert bob.named("channel_created") == []
