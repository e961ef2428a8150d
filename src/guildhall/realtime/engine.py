"""Engine.IO v4 over a WebSocket we serve ourselves: no task, queue or ASGI
layer per socket.

A client that opens ``/socket.io/?EIO=4&transport=websocket`` (no ``sid``: a
WebSocket from the start, as socket.io-client with ``transports:
["websocket"]`` and most bots do) is served here once the handshake is checked
(origin, the per-address cap): the ``WireProtocol`` connection hands every
frame it parses to ``EngineSocket.receive`` on the event loop, and every packet
to the client is one ``transport.write`` of a frame. python-engineio's
WebSocket path keeps, per socket, a reader coroutine awaiting the ASGI queue
under ``wait_for``, a writer task, a ping task and two queues; idle, that was
most of a socket's memory (docs/decisions/realtime.md, "Idle memory"). Here an
idle socket is this object (slots), its connection, and one timer handle.

python-socketio sees it as python-engineio's socket (``eio.sockets[sid]``):
``send``, ``close``, ``closing``/``closed``, ``upgraded``; its ``connect``,
``message`` and ``disconnect`` events are triggered exactly as python-engineio
triggers them. Polling sockets, and polling upgraded to a WebSocket, stay
python-engineio's (``wire.DirectSocket``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from engineio import packet as eio_packet

from guildhall.realtime.frames import frame_problem
from guildhall.realtime.wire import frame

if TYPE_CHECKING:
    from guildhall.realtime.wire import WireProtocol

log = logging.getLogger("guildhall.realtime")

# Engine.IO v4 packets as the server writes them, framed once for every socket.
_PING = frame("2")
_CLOSE = frame("1")
_NOOP = frame("6")
# WebSocket close codes: normal, and "policy violation" for a refused frame.
_NORMAL = 1000
_REFUSED = 1008

# Strong references to the tasks started for sockets (asyncio keeps weak ones).
_tasks: set[asyncio.Task[Any]] = set()


def _spawn(coro: Any) -> None:
    task = asyncio.ensure_future(coro)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


class EngineSocket:
    """One Engine.IO session whose transport is a ``WireProtocol`` WebSocket.

    ``server`` is python-engineio's ``AsyncServer``: its handlers (python-socketio),
    ping settings and socket table are used as they are.
    """

    __slots__ = ("_refused", "_timer", "client", "closed", "closing", "server", "sid", "wire")

    # What python-socketio and python-engineio read of a socket: this one is a
    # WebSocket from its first packet.
    connected = True
    upgraded = True
    upgrading = False

    def __init__(self, server: Any, sid: str, wire: WireProtocol, client: str) -> None:
        self.server = server
        self.sid = sid
        self.wire = wire
        self.client = client  # the address log lines name (the trusted-proxy rule's)
        self.closing = False
        self.closed = False
        self._refused = False
        self._timer: asyncio.TimerHandle | None = None

    # -- python-engineio's socket interface --------------------------------------

    @property
    def queue(self) -> EngineSocket:
        """python-engineio's callers put ``None`` here to end the transport, and
        the connection puts its ``websocket.disconnect``: see ``put_nowait``."""
        return self

    def put_nowait(self, item: Any) -> None:
        if item is None:  # end the transport (after a CLOSE packet, if any)
            self.wire.close_websocket(_NORMAL)
        elif isinstance(item, dict) and item.get("type") == "websocket.disconnect":
            # The connection is gone (closed by the client, lost, or dropped as a
            # slow reader): the Engine.IO session ends with it.
            self._stop_timer()
            if not self.closing and not self.closed:
                _spawn(
                    self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
                )

    async def send(self, pkt: eio_packet.Packet) -> None:
        if not self.closed:
            self.wire.write(frame(pkt.encode()))

    async def check_ping_timeout(self) -> bool:
        # python-engineio's service task asks; pings are timed per socket here.
        return not self.closed

    async def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        """python-engineio's close: the ``disconnect`` event, then the CLOSE
        packet (unless ``abort``), then the WebSocket's close frame."""
        if self.closed or self.closing:
            return
        self.closing = True
        self._stop_timer()
        await self.server._trigger_event(
            "disconnect", self.sid, reason or self.server.reason.SERVER_DISCONNECT, run_async=False
        )
        if not abort:
            self.wire.write(_CLOSE)
        self.closed = True
        self.wire.close_websocket(_REFUSED if self._refused else _NORMAL)
        if self.server.sockets.get(self.sid) is self:
            del self.server.sockets[self.sid]

    # -- the client's frames -------------------------------------------------------

    def receive(self, text: str | None, data: bytes | None) -> None:
        """One WebSocket message from the client, on the event loop."""
        if self.closing or self.closed:
            return
        problem = frame_problem(text, data)
        if problem is None and text is not None and len(text) > self.server.max_http_buffer_size:
            problem = "frame too large"
        if problem is not None:
            self.refuse(problem)
            return
        assert text is not None
        kind = text[0]
        if kind == "4":  # message: python-socketio's packet, handled in its own task
            _spawn(
                self.server._trigger_event(
                    "message", self.sid, text[1:], run_async=self.server.async_handlers
                )
            )
        elif kind == "3":  # pong: the next ping after the interval
            self._schedule_ping()
        elif kind == "1":  # the client closes
            _spawn(self.close(wait=False, abort=True, reason=self.server.reason.CLIENT_DISCONNECT))
        elif kind == "5":  # upgrade: nothing to upgrade to (python-engineio answers noop)
            self.wire.write(_NOOP)
        # "2" (a v3 client's ping), "0", "6": ignored, as python-engineio does.

    def refuse(self, problem: str) -> None:
        """A bad frame: one log line, and the socket closed (no CLOSE packet)."""
        if self._refused:
            return
        self._refused = True
        log.warning("socket closed: %s from %s", problem, self.client)
        _spawn(self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE))

    # -- pings: one timer handle per socket, no task -------------------------------

    def start(self, open_packet: eio_packet.Packet) -> None:
        """The handshake is accepted: the OPEN packet, then the ping cycle."""
        self.wire.write(frame(open_packet.encode()))
        self._schedule_ping()

    def _schedule_ping(self) -> None:
        self._stop_timer()
        if not self.closing and not self.closed:
            loop = self.wire.loop
            self._timer = loop.call_later(self.server.ping_interval, self._ping)

    def _ping(self) -> None:
        if self.closing or self.closed:
            return
        self.wire.write(_PING)
        self._timer = self.wire.loop.call_later(self.server.ping_timeout, self._ping_timed_out)

    def _ping_timed_out(self) -> None:
        self._timer = None
        if not self.closing and not self.closed:
            # python-engineio writes a CLOSE packet here (abort=False).
            _spawn(self.close(wait=False, reason=self.server.reason.PING_TIMEOUT))

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def open_packet(server: Any, sid: str) -> eio_packet.Packet:
    """The Engine.IO OPEN packet, as python-engineio writes it for a WebSocket."""
    return eio_packet.Packet(
        eio_packet.OPEN,
        {
            "sid": sid,
            "upgrades": [],
            "pingTimeout": int(server.ping_timeout * 1000),
            "pingInterval": int(server.ping_interval + server.ping_interval_grace_period) * 1000,
            "maxPayload": server.max_http_buffer_size,
        },
    )
