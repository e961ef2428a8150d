"""What an unauthenticated socket may cost (contract section 19).

A connection is admitted at the Engine.IO handshake, before any Socket.IO
packet: at most ``sockets_per_ip`` unauthenticated sockets per client address
(the REST rule for the address, trusted proxies included), each closed unless
it authenticates within ``socket_auth_timeout`` seconds. The count is this
node's: it protects this process's memory, which is what an idle socket costs.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from guildhall.ratelimit import RateLimits

log = logging.getLogger("guildhall.realtime")


def client_ip(limits: RateLimits, environ: dict[str, Any]) -> str:
    """The socket's client address, computed as the REST edge computes it."""
    client = (environ.get("asgi.scope") or {}).get("client")
    return limits.client_ip(client[0] if client else None, environ.get("HTTP_X_FORWARDED_FOR"))


class _Pending:
    __slots__ = ("ip", "timer")

    def __init__(self, ip: str, timer: asyncio.TimerHandle) -> None:
        self.ip = ip
        self.timer = timer


class SocketGuard:
    """Counts unauthenticated Engine.IO sockets per address and times them out."""

    def __init__(
        self,
        limits: RateLimits,
        per_ip: int,
        auth_timeout: float,
        close: Callable[[str], Coroutine[Any, Any, None]],
    ) -> None:
        self.limits = limits
        self.per_ip = per_ip
        self.auth_timeout = auth_timeout
        self._close = close
        self._pending: dict[str, _Pending] = {}  # eio sid -> its address and timer
        self._per_ip: dict[str, int] = {}

    def admit(self, eio_sid: str, environ: dict[str, Any]) -> bool:
        """Count a new connection; False (refuse the handshake) past the cap."""
        ip = client_ip(self.limits, environ)
        count = self._per_ip.get(ip, 0)
        if count >= self.per_ip:
            log.warning("socket refused: %d unauthenticated sockets from %s", count, ip)
            return False
        self._per_ip[ip] = count + 1
        timer = asyncio.get_running_loop().call_later(self.auth_timeout, self._expire, eio_sid)
        self._pending[eio_sid] = _Pending(ip, timer)
        return True

    def authenticated(self, eio_sid: str) -> None:
        """The socket signed in: it no longer counts, and no longer expires."""
        self._release(eio_sid)

    def gone(self, eio_sid: str) -> None:
        self._release(eio_sid)

    def unauthenticated(self, ip: str) -> int:
        return self._per_ip.get(ip, 0)

    def _release(self, eio_sid: str) -> None:
        pending = self._pending.pop(eio_sid, None)
        if pending is None:
            return
        pending.timer.cancel()
        left = self._per_ip[pending.ip] - 1
        if left:
            self._per_ip[pending.ip] = left
        else:
            del self._per_ip[pending.ip]

    def _expire(self, eio_sid: str) -> None:
        if eio_sid in self._pending:
            self._release(eio_sid)
            task = asyncio.create_task(self._close(eio_sid))
            _background.add(task)
            task.add_done_callback(_background.discard)


# Strong references to the closing tasks (asyncio keeps only weak ones).
_background: set[asyncio.Task[None]] = set()


class TransportLog(logging.LoggerAdapter[logging.Logger]):
    """The logger handed to python-engineio and python-socketio.

    They log a traceback for every failing packet (thousands of lines for a
    client sending junk frames) and a line for every packet at INFO. Here only
    errors pass, as one line naming the exception, never a traceback.
    """

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if level < logging.ERROR:
            return
        kwargs.pop("exc_info", None)
        exc = sys.exc_info()[1]
        if exc is not None:
            msg = f"{msg} (%s: %.200s)"
            args = (*args, type(exc).__name__, exc)
        self.logger.log(logging.WARNING, msg, *args, **kwargs)
