"""A socket of this node, and the state the parts of the server share.

``server.RealtimeServer`` is built from one class per job (``rooms.Rooms``,
``delivery.Delivery``) over ``SocketState``; the client-event handlers see it
as a ``Hub``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from guildhall.realtime.ordering import InOrder
from guildhall.realtime.sio import SocketIOServer
from guildhall.runtime import Runtime

# Re-reads of a socket's memberships when a membership change lands meanwhile.
MAX_MEMBERSHIP_READS = 5


class SocketUser:
    """What a socket knows about its user: all of its per-socket state."""

    __slots__ = ("counted", "session_id", "user_id", "username")

    def __init__(self, user_id: int, username: str, session_id: int) -> None:
        self.user_id = user_id
        self.username = username
        self.session_id = session_id
        self.counted = False  # presence has counted this socket


class SocketState:
    """What every part of the server works on."""

    rt: Runtime
    sio: SocketIOServer
    # sid -> its user; None while the socket is connected but not authenticated.
    sockets: dict[str, SocketUser | None]
    # Bumped by every membership change delivered here: a socket that read its
    # memberships across such a change reads them again before entering rooms.
    membership_epoch: int


class Hub(Protocol):
    """What the client-event handlers (``handlers.py``) use of the server."""

    rt: Runtime
    sio: SocketIOServer
    sockets: dict[str, SocketUser | None]
    membership_epoch: int
    ordering: InOrder

    async def authenticate(self, sid: str, token: str) -> SocketUser | None: ...

    async def enter_checked(
        self, sid: str, user: SocketUser, room: str, check: Callable[[], Awaitable[None]]
    ) -> bool: ...

    def in_room(self, sid: str, room: str) -> bool: ...

    async def send_to(self, sid: str, event: str, data: Any) -> None: ...
