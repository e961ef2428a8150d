"""The Socket.IO transport: authenticates sockets, keeps their rooms, delivers events.

Everything above this module speaks ``(room, event, data)`` through the bus; a
faster transport can replace this one without touching services.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import socketio

from guildhall.events import Event, is_control
from guildhall.runtime import Runtime

log = logging.getLogger("guildhall.realtime")


class _OrjsonCodec:
    """python-socketio's ``json`` hook: orjson, so a broadcast is encoded fast."""

    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(s: str | bytes, **_: Any) -> Any:
        return orjson.loads(s)


class RealtimeServer:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            json=_OrjsonCodec,
            cors_allowed_origins=rt.settings.allowed_origin_list or [],
            max_http_buffer_size=1_000_000,
            logger=False,
            engineio_logger=False,
        )

    def asgi_app(self, other: Any) -> Any:
        return socketio.ASGIApp(self.sio, other_asgi_app=other, socketio_path="socket.io")

    async def deliver(self, events: list[Event]) -> None:
        """Deliver committed events to this node's sockets."""
        for ev in events:
            if is_control(ev.name):
                continue  # room membership changes: handled by the full realtime layer
            await self.sio.emit(ev.name, ev.data, room=ev.room, skip_sid=ev.skip_sid)
