"""The scaled-out bus: every node delivers to its own sockets, Redis carries the
events between nodes.

A node delivers its own events locally at once (no Redis round trip for its own
sockets, and local delivery keeps working while Redis is down) and publishes them,
tagged with its node id, on one Redis channel; every other node's subscriber
delivers them to its sockets. One encode per event batch per node, not per socket.
While Redis is unreachable, publishing is skipped (logged) and the subscriber
reconnects with backoff, so broadcasts recover without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any

import orjson
import redis.asyncio as redis
from redis.exceptions import RedisError

from guildhall.events import Event
from guildhall.realtime.bus import Deliver

log = logging.getLogger("guildhall.realtime.redis")


def encode(node_id: str, events: list[Event]) -> bytes:
    return orjson.dumps(
        {"node": node_id, "events": [[e.room, e.name, e.data, e.skip_sid] for e in events]}
    )


def decode(raw: bytes) -> tuple[str, list[Event]]:
    msg = orjson.loads(raw)
    return msg["node"], [Event(room, name, data, skip) for room, name, data, skip in msg["events"]]


class RedisBus:
    def __init__(self, url: str, namespace: str, node_id: str | None = None) -> None:
        self.url = url
        self.channel = f"{namespace}:events"
        self.node_id = node_id or secrets.token_hex(6)
        self._redis: redis.Redis = redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=10
        )
        self._deliver: Deliver | None = None
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self._closing = False

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver
        self._task = asyncio.create_task(self._listen(), name="guildhall-redis-bus")

    async def stop(self) -> None:
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            # redis-py can swallow a cancellation that lands mid-connect: don't hang on it.
            await asyncio.wait({self._task}, timeout=2)
        await self._redis.aclose()

    async def publish(self, events: list[Event]) -> None:
        if not events:
            return
        if self._deliver is not None:
            await self._deliver(events)
        try:
            await self._redis.publish(self.channel, encode(self.node_id, events))
        except (RedisError, OSError) as exc:
            log.warning("redis publish failed, other nodes miss %d events: %s", len(events), exc)

    async def _listen(self) -> None:
        backoff = 0.1
        while not self._closing:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self.connected.set()
                backoff = 0.1
                async for message in pubsub.listen():
                    await self._on_message(message)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("redis subscriber lost (%s); retrying in %.1fs", exc, backoff)
            finally:
                self.connected.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    async def _on_message(self, message: dict[str, Any]) -> None:
        if message.get("type") != "message" or self._deliver is None:
            return
        try:
            node, events = decode(message["data"])
        except (ValueError, KeyError, TypeError):
            log.warning("dropping malformed bus message")
            return
        if node == self.node_id:
            return  # delivered locally when published
        try:
            await self._deliver(events)
        except Exception:
            log.exception("delivering %d events from node %s failed", len(events), node)
