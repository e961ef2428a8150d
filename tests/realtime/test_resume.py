"""Lossless reconnect (contract section 18): every channel event is numbered,
gap-free and in commit order; ``resume`` replays exactly what a socket missed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from guildhall.events import SEQUENCED, Event
from guildhall.models import ChannelEvent, Message
from guildhall.realtime.ordering import InOrder
from guildhall.replay.service import trim_expired
from tests.factories import joined
from tests.realtime.conftest import Probe, World, add_member

NUMBERED = SEQUENCED  # the contract's eight (section 18)


def numbered(probe: Probe) -> list[tuple[str, Any]]:
    return [(name, data) for name, data in probe.events if name in NUMBERED]


async def seqs_until(probe: Probe, last: int) -> list[int]:
    """The seqs the socket heard, once it has heard ``last``."""
    async with asyncio.timeout(60):
        while last not in (got := [d["seq"] for _, d in numbered(probe)]):
            probe._changed.clear()
            await probe._changed.wait()
    return got


async def logged(rt: Any, channel_id: int) -> list[ChannelEvent]:
    async with rt.transaction(write=False) as tx:
        rows = await tx.session.execute(
            select(ChannelEvent)
            .where(ChannelEvent.channel_id == channel_id)
            .order_by(ChannelEvent.seq)
        )
        return list(rows.scalars().all())


async def resume(probe: Probe, rooms: dict[str, int]) -> dict[str, Any]:
    ack = await probe.call("resume", {"rooms": rooms})
    assert ack["ok"] is True, ack
    return ack["rooms"]


class TestNumbering:
    async def test_concurrent_rest_and_socket_senders_get_gap_free_numbers(
        self, rt, world, connect
    ):
        room = world.room("general")
        listener = await joined(rt, connect, world.token(world.carol))  # not a member
        await add_member(rt, world.g1, world.carol.user["id"])
        assert (await listener.call("join_room", {"room": room}))["ok"] is True
        senders = [await connect(token=world.token(w)) for w in (world.alice, world.bob)]

        async def over_rest(who: Any, i: int) -> int:
            r = await who.post(f"/api/channels/{world.general}/messages", json={"content": f"r{i}"})
            assert r.status_code == 201, r.text
            return r.json()["id"]

        async def over_socket(probe: Probe, i: int) -> int:
            # A long wait: sixty writers queue on one channel on a busy machine.
            ack = await probe.call("send_message", {"room": room, "content": f"s{i}"}, wait=60)
            assert ack["ok"] is True, ack
            return ack["message"]["id"]

        jobs = [over_rest(world.alice, i) for i in range(15)]
        jobs += [over_rest(world.bob, i) for i in range(15)]
        jobs += [over_socket(senders[i % 2], i) for i in range(30)]
        ids = await asyncio.gather(*jobs)
        assert len(set(ids)) == 60

        heard = await seqs_until(listener, 60)
        assert heard == list(range(1, 61))  # every number, once, in order
        by_seq = {d["seq"]: d["id"] for _, d in numbered(listener)}
        # Message ids grow in the order of their new_message numbers.
        assert [by_seq[s] for s in range(1, 61)] == sorted(ids)
        rows = await logged(rt, world.general)
        assert [r.seq for r in rows] == list(range(1, 61))
        assert [r.message_id for r in rows] == sorted(ids)

    async def test_every_channel_event_is_numbered_and_joined_room_tells_the_current(
        self, rt, world, connect
    ):
        room = world.room("general")
        alice = await joined(rt, connect, world.token(world.alice), room)
        sent = await alice.call("send_message", {"room": room, "content": "one"})
        mid = sent["message"]["id"]
        assert (await world.alice.put(f"/api/messages/{mid}", json={"content": "two"})).is_success
        assert (await world.alice.put(f"/api/messages/{mid}/reactions/👍")).is_success
        assert (await world.alice.delete(f"/api/messages/{mid}/reactions/👍")).is_success
        assert (await world.alice.post(f"/api/messages/{mid}/pin")).is_success
        assert (await world.alice.post(f"/api/messages/{mid}/unpin")).is_success
        assert (await world.alice.delete(f"/api/messages/{mid}")).is_success
        await alice.arrived("message_deleted")
        got = [(n, d["seq"]) for n, d in numbered(alice)]
        assert got == [
            ("new_message", 1),
            ("message_edited", 2),
            ("reaction_added", 3),
            ("reaction_removed", 4),
            ("message_pinned", 5),
            ("message_unpinned", 6),
            ("message_deleted", 7),
        ]
        # Typing is not numbered; the other channel has its own numbers.
        other = await joined(rt, connect, world.token(world.bob), world.room("random"))
        assert (await other.call("join_room", {"room": room}))["ok"] is True
        assert (await other.next("joined_room"))["seq"] == 7
        ack = await other.call("send_message", {"room": world.room("random"), "content": "r"})
        assert ack["ok"] is True
        assert (await other.next("new_message"))["seq"] == 1

    async def test_a_rolled_back_change_takes_its_number_back(self, rt, world, connect):
        room = world.room("general")
        alice = await joined(rt, connect, world.token(world.alice), room)
        with pytest.raises(RuntimeError):
            async with rt.transaction() as tx:
                tx.emit(room, "new_message", {"id": 424242, "content": "never"})
                await rt.before_commit(tx)  # numbered, then the unit fails
                raise RuntimeError("boom")
        await alice.call("send_message", {"room": room, "content": "kept"})
        assert (await alice.next("new_message"))["seq"] == 1
        assert [r.seq for r in await logged(rt, world.general)] == [1]


async def _missed_changes(world: World, alice: Probe, room: str) -> dict[str, int]:
    """While bob is away: a message, an edit, a reaction, a pin, a deleted message."""
    keep = (await alice.call("send_message", {"room": room, "content": "kept"}))["message"]["id"]
    gone = (await alice.call("send_message", {"room": room, "content": "secret"}))["message"]["id"]
    await world.alice.put(f"/api/messages/{keep}", json={"content": "kept, edited"})
    await world.alice.put(f"/api/messages/{gone}/reactions/👍")
    await world.alice.post(f"/api/messages/{gone}/pin")
    await world.alice.put(f"/api/messages/{gone}", json={"content": "secret, edited"})
    assert (await world.alice.delete(f"/api/messages/{gone}")).is_success
    return {"keep": keep, "gone": gone}


class TestResume:
    async def test_replays_exactly_the_missed_events_in_order_deleted_ones_without_content(
        self, rt, world, connect
    ):
        room = world.room("general")
        alice = await joined(rt, connect, world.token(world.alice), room)
        bob = await joined(rt, connect, world.token(world.bob), room)
        for i in range(3):
            await alice.call("send_message", {"room": room, "content": f"before {i}"})
        await seqs_until(bob, 3)
        last = max(d["seq"] for _, d in numbered(bob))
        assert last == 3
        await bob.client.disconnect()

        ids = await _missed_changes(world, alice, room)
        await alice.next("message_deleted")

        again = await connect(token=world.token(world.bob))
        assert await resume(again, {room: last}) == {room: {"status": "resumed", "seq": 10}}
        replayed = numbered(again)
        assert [d["seq"] for _, d in replayed] == list(range(4, 11))
        names = [n for n, _ in replayed]
        assert names == [
            "new_message",  # keep
            "message_deleted",  # gone's new_message
            "message_edited",  # keep
            "message_deleted",  # gone's reaction
            "message_deleted",  # gone's pin
            "message_deleted",  # gone's edit
            "message_deleted",  # gone's deletion
        ]
        assert replayed[0][1]["content"] == "kept"
        assert replayed[2][1]["content"] == "kept, edited"
        for name, data in replayed:
            if name == "message_deleted":
                assert data == {
                    "id": ids["gone"],
                    "room": room,
                    "channel_id": world.general,
                    "seq": data["seq"],
                }
        assert "secret" not in repr(again.events)
        assert again.named("resumed") == [{"room": room, "seq": 10}]
        # Back in the room: the stream continues live after the replay.
        await alice.call("send_message", {"room": room, "content": "after"})
        assert await seqs_until(again, 11) == list(range(4, 12))

    async def test_the_deleted_message_leaves_the_log_too(self, rt, world, connect):
        room = world.room("general")
        alice = await joined(rt, connect, world.token(world.alice), room)
        await _missed_changes(world, alice, room)
        rows = await logged(rt, world.general)
        assert all("secret" not in (r.data or "") for r in rows)

    async def test_nothing_missed_answers_resumed_with_nothing(self, rt, world, connect):
        room = world.room("general")
        bob = await connect(token=world.token(world.bob))
        assert await resume(bob, {room: 0}) == {room: {"status": "resumed", "seq": 0}}
        assert numbered(bob) == []
        # ...and the socket is in the room again.
        await world.alice.post(f"/api/channels/{world.general}/messages", json={"content": "x"})
        assert (await bob.next("new_message"))["seq"] == 1

    async def test_a_number_the_channel_never_gave_needs_a_resync(self, rt, world, connect):
        room = world.room("general")
        bob = await connect(token=world.token(world.bob))
        assert await resume(bob, {room: 5}) == {room: {"status": "resync_required", "seq": 0}}
        assert bob.named("resync_required") == [{"room": room, "seq": 0}]

    async def test_a_room_no_longer_visible_answers_the_join_error(self, rt, world, connect):
        carol = await connect(token=world.token(world.carol))
        general, lounge = world.room("general"), world.room("lounge")
        rooms = await resume(carol, {general: 0, lounge: 0})
        assert rooms == {
            general: {"status": "error", "code": "NOT_CHANNEL_MEMBER"},
            lounge: {"status": "resumed", "seq": 0},
        }
        error = carol.named("error")[0]
        assert error["code"] == "NOT_CHANNEL_MEMBER" and error["details"]["room"] == general

    async def test_without_read_message_history_a_resync(self, rt, world, connect):
        room = world.room("general")
        await world.alice.post(f"/api/channels/{world.general}/messages", json={"content": "x"})
        roles = (await world.alice.get(f"/api/guilds/{world.g1}/roles")).json()
        everyone = next(r["id"] for r in roles if r["name"] == "@everyone")
        r = await world.alice.put(
            f"/api/channels/{world.general}/permissions/{everyone}",
            json={"type": "role", "deny": str(1 << 16)},
        )
        assert r.status_code == 200, r.text
        bob = await connect(token=world.token(world.bob))
        assert await resume(bob, {room: 0}) == {room: {"status": "resync_required", "seq": 1}}
        assert numbered(bob) == []

    async def test_input_is_checked(self, rt, world, connect):
        bob = await connect(token=world.token(world.bob))
        for bad in ({"rooms": {world.room("general"): -1}}, {"rooms": []}, {"rooms": {"r": "1"}}):
            ack = await bob.call("resume", bad)
            assert ack["ok"] is False and ack["code"] == "INVALID_INPUT", (bad, ack)
        # A name that is no room is that room's error, the others still resume.
        rooms = await resume(bob, {"x": 1, world.room("general"): 0})
        assert rooms["x"] == {"status": "error", "code": "INVALID_INPUT"}
        assert rooms[world.room("general")] == {"status": "resumed", "seq": 0}
        ack = await bob.call("resume", {"rooms": {f"g:1:c:{i}": 0 for i in range(1, 202)}})
        assert ack["ok"] is False and ack["code"] == "INVALID_INPUT"


class TestLogLimits:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        from tests.conftest import NO_LIMITS

        return {**NO_LIMITS, "replay_events": 3}

    async def test_only_the_last_events_replay_older_ones_need_a_resync(self, rt, world, connect):
        room = world.room("general")
        for i in range(70):  # past one trim (every 64)
            r = await world.alice.post(
                f"/api/channels/{world.general}/messages", json={"content": f"m{i}"}
            )
            assert r.status_code == 201
        first = await connect(token=world.token(world.bob))
        assert await resume(first, {room: 67}) == {room: {"status": "resumed", "seq": 70}}
        assert [d["seq"] for _, d in numbered(first)] == [68, 69, 70]
        late = await connect(token=world.token(world.bob))
        assert await resume(late, {room: 66}) == {room: {"status": "resync_required", "seq": 70}}
        assert numbered(late) == []
        rows = await logged(rt, world.general)
        # Trimmed by count without a scan: at most the limit plus one trim period.
        assert len(rows) <= 3 + 64 and rows[-1].seq == 70

    async def test_events_older_than_the_hours_need_a_resync(self, rt, world, connect, monkeypatch):
        room = world.room("general")
        await world.alice.post(f"/api/channels/{world.general}/messages", json={"content": "old"})
        await world.alice.post(f"/api/channels/{world.general}/messages", json={"content": "new"})
        async with rt.transaction() as tx:
            row = await tx.session.get(ChannelEvent, (world.general, 1))
            row.created_at = row.created_at.replace(year=2000)
        bob = await connect(token=world.token(world.bob))
        assert await resume(bob, {room: 0}) == {room: {"status": "resync_required", "seq": 2}}
        assert await trim_expired(rt) == 1
        assert [r.seq for r in await logged(rt, world.general)] == [2]
        again = await connect(token=world.token(world.bob))
        assert await resume(again, {room: 1}) == {room: {"status": "resumed", "seq": 2}}


class TestJoinStartsTheCount:
    async def test_a_first_event_that_comes_late_still_comes_first(self, rt, world, connect):
        """Two nodes: seq 1 committed on the other node reaches this one through
        Redis after seq 2, committed here, was handed to delivery. The channel's
        count starts at the seq ``join_room`` read, so 2 waits for 1."""
        room = world.room("general")
        listener = await joined(rt, connect, world.token(world.bob), room)
        order = rt.realtime.ordering

        def new_message(seq: int) -> Event:
            return Event(room, "new_message", {"id": 1000 + seq, "seq": seq, "room": room})

        await order([new_message(2)])
        await order([new_message(1)])
        assert await seqs_until(listener, 2) == [1, 2]
        assert order.delivered(world.general) == 2


class TestInOrder:
    """The ordering layer between the bus and delivery, on its own."""

    @staticmethod
    def ev(seq: int, cid: int = 7) -> Event:
        return Event(f"g:1:c:{cid}", "new_message", {"id": seq, "seq": seq})

    async def test_early_events_wait_for_the_gap(self):
        out: list[Any] = []

        async def deliver(events: list[Event]) -> None:
            out.extend(e.data.get("seq", e.name) for e in events)

        order = InOrder(deliver, gap_wait=30)
        await order([self.ev(1)])
        # Unnumbered events never wait; numbered ones wait for the missing 2.
        await order([self.ev(3), self.ev(4), Event("g:1", "typing", {})])
        assert out == [1, "typing"]
        await order([self.ev(2)])
        assert out == [1, "typing", 2, 3, 4]
        assert order.delivered(7) == 4
        await order.stop()

    async def test_a_gap_that_never_fills_is_read_from_the_log(self):
        out: list[int] = []
        filled = asyncio.Event()

        async def deliver(events: list[Event]) -> None:
            out.extend(e.data["seq"] for e in events)
            if 5 in out:
                filled.set()

        async def fill(cid: int, first: int, end: int) -> list[Event]:
            assert (cid, first, end) == (7, 2, 4)
            return [self.ev(s) for s in range(first, end)]

        order = InOrder(deliver, fill=fill, gap_wait=0.05)
        await order([self.ev(1), self.ev(4), self.ev(5)])
        async with asyncio.timeout(5):
            await filled.wait()
        assert out == [1, 2, 3, 4, 5]
        await order.stop()


class TestStoredInOrder:
    async def test_new_message_numbers_match_history_order(self, rt, world):
        async def send(i: int) -> None:
            r = await world.bob.post(
                f"/api/channels/{world.general}/messages", json={"content": str(i)}
            )
            assert r.status_code == 201

        await asyncio.gather(*(send(i) for i in range(20)))
        async with rt.transaction(write=False) as tx:
            ids = list(
                (await tx.session.execute(select(Message.id).order_by(Message.id))).scalars()
            )
        rows = await logged(rt, world.general)
        assert [r.message_id for r in rows] == ids
