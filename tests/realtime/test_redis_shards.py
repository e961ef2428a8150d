"""The sharded Redis bus: a node hears (and decodes) only the shards of rooms where
it holds sockets, each batch once, whatever the number of nodes."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest

from guildhall.events import Event
from guildhall.ports import redis_bus
from guildhall.ports.redis_bus import RedisBus, shard_of
from tests.conftest import BACKEND, REDIS_URL


@pytest.mark.one_engine
def test_rooms_map_to_shards() -> None:
    assert shard_of("ns", "g:5") == shard_of("ns", "g:5:c:9") == "ns:events:g5"
    assert shard_of("ns", f"g:{5 + redis_bus.SHARDS}") == "ns:events:g5"
    assert shard_of("ns", "u:5") == "ns:events:u5"
    for other in ("abc", "g:x", "", "sid-room", "u:"):
        assert shard_of("ns", other) == "ns:events:all"


class Node:
    def __init__(self, namespace: str) -> None:
        self.bus = RedisBus(REDIS_URL, namespace)
        self.batches: list[list[Event]] = []
        self.rooms: list[str] = []
        self.bus.local_rooms = lambda: self.rooms
        self._changed = asyncio.Event()

    async def deliver(self, events: list[Event]) -> None:
        self.batches.append(events)
        self._changed.set()

    def heard(self) -> list[str]:
        return [e.name for batch in self.batches for e in batch]

    async def hears(self, name: str) -> None:
        async with asyncio.timeout(5):
            while name not in self.heard():
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
async def nodes() -> Any:
    namespace = f"shards-{secrets.token_hex(4)}"
    started = [Node(namespace) for _ in range(3)]
    for node in started:
        await node.bus.start(node.deliver)
        async with asyncio.timeout(5):
            await node.bus.connected.wait()
    yield started
    for node in started:
        await node.bus.stop()


async def fence(sender: Node, *receivers: Node) -> None:
    """Everything ``sender`` published before has reached ``receivers`` (one order
    per publisher: the fence goes over the channel every node hears)."""
    name = f"fence-{secrets.token_hex(3)}"
    await sender.bus.publish([Event("fence", name, None)])
    for node in receivers:
        await node.hears(name)


@pytest.mark.skipif(BACKEND != "postgres", reason="needs Redis (GUILDHALL_TEST_BACKEND=postgres)")
@pytest.mark.postgres
async def test_a_node_hears_only_its_shards_and_each_batch_once(nodes: list[Node]) -> None:
    a, b, c = nodes
    b.rooms = ["g:1", "u:3"]
    await b.bus.watch(b.rooms)
    c.rooms = ["g:2"]
    await c.bus.watch(c.rooms)

    await a.bus.publish([Event("g:2:c:7", "for_c", {})])
    # One batch for rooms in three shards, two of them b's: b gets it once, whole.
    both = [Event("g:1", "presence", {"x": 1}), Event("u:3", "presence", {"x": 1})]
    await a.bus.publish([*both, Event("g:9", "presence", {"x": 1})])
    await fence(a, b, c)
    assert len(b.batches) == 2  # the batch, then the fence
    assert [e.room for e in b.batches[0]] == ["g:1", "u:3", "g:9"]
    assert "for_c" not in b.heard()
    assert c.heard()[0] == "for_c" and "presence" not in c.heard()
    assert b.bus.received == 2  # the batch and the fence: each decoded once

    # Nobody on b is in g:1 or u:3 any more: the sweep drops those shards.
    b.rooms = []
    await b.bus.sweep()
    assert b.bus.wanted == {b.bus.everyone}
    b.batches.clear()
    await a.bus.publish([Event("g:1", "after_sweep", {})])
    await fence(a, b)
    assert "after_sweep" not in b.heard()

    # And a node's own events are never delivered twice.
    await b.bus.publish([Event("g:2", "from_b", {})])
    await fence(b, c)
    assert b.heard().count("from_b") == 1 and "from_b" in c.heard()
