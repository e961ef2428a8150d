"""The Socket.IO transport: authenticates sockets, keeps their rooms, delivers events.

Everything above this module speaks ``(room, event, data)`` through the bus; a
faster transport can replace this one without touching services. Client events
are handled in ``handlers.py``; this module owns the sockets' state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson
import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet
from sqlalchemy import Select, select
from starlette.requests import cookie_parser

from guildhall.auth import service as auth_service
from guildhall.auth.deps import SESSION_COOKIE
from guildhall.db import Tx
from guildhall.errors import AppError
from guildhall.events import (
    DISCONNECT,
    JOIN_ROOMS,
    LEAVE_ROOMS,
    Event,
    guild_room,
    is_control,
    user_room,
)
from guildhall.models import Friendship, Member
from guildhall.observability import SOCKETS
from guildhall.realtime.frames import frame_problem, payload_problem
from guildhall.realtime.guard import SocketGuard, TransportLog, client_ip
from guildhall.realtime.handlers import Dispatcher
from guildhall.realtime.origin import OriginPolicy
from guildhall.runtime import Runtime

log = logging.getLogger("guildhall.realtime")

NAMESPACE = "/"
# The largest packet a client may send. The contract's biggest event is a
# send_message of 2000 characters (4-byte UTF-8, JSON-escaped by some clients to
# 12 bytes each) plus 10 upload paths: ~30 KB. Anything larger is refused.
MAX_PACKET_BYTES = 64 * 1024
_MAX_TOKEN_CHARS = 512
# Re-reads of a socket's memberships when a membership change lands meanwhile.
_MAX_MEMBERSHIP_READS = 5


class _OrjsonCodec:
    """python-socketio's ``json`` hook: orjson, so a broadcast is encoded fast."""

    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(s: str | bytes, **_: Any) -> Any:
        return orjson.loads(s)


class SocketUser:
    """What a socket knows about its user: all of its per-socket state."""

    __slots__ = ("counted", "session_id", "user_id", "username")

    def __init__(self, user_id: int, username: str, session_id: int) -> None:
        self.user_id = user_id
        self.username = username
        self.session_id = session_id
        self.counted = False  # presence has counted this socket


@dataclass(slots=True)
class Membership:
    user_id: int
    username: str
    session_id: int
    guild_ids: list[int]


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


async def _ids(tx: Tx, stmt: Select[tuple[int]]) -> list[int]:
    return list((await tx.session.execute(stmt)).scalars().all())


class _SocketIOServer(socketio.AsyncServer):
    """python-socketio, with client events dispatched by us (and one clean-up).

    Handlers need to know whether the client asked for an acknowledgement
    (errors go into the ack, else out as an ``error`` event), which python-socketio
    does not tell them; and client events named ``connect``/``disconnect`` must
    never reach the lifecycle handlers. Both are solved by owning this one step.
    """

    dispatch: Any = None  # async (sid, name, args, wants_ack) -> ack payload
    guard: SocketGuard

    # Engine.IO sockets closed for a bad packet: frames already read from them
    # are dropped silently (one log line per socket, not one per frame).
    _refused: set[str]

    async def _handle_eio_connect(self, eio_sid: str, environ: Any) -> Any:  # type: ignore[override]
        # The Engine.IO handshake, before any Socket.IO packet: False refuses it.
        if not self.guard.admit(eio_sid, environ):
            return False
        await super()._handle_eio_connect(eio_sid, environ)
        return None

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:  # type: ignore[override]
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

    async def close_socket(self, eio_sid: str) -> None:
        """Close an Engine.IO socket for good, whatever its client does.

        python-engineio only sends its CLOSE packet: a websocket client that
        ignores it keeps the connection (and the server's memory) until the ping
        timeout. Ending the writer closes the websocket (or answers the parked
        long-poll) now.
        """
        sock = self.eio.sockets.get(eio_sid)
        if sock is None:
            return
        await sock.close(wait=False, reason=self.eio.reason.SERVER_DISCONNECT)
        self.eio.sockets.pop(eio_sid, None)
        sock.queue.put_nowait(None)

    async def _handle_eio_disconnect(self, eio_sid: str, reason: Any) -> None:  # type: ignore[override]
        self.guard.gone(eio_sid)
        self._refused.discard(eio_sid)
        await super()._handle_eio_disconnect(eio_sid, reason)
        # A polling client that closes leaves its long-poll GET parked for up to
        # ping interval + timeout (45 s) in python-engineio, holding the request
        # (and python clients' own shutdown): answer it, empty, now.
        sock = self.eio.sockets.get(eio_sid)
        if sock is not None and not sock.upgraded:
            sock.queue.put_nowait(None)

    async def _handle_event_internal(  # type: ignore[override]
        self, server: Any, sid: str, eio_sid: str, data: list[Any], namespace: str, id: Any
    ) -> None:
        result = await self.dispatch(sid, data[0], data[1:], id is not None)
        if id is not None:
            await server._send_packet(
                eio_sid,
                self.packet_class(sio_packet.ACK, namespace=namespace, id=id, data=[result]),
            )


class RealtimeServer:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.sio = _SocketIOServer(
            async_mode="asgi",
            json=_OrjsonCodec,
            # Never []: python-engineio reads an empty list as "no origin check".
            cors_allowed_origins=OriginPolicy(rt.settings),
            max_http_buffer_size=MAX_PACKET_BYTES,
            logger=TransportLog(logging.getLogger("guildhall.realtime.socketio")),
            engineio_logger=TransportLog(logging.getLogger("guildhall.realtime.engineio")),
        )
        self.sio.guard = SocketGuard(
            rt.limits,
            rt.settings.sockets_per_ip,
            rt.settings.socket_auth_timeout,
            self.sio.close_socket,
        )
        self.sio._refused = set()
        # sid -> its user; None while the socket is connected but not authenticated.
        self.sockets: dict[str, SocketUser | None] = {}
        # Bumped by every membership change delivered here: a socket that read its
        # memberships across such a change reads them again before entering rooms.
        self.membership_epoch = 0
        self._presence_tail: dict[int, asyncio.Task[None]] = {}
        self._dispatcher = Dispatcher(self)
        self.sio.dispatch = self._dispatcher
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        # The fast path reads python-socketio's room table directly; any other
        # manager (a message-queue one) goes through its public emit.
        self._fast = type(self.sio.manager) is socketio.AsyncManager

    def asgi_app(self, other: Any) -> Any:
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
        ip = self.rt.limits.client_ip(
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

    # -- connection lifecycle ---------------------------------------------------

    async def _on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        """Accept every socket; authenticate it now if it brought credentials."""
        self.sockets[sid] = None
        SOCKETS.inc()
        token = None
        if isinstance(auth, dict) and isinstance(auth.get("token"), str):
            token = auth["token"]
        if token is None:
            cookies = cookie_parser(environ.get("HTTP_COOKIE", ""))
            token = cookies.get(SESSION_COOKIE) or None
        if token is not None:
            try:
                await self.authenticate(sid, token)
            except Exception:  # a failed look-up leaves the socket unauthenticated
                log.exception("socket authentication failed")
        return True

    async def _on_disconnect(self, sid: str, reason: Any = None) -> None:
        if sid not in self.sockets:
            return
        SOCKETS.dec()
        user = self.sockets.pop(sid)
        if user is not None and user.counted and self.rt.presence is not None:
            if await self.rt.presence.disconnect(user.user_id):
                self.announce_presence(user.user_id, user.username, "offline")

    async def authenticate(self, sid: str, token: str) -> SocketUser | None:
        """Bind the socket to the token's user: its rooms, then presence.

        None when the token is not a live session (or the socket went away).
        """
        current = self.sockets.get(sid)
        if current is not None or sid not in self.sockets:
            return current
        if not token or len(token) > _MAX_TOKEN_CHARS or not token.isascii():
            return None
        found: Membership | None = None
        for _ in range(_MAX_MEMBERSHIP_READS):
            epoch = self.membership_epoch
            found = await self._read_membership(token)
            if found is None:
                return None
            if epoch == self.membership_epoch:
                break
        else:
            raise AppError("INTERNAL_ERROR", 503, "Memberships are changing; try again")
        assert found is not None
        # No await from the epoch check to the last room: a membership change
        # delivered after this point finds the socket in its rooms.
        if sid not in self.sockets:
            return None
        raced = self.sockets[sid]
        if raced is not None:  # a concurrent authenticate of this socket won
            return raced if raced.user_id == found.user_id else None
        user = SocketUser(found.user_id, found.username, found.session_id)
        self.sockets[sid] = user
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        if eio_sid is not None:
            self.sio.guard.authenticated(eio_sid)
        await self.sio.enter_room(sid, user_room(user.user_id))
        for gid in found.guild_ids:
            await self.sio.enter_room(sid, guild_room(gid))
        if self.rt.presence is None:
            return user
        came_online = await self.rt.presence.connect(user.user_id)
        if self.sockets.get(sid) is not user:
            # Disconnected while being counted: uncount; nobody saw it come online.
            went_offline = await self.rt.presence.disconnect(user.user_id)
            if went_offline and not came_online:
                self.announce_presence(user.user_id, user.username, "offline")
            return None
        user.counted = True
        if came_online:
            self.announce_presence(user.user_id, user.username, "online")
        return user

    async def _read_membership(self, token: str) -> Membership | None:
        async with self.rt.transaction(write=False) as tx:
            principal = await auth_service.principal_for_token(tx, token)
            if principal is None:
                return None
            guild_ids = await _ids(
                tx, select(Member.guild_id).where(Member.user_id == principal.user_id)
            )
        return Membership(principal.user_id, principal.username, principal.session_id, guild_ids)

    # -- presence ---------------------------------------------------------------

    def announce_presence(self, user_id: int, username: str, status: str) -> None:
        """Tell the user's guilds and friends, in the background and in order.

        Each announcement waits for the previous one of the same user, so a quick
        reconnect can never leave observers with the wrong final status.
        """
        previous = self._presence_tail.get(user_id)
        task = asyncio.create_task(self._announce(previous, user_id, username, status))
        self._presence_tail[user_id] = task

        def _done(t: asyncio.Task[None]) -> None:
            if self._presence_tail.get(user_id) is t:
                del self._presence_tail[user_id]

        task.add_done_callback(_done)

    async def presence_settled(self) -> None:
        """Wait until every pending presence announcement has been published."""
        while self._presence_tail:
            await asyncio.wait(list(self._presence_tail.values()))

    async def _announce(
        self, previous: asyncio.Task[None] | None, user_id: int, username: str, status: str
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            async with self.rt.transaction(write=False) as tx:
                guild_ids = await _ids(tx, select(Member.guild_id).where(Member.user_id == user_id))
                friend_ids = await _ids(
                    tx, select(Friendship.friend_id).where(Friendship.user_id == user_id)
                )
            # One payload object for every room: ``deliver`` sends it once to the
            # union of the rooms, so a friend in three shared guilds hears it once.
            data = {"user_id": user_id, "username": username, "status": status}
            rooms = [guild_room(g) for g in guild_ids] + [user_room(f) for f in friend_ids]
            if rooms and self.rt.bus is not None:
                await self.rt.bus.publish([Event(r, "presence_update", data) for r in rooms])
        except Exception:
            log.exception("presence announcement failed")

    # -- rooms ------------------------------------------------------------------

    async def enter_checked(
        self, sid: str, user: SocketUser, room: str, check: Callable[[], Awaitable[None]]
    ) -> bool:
        """Enter ``room`` once ``check`` (which raises if not allowed) has passed
        with no membership change delivered meanwhile. False if the socket is gone."""
        for _ in range(_MAX_MEMBERSHIP_READS):
            epoch = self.membership_epoch
            await check()
            if epoch == self.membership_epoch:
                break
        else:
            raise AppError("INTERNAL_ERROR", 503, "Memberships are changing; try again")
        if self.sockets.get(sid) is not user:
            return False
        await self.sio.enter_room(sid, room)
        return True

    def in_room(self, sid: str, room: str) -> bool:
        members = self.sio.manager.rooms.get(NAMESPACE, {}).get(room)
        return members is not None and sid in members

    def _participants(self, room: str) -> list[str]:
        return [sid for sid, _ in self.sio.manager.get_participants(NAMESPACE, room)]

    async def send_to(self, sid: str, event: str, data: Any) -> None:
        """One event to one socket of this node."""
        await self.sio.emit(event, data, to=sid, ignore_queue=True)

    # -- delivery ---------------------------------------------------------------

    async def deliver(self, events: list[Event]) -> None:
        """Deliver committed events to this node's sockets.

        Control events change rooms and never reach clients. A run of events with
        the same name and payload (a presence change for several rooms) goes once
        to the union of their rooms.
        """
        i, n = 0, len(events)
        while i < n:
            ev = events[i]
            if is_control(ev.name):
                try:
                    await self._control(ev)
                except Exception:
                    log.exception("control event %s failed", ev.name)
                i += 1
                continue
            rooms = [ev.room]
            j = i + 1
            while (
                j < n
                and events[j].name == ev.name
                and events[j].skip_sid == ev.skip_sid
                and events[j].data == ev.data
            ):
                rooms.append(events[j].room)
                j += 1
            try:
                await self._broadcast(ev.name, ev.data, rooms, ev.skip_sid)
            except Exception:
                log.exception("delivery of %s failed", ev.name)
            i = j

    async def _broadcast(
        self, name: str, data: Any, rooms: list[str], skip_sid: str | None
    ) -> None:
        if not self._fast:
            await self.sio.emit(
                name,
                data,
                to=rooms if len(rooms) > 1 else rooms[0],
                skip_sid=skip_sid,
                ignore_queue=True,
            )
            return
        table = self.sio.manager.rooms.get(NAMESPACE)
        if not table:
            return
        if len(rooms) == 1:
            recipients = table.get(rooms[0])
            if not recipients:
                return  # nobody here: not even encoded
        else:
            recipients = {}
            for room in rooms:
                members = table.get(room)
                if members:
                    recipients.update(members)
            if not recipients:
                return
        # Encoded once; python-engineio caches the frame text on the packet, so
        # every recipient's writer sends the same string. Per recipient there is
        # only a queue put (python-socketio's emit makes a task per recipient).
        encoded = self.sio.packet_class(
            sio_packet.EVENT, namespace=NAMESPACE, data=[name, data]
        ).encode()
        if isinstance(encoded, list):  # binary attachments: not ours, use the slow path
            await self.sio.emit(name, data, to=rooms, skip_sid=skip_sid, ignore_queue=True)
            return
        pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        pkt.encode()
        sockets = self.sio.eio.sockets
        for sid, eio_sid in recipients.items():
            if sid == skip_sid:
                continue
            sock = sockets.get(eio_sid)
            if sock is None or sock.closing or sock.closed:
                continue
            sock.queue.put_nowait(pkt)

    async def _control(self, ev: Event) -> None:
        self.membership_epoch += 1
        sids = self._participants(ev.room)
        if not sids:
            return
        data = ev.data or {}
        if ev.name == JOIN_ROOMS:
            for sid in sids:
                for room in data.get("rooms", ()):
                    await self.sio.enter_room(sid, room)
        elif ev.name == LEAVE_ROOMS:
            rooms = list(data.get("rooms", ()))
            prefixes = tuple(data.get("prefixes", ()))
            if prefixes:
                table = self.sio.manager.rooms.get(NAMESPACE, {})
                rooms += [r for r in table if isinstance(r, str) and r.startswith(prefixes)]
            for sid in sids:
                for room in rooms:
                    await self.sio.leave_room(sid, room)
        elif ev.name == DISCONNECT:
            ended = set(data.get("session_ids", ()))
            keep = data.get("all_but")
            for sid in sids:
                user = self.sockets.get(sid)
                if user is None:
                    continue
                if user.session_id in ended or ("all_but" in data and user.session_id != keep):
                    await self.sio.disconnect(sid, ignore_queue=True)
        else:
            log.warning("unknown control event %s", ev.name)
