"""The seam between services and the realtime transport.

Services never talk to Socket.IO: a committed unit of work hands its events to
``Bus.publish``. The in-process bus delivers them to this node's sockets; the
Redis bus (scaled out) fans them out to every node, each of which delivers to
its own sockets. Delivery is ``Deliver`` — implemented by the Socket.IO layer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from guildhall.events import Event

Deliver = Callable[[list[Event]], Awaitable[None]]


class Bus(Protocol):
    async def publish(self, events: list[Event]) -> None: ...

    async def start(self, deliver: Deliver) -> None: ...

    async def watch(self, rooms: Iterable[str]) -> None:
        """Called when this node's sockets enter ``rooms``; returns once events
        published for them by other nodes will reach this node."""

    async def stop(self) -> None: ...


class LocalBus:
    """One process: publishing is delivering."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def publish(self, events: list[Event]) -> None:
        if self._deliver is not None and events:
            await self._deliver(events)

    async def watch(self, rooms: Iterable[str]) -> None:
        pass  # every event is this node's

    async def stop(self) -> None:
        self._deliver = None
