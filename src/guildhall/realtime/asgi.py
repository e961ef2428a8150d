"""The ASGI edge of ``/socket.io/``: a WebSocket from the start is handed to an
Engine.IO socket of our own (``engine.py``); everything else goes to
python-engineio, with frames and polling bodies checked before they reach it
(a bad one ends the connection with one log line)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

import socketio

from guildhall.ratelimit import RateLimits
from guildhall.realtime.engine import EngineSocket, open_packet
from guildhall.realtime.frames import frame_problem, payload_problem
from guildhall.realtime.guard import client_ip
from guildhall.realtime.sio import MAX_PACKET_BYTES, SocketIOServer
from guildhall.realtime.wire import EXTENSION, WireProtocol

log = logging.getLogger("guildhall.realtime")


# The request headers an Engine.IO WebSocket's handshake reads (origin policy,
# cookie sign-in, client address), as python-engineio names them in its environ.
_HANDSHAKE_HEADERS = {
    b"origin": "HTTP_ORIGIN",
    b"host": "HTTP_HOST",
    b"cookie": "HTTP_COOKIE",
    b"x-forwarded-for": "HTTP_X_FORWARDED_FOR",
    b"x-forwarded-proto": "HTTP_X_FORWARDED_PROTO",
    b"x-forwarded-host": "HTTP_X_FORWARDED_HOST",
}
# What a socket's environ keeps once its handshake is done: the address rules'
# inputs (rate limits before sign-in), and the cookie until Socket.IO's connect.
_KEPT = frozenset({"asgi.scope", "HTTP_X_FORWARDED_FOR", "HTTP_COOKIE"})


def _engine_wire(scope: Any) -> WireProtocol | None:
    """The connection, when this is a new Engine.IO v4 session over a WebSocket
    served by ``WireProtocol`` (an upgrade names its polling session: not ours)."""
    wire = (scope.get("extensions") or {}).get(EXTENSION)
    if wire is None:
        return None
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("EIO") != ["4"] or query.get("transport") != ["websocket"] or "sid" in query:
        return None
    return wire  # type: ignore[no-any-return]


def _environ(scope: Any) -> dict[str, Any]:
    """The few environ keys python-engineio would give the handshake that we read."""
    environ: dict[str, Any] = {
        "asgi.scope": {"client": scope.get("client"), "scheme": scope.get("scheme")}
    }
    for key, value in scope["headers"]:
        name = _HANDSHAKE_HEADERS.get(key.lower())
        if name is not None:
            text = value.decode("latin-1")
            environ[name] = f"{environ[name]},{text}" if name in environ else text
    return environ


def _too_long(scope: Any) -> bool:
    for key, value in scope["headers"]:
        if key == b"content-length":
            return not value.isdigit() or int(value) > MAX_PACKET_BYTES
    return False


async def _plain(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class AsgiGuard:
    def __init__(self, limits: RateLimits, sio: SocketIOServer) -> None:
        self.limits = limits
        self.sio = sio

    def wrap(self, other: Any) -> Any:
        """The socket endpoint on ``/socket.io/``, ``other`` (HTTP) elsewhere."""
        inner = socketio.ASGIApp(self.sio, other_asgi_app=other, socketio_path="socket.io")

        async def app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "lifespan" or not scope["path"].startswith("/socket.io/"):
                await inner(scope, receive, send)
            elif self.sio.stopping:
                # Every session here is closed: a new one would park a long-poll
                # that the stopping server waits out. The client tries again, and
                # the proxy sends it to a node that is up.
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close"})  # uvicorn answers 403
                else:
                    await _plain(send, 503, b"Server stopping")
            elif scope["type"] == "websocket":
                wire = _engine_wire(scope)
                if wire is not None:
                    await self._engine_websocket(scope, send, wire)
                else:
                    await self._checked_websocket(scope, receive, send, inner)
            elif scope["type"] == "http" and scope["method"] == "POST":
                await self._checked_post(scope, receive, send, inner)
            else:
                await inner(scope, receive, send)

        return app

    def _log_refusal(self, scope: Any, problem: str) -> None:
        headers = dict(scope["headers"])
        forwarded = headers.get(b"x-forwarded-for")
        ip = self.limits.client_ip(
            scope["client"][0] if scope.get("client") else None,
            forwarded.decode("latin-1") if forwarded else None,
        )
        log.warning("socket closed: %s from %s", problem, ip)

    async def _engine_websocket(self, scope: Any, send: Any, wire: WireProtocol) -> None:
        """python-engineio's WebSocket handshake, then the connection handed to an
        ``EngineSocket``; this coroutine (and with it uvicorn's task) ends here."""
        eio = self.sio.eio
        environ = _environ(scope)
        origin = environ.get("HTTP_ORIGIN")
        if origin and not eio.cors_allowed_origins(origin, environ):
            eio._log_error_once(origin + " is not an accepted origin.", "bad-origin")
            await send({"type": "websocket.close"})  # uvicorn answers 403
            return
        sid = eio.generate_id()
        sock = EngineSocket(eio, sid, wire, client_ip(self.limits, environ))
        eio.sockets[sid] = sock
        # python-socketio's connect (our admission: the per-address cap); False refuses.
        accepted = await eio._trigger_event("connect", sid, environ, run_async=False)
        for key in [key for key in environ if key not in _KEPT]:
            del environ[key]
        if accepted is not None and accepted is not True:
            eio.sockets.pop(sid, None)
            await send({"type": "websocket.close"})
            return
        if self.sio.stopping:  # closed while its connect was running (close_all)
            await send({"type": "websocket.close"})
            return
        try:
            await send({"type": "websocket.accept"})
        except OSError:  # the client went away during the handshake
            await sock.close(wait=False, abort=True, reason=eio.reason.TRANSPORT_CLOSE)
            return
        sock.start(open_packet(eio, sid))
        wire.attach(sock)

    async def _checked_websocket(self, scope: Any, receive: Any, send: Any, inner: Any) -> None:
        """A bad frame ends the connection, with one log line for it."""
        closed = False  # by us: frames still in flight are dropped silently

        async def checked_send(event: Any) -> None:
            nonlocal closed
            if event["type"] == "websocket.close":
                closed = True
            await send(event)

        async def checked_receive() -> Any:
            nonlocal closed
            event = await receive()
            if event["type"] == "websocket.receive":
                problem = frame_problem(event.get("text"), event.get("bytes"))
                if problem is not None:
                    if not closed:
                        self._log_refusal(scope, problem)
                    closed = True
                    # python-engineio reads this as the client going away: it closes
                    # the socket and ends the WebSocket.
                    return {"type": "websocket.disconnect", "code": 1008}
            return event

        await inner(scope, checked_receive, checked_send)

    async def _checked_post(self, scope: Any, receive: Any, send: Any, inner: Any) -> None:
        """A polling POST, read here in full (it is small) and checked first.

        An oversize one must not reach python-engineio: it closes the socket and
        then waits, holding the request, for a poll that drains the close packet
        (forever if the client never polls). A bad packet closes the socket.
        """
        body = b""
        more = not _too_long(scope)
        while more:
            event = await receive()
            if event["type"] != "http.request":
                return  # the client went away
            body += event.get("body", b"")
            more = event.get("more_body", False)
            if len(body) > MAX_PACKET_BYTES:
                break
        if len(body) > MAX_PACKET_BYTES or _too_long(scope):
            await _plain(send, 413, b"Payload too large")
            return
        problem = payload_problem(body)
        if problem is not None:
            self._log_refusal(scope, problem)
            for sid in parse_qs(scope.get("query_string", b"").decode("latin-1")).get("sid", ()):
                await self.sio.close_socket(sid)
            await _plain(send, 400, b"Bad request")
            return
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await inner(scope, replay, send)
