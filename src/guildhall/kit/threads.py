"""A bound on blocking work run at once in worker threads."""

from __future__ import annotations

import anyio


class ThreadSlots:
    """At most ``tokens`` calls at once in worker threads: an anyio
    ``CapacityLimiter`` made on first use (anyio builds one only inside a running
    event loop, and a runtime is built before its loop runs)."""

    def __init__(self, tokens: int) -> None:
        self.tokens = tokens
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.tokens)
        return self._limiter
