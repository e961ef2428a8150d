"""Frame-once delivery: WebSocket frames written straight to each connection.

``deliver`` builds one WebSocket frame per event and writes those same bytes to
every recipient's transport: no task, queue hop, ASGI message or frame build
per recipient. Two pieces make that possible without replacing the Engine.IO /
Socket.IO protocol code:

* ``WireProtocol`` — uvicorn's sans-I/O websockets protocol (``guildhall serve``
  passes it as ``ws=``), which puts itself in the ASGI scope
  (``scope["extensions"]["guildhall.wire"]``) so the realtime layer can write
  prebuilt frames, and which drops a reader that cannot keep up: past
  ``WRITE_BUFFER_HIGH`` unsent bytes the connection is closed with
  ``SLOW_READER_CLOSE`` (1013, "try again later").
* ``DirectSocket`` — python-engineio's socket, which, once its WebSocket carries
  it, writes **every** packet (pings, acks, events, close) through that wire,
  in order: what was queued before the switch is written first, so a frame
  written directly never overtakes one still in the queue. Polling sockets, and
  websockets served by a stock uvicorn protocol, keep python-engineio's queue.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from typing import Any, Protocol

from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket
from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State


class Owner(Protocol):
    """What drives a connection once the ASGI application has handed it over
    (``engine.EngineSocket``)."""

    def receive(self, text: str | None, data: bytes | None) -> None: ...

    def refuse(self, problem: str) -> None: ...

    def put_nowait(self, item: Any) -> None: ...


log = logging.getLogger("guildhall.realtime")

EXTENSION = "guildhall.wire"
# Unsent bytes one connection may hold. A reader further behind than this is
# dropped (the rest of the room is not slowed, and memory stays bounded: at most
# this per socket, plus what one write adds past it).
WRITE_BUFFER_HIGH = 256 * 1024
# RFC 6455 "Try Again Later": the server closed the connection because the
# client did not read fast enough; a reconnect starts fresh.
SLOW_READER_CLOSE = 1013
# A dropped reader gets this long to read what is buffered and answer the close.
_DROP_GRACE = 5.0


def frame(payload: str | bytes) -> bytes:
    """One unmasked, final WebSocket frame (server to client) carrying ``payload``."""
    if isinstance(payload, str):
        data, head = payload.encode(), 0x81  # text
    else:
        data, head = payload, 0x82  # binary
    n = len(data)
    if n < 126:
        return struct.pack("!BB", head, n) + data
    if n < 65536:
        return struct.pack("!BBH", head, 126, n) + data
    return struct.pack("!BBQ", head, 127, n) + data


# uvicorn and websockets log two INFO lines per accepted WebSocket ("[accepted]",
# "connection open") on "uvicorn.error"; Guildhall's access log already has one
# line per socket connect and disconnect (realtime/server.py), so those two are
# only a cost on the connect path (formatting and a write each): warnings and
# errors of the connection still go out, under this name.
_connection_log = logging.getLogger("guildhall.realtime.connection")
_connection_log.setLevel(logging.WARNING)


class _AlwaysWritable:
    """Stands in for uvicorn's per-connection ``writable`` event once an
    ``EngineSocket`` owns the connection: it never awaits an ASGI send again."""

    def set(self) -> None: ...

    def clear(self) -> None: ...


_ALWAYS_WRITABLE = _AlwaysWritable()


class WireProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol with a raw-frame write and a bounded buffer.

    Once an ``engine.EngineSocket`` owns it (``attach``), the ASGI application
    has returned and the connection is driven by that socket alone: frames
    from the client go to ``EngineSocket.receive``, the connection's end to its
    ``put_nowait``, and uvicorn's receive queue and writable event are gone.
    """

    dropped = False
    engine: Owner | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logger = _connection_log
        self.conn.logger = _connection_log

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        transport.set_write_buffer_limits(high=WRITE_BUFFER_HIGH)

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:  # accepted handshake: the app runs with this scope
            scope["extensions"][EXTENSION] = self

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete and getattr(self, "response", None) is not None:
            # The parsed handshake (request and response headers) is not read
            # again once the connection is accepted; the scope keeps what the
            # app needs. Not kept for the life of every idle socket.
            # uvicorn declares both non-optional; nothing reads them after this.
            self.request = self.response = None  # type: ignore[assignment]

    def write(self, data: bytes) -> None:
        """Write prebuilt frame bytes, unless the connection is closing."""
        if not self.close_sent and not self.disconnected:
            self.transport.write(data)

    # -- an Engine.IO socket of our own (realtime/engine.py) ---------------------

    def attach(self, engine: Owner) -> None:
        """Hand the accepted connection to ``engine`` for the rest of its life.

        Called by the ASGI application just before it returns. Frames the
        client sent before this (queued for the application) go to the engine
        first, in order; then the per-connection ASGI state is dropped.
        """
        self.engine = engine
        early = []
        while not self.queue.empty():
            early.append(self.queue.get_nowait())
        self.queue = engine  # type: ignore[assignment]  # takes the disconnect events
        self.writable = _ALWAYS_WRITABLE  # type: ignore[assignment]
        # uvicorn's WebSocket-level keepalive: Engine.IO's pings do that job.
        self.stop_keepalive()
        self.ping_interval = None
        self.scope = None  # type: ignore[assignment]
        for event in early:
            if event["type"] == "websocket.receive":
                engine.receive(event.get("text"), event.get("bytes"))
            else:
                engine.put_nowait(event)
        if self.read_paused and not self.close_sent:
            self.read_paused = False
            self.transport.resume_reading()

    def send_receive_event_to_app(self) -> None:
        engine = self.engine
        if engine is None:
            super().send_receive_event_to_app()
            return
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        if self.close_sent:
            return
        if self.curr_msg_data_type == "text":
            try:
                text = data.decode()
            except UnicodeDecodeError:
                engine.refuse("invalid UTF-8")
                return
            engine.receive(text, None)
        else:
            engine.receive(None, data)

    def close_websocket(self, code: int, reason: str = "") -> None:
        """Send the close frame; the connection ends when the client answers it
        (or after uvicorn's close timeout)."""
        if self.close_sent or self.disconnected or self.conn.state is not State.OPEN:
            return  # closing already (the client's close frame was answered)
        self.conn.send_close(code, reason)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        if self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()
        self.close_timer = self.loop.call_later(self.close_timeout, self.transport.close)

    async def run_asgi(self) -> None:
        # uvicorn's, except that a connection an EngineSocket took over stays
        # open when the application returns.
        try:
            result = await self.app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            pass
        except BaseException:
            self.logger.exception("Exception in ASGI application\n")
            self.send_500_response()
        else:
            if not self.handshake_complete:
                self.logger.error("ASGI callable returned without completing handshake.")
                self.send_500_response()
            elif result is not None:
                self.logger.error("ASGI callable should return None, but returned '%s'.", result)
        if self.engine is None and self.close_timer is None:
            self.transport.close()

    def pause_writing(self) -> None:
        if not self.handshake_complete or self.close_sent or self.disconnected:
            super().pause_writing()
            return
        # Called from inside transport.write(): mark now (further writes are
        # skipped), close once the current write has returned.
        self.close_sent = True
        self.dropped = True
        self.loop.call_soon(self._drop)

    def _drop(self) -> None:
        if self.disconnected:
            return
        client = f"{self.client[0]}" if self.client else "?"
        log.warning(
            "socket closed: slow reader (%d bytes unsent) from %s",
            self.transport.get_write_buffer_size(),
            client,
        )
        # The app (python-engineio) hears the close at once and cleans up.
        self.queue.put_nowait({"type": "websocket.disconnect", "code": SLOW_READER_CLOSE})
        self.conn.send_close(SLOW_READER_CLOSE, "slow reader")
        self.transport.write(b"".join(self.conn.data_to_send()))
        if self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()
        # Closed when the client answers the close (handle_close), else aborted.
        self.close_timer = self.loop.call_later(_DROP_GRACE, self.transport.abort)


# python-engineio has no type information: AsyncSocket is Any to the checker.
class DirectSocket(AsyncSocket):  # type: ignore[misc]
    """python-engineio's socket; once upgraded to a ``WireProtocol`` WebSocket,
    every packet is written straight to the connection, in order."""

    # The connection this socket writes to directly; None while the queue is used.
    wire: WireProtocol | None = None
    _candidate: WireProtocol | None = None

    async def _upgrade_websocket(self, environ: Any) -> Any:
        # python-engineio's ASGI driver defines a class per request for
        # environ["wsgi.input"] (a request-body reader); a WebSocket never reads
        # it, and the environ lives as long as the socket (python-socketio keeps
        # it): a type object, its functions and cells, about 3 KiB per idle
        # socket (bench/results/memory-census.md) for nothing.
        environ.pop("wsgi.input", None)
        scope = environ.get("asgi.scope") or {}
        self._candidate = (scope.get("extensions") or {}).get(EXTENSION)
        return await super()._upgrade_websocket(environ)

    async def poll(self) -> list[Any]:
        wire = self._candidate
        if not self.upgraded or wire is None or self.wire is not None:
            queued: list[Any] = await super().poll()
            return queued
        # Called by python-engineio's websocket writer, once, right after the
        # upgrade: write what is queued, then switch every later packet to the
        # wire. From then on only a None (close) reaches the queue.
        while True:
            try:
                pkt = self.queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            self.queue.task_done()
            if pkt is None:
                return []
            wire.write(frame(pkt.encode()))
        self.wire = wire
        while True:
            pkt = await self.queue.get()
            self.queue.task_done()
            if pkt is None:
                return []  # the writer closes the websocket
            wire.write(frame(pkt.encode()))

    async def send(self, pkt: eio_packet.Packet) -> None:
        wire = self.wire
        if wire is None:
            await super().send(pkt)
        elif await self.check_ping_timeout():
            wire.write(frame(pkt.encode()))
