"""The ASGI guard in front of python-engineio: frames and polling bodies are
checked before they reach it, and a bad one ends the connection with one log line."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

import socketio

from guildhall.ratelimit import RateLimits
from guildhall.realtime.frames import frame_problem, payload_problem
from guildhall.realtime.sio import MAX_PACKET_BYTES, SocketIOServer

log = logging.getLogger("guildhall.realtime")


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
            elif scope["type"] == "websocket":
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
