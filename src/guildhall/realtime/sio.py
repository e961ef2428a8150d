"""python-socketio as this server runs it: its JSON codec, and the one subclass
that dispatches client events to ``handlers.py`` and refuses bad packets."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import socketio
from engineio.async_socket import AsyncSocket
from socketio import packet as sio_packet

from guildhall.realtime.guard import SocketGuard, client_ip
from guildhall.realtime.wire import DirectSocket

# A client event: (sid, event name, arguments, whether an ack was asked) -> the ack.
Dispatch = Callable[[str, Any, list[Any], bool], Awaitable[dict[str, Any] | None]]

log = logging.getLogger("guildhall.realtime")

NAMESPACE = "/"
# The largest packet a client may send. The contract's biggest event is a
# send_message of 2000 characters (4-byte UTF-8, JSON-escaped by some clients to
# 12 bytes each) plus 10 upload paths: ~30 KB. Anything larger is refused.
MAX_PACKET_BYTES = 64 * 1024


class OrjsonCodec:
    """python-socketio's ``json`` hook: orjson, so a broadcast is encoded fast."""

    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(s: str | bytes, **_: Any) -> Any:
        return orjson.loads(s)


# python-socketio has no type information: AsyncServer is Any to the checker.
class SocketIOServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio, with client events dispatched by us (and one clean-up).

    Handlers need to know whether the client asked for an acknowledgement
    (errors go into the ack, else out as an ``error`` event), which python-socketio
    does not tell them; and client events named ``connect``/``disconnect`` must
    never reach the lifecycle handlers. Both are solved by owning this one step.
    """

    dispatch: Dispatch  # handlers.Dispatcher, set by RealtimeServer
    guard: SocketGuard
    # The node is stopping: its sockets are closed and no new one is taken.
    stopping = False

    # Engine.IO sockets closed for a bad packet: frames already read from them
    # are dropped silently (one log line per socket, not one per frame).
    _refused: set[str]

    async def _handle_eio_connect(self, eio_sid: str, environ: Any) -> Any:
        # The Engine.IO handshake, before any Socket.IO packet: False refuses it.
        if not self.guard.admit(eio_sid, environ):
            return False
        sock = self.eio.sockets.get(eio_sid)
        if sock is not None and type(sock) is AsyncSocket:
            # python-engineio builds its own socket class; ours writes every
            # packet straight to the connection once its WebSocket carries it.
            sock.__class__ = DirectSocket
        await super()._handle_eio_connect(eio_sid, environ)
        return None

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        """python-socketio's packet dispatch, minus binary packets.

        python-socketio keeps every attachment a binary header announces (up to
        9,999,999,999) until they have all arrived: memory for anyone, without
        signing in. No client event of the contract carries binary data, so a
        binary frame or packet closes the socket; so does anything malformed.
        """
        sock = self.eio.sockets.get(eio_sid)
        if eio_sid in self._refused or sock is None or sock.closing or sock.closed:
            return
        problem = "binary frame"
        if isinstance(data, str):
            try:
                pkt = self.packet_class(encoded_packet=data)
            except Exception as exc:
                problem = f"malformed packet ({type(exc).__name__})"
            else:
                kind = pkt.packet_type
                if kind == sio_packet.EVENT and isinstance(pkt.data, list) and pkt.data:
                    await self._handle_event(eio_sid, pkt.namespace, pkt.id, pkt.data)
                    return
                if kind == sio_packet.CONNECT:
                    await self._handle_connect(eio_sid, pkt.namespace, pkt.data)
                    return
                if kind == sio_packet.DISCONNECT:
                    await self._handle_disconnect(
                        eio_sid, pkt.namespace, self.reason.CLIENT_DISCONNECT
                    )
                    return
                # ACK too: the server never asks a client for one.
                problem = (
                    "binary packet"
                    if kind in (sio_packet.BINARY_EVENT, sio_packet.BINARY_ACK)
                    else f"unexpected packet type {kind!r}"
                )
        self._refused.add(eio_sid)
        log.warning(
            "socket closed: %s from %s",
            problem,
            client_ip(self.guard.limits, self.environ.get(eio_sid) or {}),
        )
        await self.close_socket(eio_sid)

    async def close_socket(self, eio_sid: str, *, reconnect: bool = False) -> None:
        """Close an Engine.IO socket for good, whatever its client does.

        python-engineio only sends its CLOSE packet: a websocket client that
        ignores it keeps the connection (and the server's memory) until the ping
        timeout. Ending the writer closes the websocket (or answers the parked
        long-poll) now.

        ``reconnect``: no CLOSE packet (which stock clients read as "stay away"):
        the client sees its connection lost and reconnects, as after a crash.
        """
        sock = self.eio.sockets.get(eio_sid)
        if sock is None:
            return
        await sock.close(
            wait=False,
            abort=reconnect,
            reason=self.eio.reason.TRANSPORT_CLOSE
            if reconnect
            else self.eio.reason.SERVER_DISCONNECT,
        )
        self.eio.sockets.pop(eio_sid, None)
        sock.queue.put_nowait(None)

    async def _handle_eio_disconnect(self, eio_sid: str, reason: Any) -> None:
        self.guard.gone(eio_sid)
        self._refused.discard(eio_sid)
        await super()._handle_eio_disconnect(eio_sid, reason)
        # A polling client that closes leaves its long-poll GET parked for up to
        # ping interval + timeout (45 s) in python-engineio, holding the request
        # (and python clients' own shutdown): answer it, empty, now.
        sock = self.eio.sockets.get(eio_sid)
        if sock is not None and not sock.upgraded:
            sock.queue.put_nowait(None)

    async def _handle_event_internal(
        self, server: Any, sid: str, eio_sid: str, data: list[Any], namespace: str, id: Any
    ) -> None:
        result = await self.dispatch(sid, data[0], data[1:], id is not None)
        if id is not None:
            await server._send_packet(
                eio_sid,
                self.packet_class(sio_packet.ACK, namespace=namespace, id=id, data=[result]),
            )
