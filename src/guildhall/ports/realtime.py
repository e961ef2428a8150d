"""What the rest of the process needs from the realtime transport (built in
``app.py``; ``realtime/server.py`` implements it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from guildhall.events import Event
from guildhall.ports.bus import Deliver


class Realtime(Protocol):
    @property
    def ordering(self) -> Deliver:
        """What the bus hands committed events to: ``deliver`` behind the ordering
        layer, so numbered channel events reach the sockets in order."""
        ...

    async def deliver(self, events: list[Event]) -> None:
        """Deliver committed events to this node's sockets."""
        ...

    def local_rooms(self) -> Iterable[str]:
        """The rooms where this node holds at least one socket."""
        ...

    async def stop(self) -> None:
        """Stop delivering (events held back for their order are dropped)."""
        ...

    async def close_all(self) -> int:
        """Close every socket of this node now (a node that is stopping)."""
        ...

    def asgi_app(self, other: Any) -> Any:
        """The socket endpoint in front of ``other`` (the HTTP application)."""
        ...

    async def presence_settled(self) -> None:
        """Wait until every pending presence announcement has been published."""
        ...
