"""Presence across nodes: each node owns a Redis hash of its users' socket counts.

A node keeps its counts in memory (the truth for its own sockets) and mirrors
them to ``presence:node:<id>`` with a TTL, refreshed by a heartbeat, so a node
that dies stops counting after the TTL. A user is online if any live node's hash
has them. While Redis is down, answers come from this node alone; the heartbeat
rewrites the whole hash when Redis is back, so presence recovers by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter

import redis.asyncio as redis
from redis.exceptions import RedisError

log = logging.getLogger("guildhall.realtime.presence")


class RedisPresence:
    def __init__(
        self, url: str, namespace: str, node_id: str, ttl: float = 30.0, heartbeat: float = 5.0
    ) -> None:
        self.node_id = node_id
        self.prefix = f"{namespace}:presence"
        self.nodes = f"{self.prefix}:nodes"  # sorted set: node id → last heartbeat (epoch s)
        self.ttl = ttl
        self.heartbeat = heartbeat
        self.key = f"{self.prefix}:node:{node_id}"
        self._here: Counter[int] = Counter()  # this node's sockets per user
        self._redis: redis.Redis = redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._beat(), name="guildhall-presence")

    async def stop(self) -> None:
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            # redis-py can swallow a cancellation that lands mid-connect: don't hang on it.
            await asyncio.wait({self._task}, timeout=2)
        with contextlib.suppress(RedisError, OSError):
            pipe = self._redis.pipeline()
            pipe.delete(self.key)
            pipe.zrem(self.nodes, self.node_id)
            await pipe.execute()
        await self._redis.aclose()

    async def connect(self, user_id: int) -> bool:
        self._here[user_id] += 1
        if self._here[user_id] > 1:
            return False
        try:
            await self._redis.hset(self.key, str(user_id), 1)
            return not await self._online_elsewhere(user_id)
        except (RedisError, OSError):
            return True

    async def disconnect(self, user_id: int) -> bool:
        if self._here[user_id] <= 0:
            return False
        self._here[user_id] -= 1
        if self._here[user_id] > 0:
            return False
        del self._here[user_id]
        try:
            await self._redis.hdel(self.key, str(user_id))
            return not await self._online_elsewhere(user_id)
        except (RedisError, OSError):
            return True

    async def is_online(self, user_id: int) -> bool:
        return user_id in await self.online_among([user_id])

    async def online_among(self, user_ids: list[int]) -> set[int]:
        if not user_ids:
            return set()
        try:
            nodes = await self._live_nodes()
            if not nodes:
                return self._local_among(user_ids)
            fields = [str(u) for u in user_ids]
            pipe = self._redis.pipeline()
            for node in nodes:
                pipe.hmget(f"{self.prefix}:node:{node}", fields)
            online: set[int] = set()
            for values in await pipe.execute():
                online.update(u for u, v in zip(user_ids, values, strict=True) if v is not None)
            # This node's own sockets are known for certain even if its hash lags.
            return online | self._local_among(user_ids)
        except (RedisError, OSError):
            return self._local_among(user_ids)

    def _local_among(self, user_ids: list[int]) -> set[int]:
        return {u for u in user_ids if self._here.get(u, 0) > 0}

    async def _online_elsewhere(self, user_id: int) -> bool:
        nodes = [n for n in await self._live_nodes() if n != self.node_id]
        if not nodes:
            return False
        pipe = self._redis.pipeline()
        for node in nodes:
            pipe.hexists(f"{self.prefix}:node:{node}", str(user_id))
        return any(await pipe.execute())

    async def _live_nodes(self) -> list[str]:
        now = await self._now()
        raw = await self._redis.zrangebyscore(self.nodes, now - self.ttl, "+inf")
        return [n.decode() if isinstance(n, bytes) else str(n) for n in raw]

    async def _now(self) -> float:
        seconds, micros = await self._redis.time()
        return seconds + micros / 1e6

    async def _beat(self) -> None:
        while not self._closing:
            try:
                await self._sync()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("presence heartbeat failed: %s", exc)
            await asyncio.sleep(self.heartbeat)

    async def _sync(self) -> None:
        """Rewrite this node's hash from memory and renew its liveness."""
        counts = dict(self._here)
        now = await self._now()
        pipe = self._redis.pipeline()
        pipe.delete(self.key)
        if counts:
            pipe.hset(self.key, mapping={str(u): c for u, c in counts.items()})
        pipe.expire(self.key, int(self.ttl) + 1)
        pipe.zadd(self.nodes, {self.node_id: now})
        pipe.zremrangebyscore(self.nodes, "-inf", now - self.ttl * 4)
        await pipe.execute()
