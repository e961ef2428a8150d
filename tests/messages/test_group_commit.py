"""Group commit of sends (runtime.Runtime.grouped, docs/decisions/write-path.md): sends
in flight together share one write transaction on SQLite (a transaction each on
PostgreSQL); every one is acknowledged only after the commit that holds it, a
failing one is rolled back alone, and events leave only for what was committed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from guildhall.errors import AppError
from guildhall.messages import service
from guildhall.models import Message
from guildhall.runtime import Runtime
from tests.conftest import BACKEND
from tests.factories import joined
from tests.messages.factories import make_channel


async def stored(rt: Any, channel_id: int) -> list[tuple[int, int, str]]:
    """(id, author, content) of a channel's messages, oldest first, read afresh."""
    async with rt.transaction(write=False) as tx:
        rows = await tx.session.execute(
            select(Message.id, Message.author_id, Message.content)
            .where(Message.channel_id == channel_id)
            .order_by(Message.id)
        )
        return [tuple(r) for r in rows.all()]


def arrival(items: list[Any]) -> list[Any]:
    """``items`` as SQLite commits them (in arrival order); sorted on PostgreSQL, where
    concurrent sends commit in parallel and may reach the sequence in any order."""
    return sorted(items) if BACKEND == "postgres" else items


@pytest.fixture
def groups(monkeypatch) -> list[int]:
    """The size of every group committed (SQLite's path), in order."""
    sizes: list[int] = []
    real = Runtime._commit_group

    async def spy(self: Runtime, group: list[Any]) -> Any:
        sizes.append(len(group))
        return await real(self, group)

    monkeypatch.setattr(Runtime, "_commit_group", spy)
    return sizes


@pytest.fixture
def published(rt, monkeypatch) -> list[Any]:
    """Every event handed to the bus, with whether its message was committed then."""
    seen: list[Any] = []
    real = rt.bus.publish

    async def spy(events: list[Any]) -> None:
        for ev in events:
            if ev.name == "new_message":
                ids = [m[0] for m in await stored(rt, ev.data["channel_id"])]
                seen.append((ev.data["content"], ev.data["id"] in ids))
        await real(events)

    monkeypatch.setattr(rt.bus, "publish", spy)
    return seen


class TestConcurrentSends:
    async def test_all_acknowledged_all_stored_each_senders_order_kept(self, world, groups):
        senders = [world.alice, world.bob]
        per_sender = 12

        async def stream(client: Any, k: int) -> list[int]:
            ids = []
            for i in range(per_sender):
                r = await client.post(
                    f"/api/channels/{world.channel_id}/messages",
                    json={"content": f"s{k}-{i}", "nonce": f"n{k}-{i}"},
                )
                assert r.status_code == 201, r.text
                ids.append(r.json()["id"])
            return ids

        acked = await asyncio.gather(*(stream(c, k) for k, c in enumerate(senders * 3)))
        rows = await stored(world.rt, world.channel_id)
        assert len(rows) == len(senders) * 3 * per_sender
        by_content = {content: mid for mid, _, content in rows}
        for k, ids in enumerate(acked):
            # Exactly what was acknowledged, and in the order each stream sent it.
            assert [by_content[f"s{k}-{i}"] for i in range(per_sender)] == ids
            assert ids == sorted(ids)
        if BACKEND != "postgres":
            assert sum(groups) == len(rows)  # every send went through a group
            assert max(groups) > 1, groups  # and some shared one

    async def test_one_group_holds_many_sends_and_one_commit(self, world, groups):
        uid = world.alice.user["id"]
        results = await asyncio.gather(
            *(
                world.rt.grouped(lambda tx, i=i: service.send(tx, uid, world.channel_id, f"m{i}"))
                for i in range(20)
            )
        )
        assert [m["content"] for m in results] == [f"m{i}" for i in range(20)]
        rows = await stored(world.rt, world.channel_id)
        assert sorted((m["id"], m["content"]) for m in results) == [(i, c) for i, _, c in rows]
        if BACKEND != "postgres":
            # One transaction, the sends in the order they arrived.
            assert groups == [20]
            assert [c for _, _, c in rows] == [f"m{i}" for i in range(20)]
        # (On PostgreSQL each is a transaction of its own, in parallel: ids follow
        # the inserts, which concurrent sends into one channel may reorder.)


class TestFailureInAGroup:
    async def test_a_failing_send_is_rolled_back_alone(self, world, groups, published):
        rt, uid, cid = world.rt, world.alice.user["id"], world.channel_id
        doomed = await make_channel(world.alice, world.guild_id, "doomed")
        r = await world.alice.delete(f"/api/channels/{doomed}")
        assert r.status_code == 200, r.text

        async def sent_then_refused(tx: Any) -> Any:
            # Writes first (the message, its counts), then fails: all of it must go.
            await service.send(tx, uid, cid, "written then refused")
            raise AppError("CHANNEL_NOT_FOUND", 404, "Channel not found")

        works = [
            lambda tx: service.send(tx, uid, cid, "first"),
            lambda tx: service.send(tx, uid, cid, "x" * (rt.settings.max_message_length + 1)),
            lambda tx: service.send(tx, uid, cid, "second"),
            lambda tx: service.send(tx, uid, doomed, "to a deleted channel"),
            sent_then_refused,
            lambda tx: service.send(tx, world.carol.user["id"], cid, "not a member"),
            lambda tx: service.send(tx, uid, cid, "third"),
        ]
        outcomes = await asyncio.gather(*(rt.grouped(w) for w in works), return_exceptions=True)

        codes = [o.code if isinstance(o, AppError) else o["content"] for o in outcomes]
        assert codes == [
            "first",
            "INVALID_INPUT",
            "second",
            "CHANNEL_NOT_FOUND",
            "CHANNEL_NOT_FOUND",
            "NOT_CHANNEL_MEMBER",
            "third",
        ]
        assert arrival([c for _, _, c in await stored(rt, cid)]) == ["first", "second", "third"]
        # Events for exactly the committed sends, each published after its commit.
        assert arrival(published) == [("first", True), ("second", True), ("third", True)]
        r = await world.alice.get(f"/api/channels/{cid}/messages")
        assert r.json()["pagination"]["total"] == 3  # the trigger-kept count too
        if BACKEND != "postgres":
            assert groups == [len(works)]  # they really shared one transaction

    async def test_a_lone_failing_send_leaves_nothing(self, world, groups, published):
        rt, uid, cid = world.rt, world.alice.user["id"], world.channel_id

        async def sent_then_refused(tx: Any) -> Any:
            await service.send(tx, uid, cid, "alone and refused")
            raise AppError("CHANNEL_NOT_FOUND", 404, "Channel not found")

        with pytest.raises(AppError):
            await rt.grouped(sent_then_refused)
        assert await stored(rt, cid) == []
        assert published == []
        # The writer is healthy after it: the next send commits.
        m = await world.send(world.alice, "after")
        assert await stored(rt, cid) == [(m["id"], uid, "after")]

    async def test_a_failed_pieces_objects_leave_the_session(self, world, groups):
        """A piece's ORM changes are flushed inside its savepoint, or leave with it:
        what a failed piece added (flushed or not) is never committed by the group,
        and what a good piece added without flushing is."""
        rt, uid, cid = world.rt, world.alice.user["id"], world.channel_id

        def orm_message(content: str) -> Message:
            return Message(channel_id=cid, guild_id=world.guild_id, author_id=uid, content=content)

        async def added_then_refused(tx: Any) -> Any:
            tx.session.add(orm_message("added, never flushed, refused"))
            raise AppError("INVALID_INPUT", 400, "no")

        async def flushed_then_refused(tx: Any) -> Any:
            tx.session.add(orm_message("flushed, refused"))
            await tx.session.flush()
            raise AppError("INVALID_INPUT", 400, "no")

        async def added(tx: Any) -> Any:
            tx.session.add(orm_message("added, never flushed"))
            return "ok"

        works = [
            lambda tx: service.send(tx, uid, cid, "first"),
            added_then_refused,
            lambda tx: service.send(tx, uid, cid, "middle"),
            flushed_then_refused,
            added,
            lambda tx: service.send(tx, uid, cid, "last"),
        ]
        outcomes = await asyncio.gather(*(rt.grouped(w) for w in works), return_exceptions=True)
        refused = [isinstance(o, AppError) for o in outcomes]
        assert refused == [False, True, False, True, False, False]
        assert arrival([c for _, _, c in await stored(rt, cid)]) == arrival(
            ["first", "middle", "added, never flushed", "last"]
        )
        if BACKEND != "postgres":
            assert groups == [len(works)]


class TestSocketDoor:
    async def test_concurrent_socket_sends_and_a_bad_room_in_between(
        self, world, connect, groups, published
    ):
        sockets = [
            await joined(world.rt, connect, world.alice.user["token"], world.room) for _ in range(3)
        ]
        other_guild = world.room.replace(f"g:{world.guild_id}:", f"g:{world.guild_id + 999}:")

        async def send(probe: Any, room: str, content: str) -> Any:
            return await probe.call("send_message", {"room": room, "content": content})

        answers = await asyncio.gather(
            send(sockets[0], world.room, "one"),
            send(sockets[1], other_guild, "wrong guild"),
            send(sockets[2], world.room, "two"),
            send(sockets[0], world.room, "x" * (world.rt.settings.max_message_length + 1)),
        )
        assert answers[0]["message"]["content"] == "one"
        assert answers[2]["message"]["content"] == "two"
        assert answers[1]["code"] == "CHANNEL_NOT_FOUND"
        assert answers[3]["code"] == "INVALID_INPUT"
        assert sorted(c for _, _, c in await stored(world.rt, world.channel_id)) == ["one", "two"]
        assert sorted(published) == [("one", True), ("two", True)]


class TestParallelism:
    async def test_a_send_held_open_blocks_other_channels_only_on_sqlite(self, world):
        """PostgreSQL: a send to another channel commits while one is still open (a
        connection each from the pool). SQLite: it waits for the next group."""
        rt, uid = world.rt, world.alice.user["id"]
        other = await make_channel(world.alice, world.guild_id, "other")
        entered, release = asyncio.Event(), asyncio.Event()

        async def held(tx: Any) -> Any:
            message = await service.send(tx, uid, world.channel_id, "held")
            entered.set()
            await release.wait()
            return message

        held_task = asyncio.create_task(rt.grouped(held))
        await entered.wait()
        fast_task = asyncio.create_task(rt.grouped(lambda tx: service.send(tx, uid, other, "fast")))
        if BACKEND == "postgres":
            fast = await asyncio.wait_for(fast_task, 10)
            assert await stored(rt, other) == [(fast["id"], uid, "fast")]
            assert not held_task.done()
        else:
            await asyncio.sleep(0)  # it has queued behind the open group
            assert not fast_task.done() and len(rt._waiting) == 1
            assert await stored(rt, other) == []
        release.set()
        held_message, fast = await held_task, await fast_task
        assert [c for _, _, c in await stored(rt, world.channel_id)] == ["held"]
        assert await stored(rt, other) == [(fast["id"], uid, "fast")]
        assert held_message["id"] < fast["id"] or BACKEND == "postgres"
