"""The scaled-out bus: every node delivers to its own sockets, Redis carries the
events between nodes, sharded so that a node hears only what it can deliver.

A node delivers its own events locally at once (no Redis round trip for its own
sockets, and local delivery keeps working while Redis is down) and publishes
them for the other nodes. Rooms map to a fixed set of channels: ``g:<id>`` and
its channel rooms to ``<ns>:events:g<id mod SHARDS>``, ``u:<id>`` to
``<ns>:events:u<id mod SHARDS>``, anything else to ``<ns>:events:all``. A node
subscribes to ``all`` and to the shards of the rooms where it holds sockets
(``watch``, awaited before a socket's join is answered, so nothing published
after the answer is missed); shards it no longer needs are dropped by a periodic
sweep. So a node's share of the deployment's traffic grows with its own rooms,
not with the number of nodes.

A batch (one unit of work's events) touching several shards is published once
per shard, with an id in front of the JSON: a node subscribed to several of
them decodes and delivers it once, whole, so one event for several rooms still
reaches a socket in several of them once. While Redis is unreachable,
publishing is skipped (logged) and the subscriber reconnects with backoff,
resubscribing to every shard it needs, so broadcasts recover without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import orjson
import redis.asyncio as redis
from redis.exceptions import RedisError

from guildhall.events import Event
from guildhall.ports.bus import Deliver

log = logging.getLogger("guildhall.realtime.redis")

SHARDS = 64
# Shards not needed at two sweeps in a row are unsubscribed.
SWEEP_SECONDS = 30.0
# How long a join waits for Redis to confirm a new subscription.
_WATCH_TIMEOUT = 2.0
# Batch ids remembered to drop the copies a node gets on several shards.
_SEEN = 4096


def shard_of(namespace: str, room: str) -> str:
    """The Redis channel that carries events for ``room``."""
    kind, _, rest = room.partition(":")
    if kind in ("g", "u"):
        ident = rest.partition(":")[0]
        if ident.isdigit():
            return f"{namespace}:events:{kind}{int(ident) % SHARDS}"
    return f"{namespace}:events:all"


def encode(batch_id: str, events: list[Event]) -> bytes:
    body = orjson.dumps([[e.room, e.name, e.data, e.skip_sid, e.skip_rooms] for e in events])
    return batch_id.encode() + b"|" + body


def batch_id_of(raw: bytes) -> str:
    """The id in front of a message, without decoding the events."""
    head, sep, _ = raw.partition(b"|")
    if not sep:
        raise ValueError("no batch id")
    return head.decode()


def decode(raw: bytes) -> tuple[str, list[Event]]:
    head, _, body = raw.partition(b"|")
    return head.decode(), [Event(r, n, d, s, tuple(k)) for r, n, d, s, k in orjson.loads(body)]


class RedisBus:
    def __init__(self, url: str, namespace: str, node_id: str | None = None) -> None:
        self.url = url
        self.namespace = namespace
        self.everyone = f"{namespace}:events:all"
        self.node_id = node_id or secrets.token_hex(6)
        self._redis: redis.Redis = redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=10
        )
        self._deliver: Deliver | None = None
        self._task: asyncio.Task[None] | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self._closing = False
        self._seq = itertools.count()
        self._seen: OrderedDict[str, None] = OrderedDict()
        # The rooms where this node holds sockets (set by the realtime layer).
        self.local_rooms: Callable[[], Iterable[str]] = tuple
        self.wanted: set[str] = {self.everyone}  # channels this node needs
        self._subscribed: set[str] = set()  # confirmed by Redis
        self._confirm: dict[str, asyncio.Future[None]] = {}
        self._pubsub: Any = None
        self._lock = asyncio.Lock()  # SUBSCRIBE/UNSUBSCRIBE go out in order
        self.received = 0  # bus messages decoded (the per-node cost)

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver
        self._task = asyncio.create_task(self._listen(), name="guildhall-redis-bus")
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="guildhall-redis-sweep")

    async def stop(self) -> None:
        self._closing = True
        for task in (self._task, self._sweeper):
            if task is not None:
                task.cancel()
                # redis-py can swallow a cancellation that lands mid-connect: don't hang.
                await asyncio.wait({task}, timeout=2)
        await self._redis.aclose()

    async def publish(self, events: list[Event]) -> None:
        if not events:
            return
        if self._deliver is not None:
            await self._deliver(events)
        channels = sorted({shard_of(self.namespace, e.room) for e in events})
        raw = encode(f"{self.node_id}.{next(self._seq)}", events)
        try:
            if len(channels) == 1:
                await self._redis.publish(channels[0], raw)
            else:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel in channels:
                        pipe.publish(channel, raw)
                    await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("redis publish failed, other nodes miss %d events: %s", len(events), exc)

    async def watch(self, rooms: Iterable[str]) -> None:
        """Make sure this node hears other nodes' events for ``rooms``: returns once
        Redis has confirmed the subscriptions (at most ``_WATCH_TIMEOUT``), at once
        while Redis is unreachable (the reconnect subscribes to them)."""
        missing = {shard_of(self.namespace, r) for r in rooms} - self._subscribed
        if not missing:
            return
        fresh = missing - self.wanted
        self.wanted |= fresh
        if self._pubsub is None:
            return
        loop = asyncio.get_running_loop()
        waits = [self._confirm.setdefault(c, loop.create_future()) for c in missing]
        if fresh:
            async with self._lock:
                pubsub = self._pubsub
                if pubsub is None:
                    return
                try:
                    await pubsub.subscribe(*sorted(fresh))
                except (RedisError, OSError) as exc:
                    log.warning("redis subscribe failed (%s); retried on reconnect", exc)
                    return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_WATCH_TIMEOUT):
                await asyncio.gather(*(asyncio.shield(w) for w in waits))

    async def sweep(self) -> None:
        """Unsubscribe the shards of rooms where this node holds no socket now."""
        needed = {shard_of(self.namespace, r) for r in self.local_rooms()} | {self.everyone}
        async with self._lock:
            idle = self.wanted - needed
            if not idle:
                return
            self.wanted -= idle
            for channel in idle:
                self._subscribed.discard(channel)
                self._confirm.pop(channel, None)
            if self._pubsub is not None:
                with contextlib.suppress(RedisError, OSError):
                    await self._pubsub.unsubscribe(*sorted(idle))

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.sweep()
            except Exception:
                log.exception("redis shard sweep failed")

    async def _listen(self) -> None:
        backoff = 0.1
        while not self._closing:
            pubsub = self._redis.pubsub()
            try:
                async with self._lock:
                    await pubsub.subscribe(*sorted(self.wanted))
                    self._pubsub = pubsub
                backoff = 0.1
                async for message in pubsub.listen():
                    await self._on_message(message)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("redis subscriber lost (%s); retrying in %.1fs", exc, backoff)
            finally:
                self._pubsub = None
                self._subscribed.clear()
                self.connected.clear()
                with contextlib.suppress(Exception):
                    # redis-py leaves PubSub.aclose unannotated.
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    async def _on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "subscribe":
            channel = message["channel"]
            channel = channel.decode() if isinstance(channel, bytes) else channel
            self._subscribed.add(channel)
            waiter = self._confirm.pop(channel, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            if self.everyone in self._subscribed:
                self.connected.set()
            return
        if kind != "message" or self._deliver is None:
            return
        raw = message["data"]
        try:
            batch = batch_id_of(raw)
        except (ValueError, UnicodeDecodeError):
            log.warning("dropping malformed bus message")
            return
        if batch.partition(".")[0] == self.node_id or batch in self._seen:
            return  # ours (delivered when published), or a copy from another shard
        self._seen[batch] = None
        if len(self._seen) > _SEEN:
            self._seen.popitem(last=False)
        try:
            _, events = decode(raw)
        except (ValueError, TypeError):
            log.warning("dropping malformed bus message")
            return
        self.received += 1
        try:
            await self._deliver(events)
        except Exception:
            log.exception("delivering %d events from %s failed", len(events), batch)
