"""Rate limits for REST and sockets, on the ``limits`` library.

Memory storage by default; Redis storage when ``GUILDHALL_REDIS_URL`` is set, so
every node counts against the same windows. A limit set to ``off`` is disabled.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.storage.redis.redispy import RedispyBridge
from limits.aio.strategies import MovingWindowRateLimiter

from guildhall.codes import ErrorCode
from guildhall.config import Settings
from guildhall.errors import AppError

log = logging.getLogger("guildhall.ratelimit")


@dataclass(slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: float  # epoch seconds when the window frees a slot

    @property
    def retry_after(self) -> int:
        # Rounded up once, from the exact time: never past the window's length.
        return max(1, math.ceil(self.reset - time.time()))

    def headers(self) -> dict[str, str]:
        h = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset)),
        }
        if not self.allowed:
            h["Retry-After"] = str(self.retry_after)
        return h


class Limit:
    """One named limit (``100/minute``) applied per key (an IP, a user id)."""

    def __init__(self, name: str, spec: str, limiter: MovingWindowRateLimiter | None) -> None:
        self.name = name
        self.item: RateLimitItem | None = None if spec.strip().lower() == "off" else parse(spec)
        self._limiter = limiter

    @property
    def enabled(self) -> bool:
        return self.item is not None

    async def hit(self, key: str | int) -> Verdict | None:
        """Count one hit; ``None`` when the limit is off (or its store is unreachable)."""
        if self.item is None or self._limiter is None:
            return None
        try:
            allowed = await self._limiter.hit(self.item, self.name, str(key))
            stats = await self._limiter.get_window_stats(self.item, self.name, str(key))
        except Exception:  # the shared store is down: fail open, REST keeps working
            log.warning("rate limit store unreachable; %s not enforced", self.name)
            return None
        return Verdict(allowed, self.item.amount, max(0, stats.remaining), stats.reset_time)

    async def refuse_if_spent(self, key: str | int, code: ErrorCode, message: str) -> None:
        """Raise the contract's 429 when the window is already full, counting nothing.

        For limits that count failures (logins): the attempt itself is free, only
        its failure is recorded with ``hit``."""
        if self.item is None or self._limiter is None:
            return
        try:
            if await self._limiter.test(self.item, self.name, str(key)):
                return
            stats = await self._limiter.get_window_stats(self.item, self.name, str(key))
        except Exception:  # the shared store is down: fail open, like ``hit``
            log.warning("rate limit store unreachable; %s not enforced", self.name)
            return
        verdict = Verdict(False, self.item.amount, 0, stats.reset_time)
        raise AppError(code, 429, message, headers=verdict.headers())

    async def check(self, key: str | int, code: ErrorCode, message: str) -> Verdict | None:
        """Count one hit and raise the contract's 429 when over the limit."""
        verdict = await self.hit(key)
        if verdict is not None and not verdict.allowed:
            raise AppError(code, 429, message, headers=verdict.headers())
        return verdict


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        storage: Storage
        if settings.redis_url:
            storage = RedisStorage(
                "async+" + settings.redis_url.removeprefix("async+"),
                implementation="redispy",
                key_prefix=f"{settings.redis_namespace}:limits",
                socket_connect_timeout=2,
                socket_timeout=2,
            )
        else:
            storage = MemoryStorage()
        self.storage = storage
        limiter = MovingWindowRateLimiter(storage)
        self.api = Limit("api", settings.api_rate_limit, limiter)
        self.socket = Limit("socket", settings.socket_rate_limit, limiter)
        self.upload = Limit("upload", settings.upload_rate_limit, limiter)
        self.message = Limit("message", settings.message_rate_limit, limiter)
        self.friend_request = Limit("friend", settings.friend_request_rate_limit, limiter)
        self.login_failure = Limit("login_failure", settings.login_failure_limit, limiter)
        self._trusts = settings.trusts

    async def close(self) -> None:
        if isinstance(self.storage, RedisStorage):
            bridge = self.storage.bridge
            if isinstance(bridge, RedispyBridge):  # implementation="redispy" above
                await bridge.storage.aclose()

    def client_ip(self, peer: str | None, forwarded_for: str | None) -> str:
        """The peer address, unless the peer is a trusted proxy: then the nearest
        untrusted hop of ``X-Forwarded-For`` (a forged left part cannot win)."""
        peer = peer or "unknown"
        if not forwarded_for or not self._trusts(peer):
            return peer
        for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
            if not self._trusts(hop):
                return hop
        return peer
