"""The race of issue 10: bob sends in a loop (over the socket and over REST) and
alice posts too, while the overwrite that takes VIEW_CHANNEL from bob is set.

Whatever the interleaving: once the PUT has answered, no send bob starts is
accepted, and nothing sent after it reaches bob's socket; every message of bob's
that alice's socket heard is in the channel's history and the other way round
(both, or neither — never the socket alone)."""

from __future__ import annotations

import asyncio
from typing import Any

from guildhall.permissions.bits import Permission
from tests.factories import joined
from tests.realtime.conftest import WAIT, room_members
from tests.roles.helpers import bits

ROUNDS_AFTER = 3  # sends each loop makes after the PUT answered


class Loop:
    """Sends until stopped; remembers, per send, whether it started after the revoke."""

    def __init__(self, revoked: asyncio.Event, progress: asyncio.Event, send: Any) -> None:
        self.revoked, self.progress, self.send = revoked, progress, send
        self.results: list[tuple[bool, int | None, Any]] = []  # (after, message id, refusal)
        self.stop = asyncio.Event()

    def after_count(self) -> int:
        return sum(1 for after, *_ in self.results if after)

    async def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            after = self.revoked.is_set()
            mid, refusal = await self.send(f"{'after' if after else 'before'}-{i}")
            self.results.append((after, mid, refusal))
            self.progress.set()
            i += 1


async def until(progress: asyncio.Event, condition: Any) -> None:
    """Wait, one send at a time, until ``condition`` holds."""
    async with asyncio.timeout(WAIT):
        while not condition():
            progress.clear()
            await progress.wait()


async def history_ids(client: Any, channel: int, author_id: int) -> set[int]:
    r = await client.get(f"/api/channels/{channel}/messages?limit=100")
    assert r.status_code == 200, r.text
    return {m["id"] for m in r.json()["messages"] if m["author_id"] == author_id}


async def test_revoking_view_channel_while_sending(rt, server, g, connect):
    room = f"g:{g.id}:c:{g.channel}"
    bob_id = g.bob.user["id"]
    bob = await joined(rt, connect, g.bob.user["token"], room)
    alice = await joined(rt, connect, g.alice.user["token"], room)
    revoked, progress = asyncio.Event(), asyncio.Event()

    async def bob_socket(text: str) -> tuple[int | None, Any]:
        ack = await bob.call("send_message", {"room": room, "content": "sock-" + text})
        return (ack["message"]["id"], None) if ack.get("ok") else (None, ack)

    async def bob_rest(text: str) -> tuple[int | None, Any]:
        r = await g.bob.post(
            f"/api/channels/{g.channel}/messages", json={"content": "rest-" + text}
        )
        return (r.json()["id"], None) if r.status_code == 201 else (None, r.json())

    async def alice_rest(text: str) -> tuple[int | None, Any]:
        r = await g.alice.post(f"/api/channels/{g.channel}/messages", json={"content": text})
        assert r.status_code == 201, r.text
        return r.json()["id"], None

    loops = [Loop(revoked, progress, send) for send in (bob_socket, bob_rest, alice_rest)]
    tasks = [asyncio.create_task(loop.run()) for loop in loops]
    try:
        await until(progress, lambda: all(len(loop.results) >= 2 for loop in loops))
        await g.overwrite(bob_id, "member", deny=bits(Permission.VIEW_CHANNEL))
        revoked.set()
        # The PUT has answered: bob's socket is out of the room on this node.
        assert bob.sid not in room_members(rt, room)
        await until(progress, lambda: all(loop.after_count() >= ROUNDS_AFTER for loop in loops))
    finally:
        for loop in loops:
            loop.stop.set()
        await asyncio.gather(*tasks)

    # Nothing bob started after the answer was accepted, and each refusal says why.
    for loop in loops[:2]:
        for after, mid, refusal in loop.results:
            if after:
                assert mid is None, "a send started after the revoke was accepted"
                assert refusal["code"] == "INSUFFICIENT_PERMISSIONS", refusal
                assert refusal["details"]["permission"] == "VIEW_CHANNEL", refusal
    # A marker after everything: alice hears it, bob does not.
    marker = (await alice_rest("marker"))[0]
    heard_by_alice = set()  # bob's messages that reached alice's socket
    while (m := await alice.next("new_message"))["id"] != marker:
        if m["author_id"] == bob_id:
            heard_by_alice.add(m["id"])
    await bob.sync()
    heard_by_bob = {m["id"] for m in bob.named("new_message")}
    alice_after = {mid for after, mid, _ in loops[2].results if after}
    assert marker not in heard_by_bob
    assert heard_by_bob & alice_after == set(), "bob heard a message sent after the revoke"
    # Bob's accepted messages: in history exactly when alice's socket heard them.
    accepted = {mid for loop in loops[:2] for _, mid, _ in loop.results if mid is not None}
    in_history = await history_ids(g.alice, g.channel, bob_id)
    assert heard_by_alice == in_history == accepted
