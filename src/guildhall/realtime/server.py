"""The Socket.IO transport: authenticates sockets, keeps their rooms, delivers events.

Everything above the transport speaks ``(room, event, data)`` through the bus
(``ports/bus.py``); a faster transport can replace this one without touching
services. One module per job:

* ``asgi.py`` — the ASGI guard in front of python-engineio (frames, polling bodies);
* ``sio.py`` — python-socketio as we run it (codec, packet checks, dispatch);
* this module — connect, sign-in (with membership epochs) and disconnect;
* ``announce.py`` — presence announcements (the audience: ``users/audience.py``);
* ``rooms.py`` — room checks; ``delivery.py`` — delivery and control events;
* ``handlers.py`` — client events, which see this server as a ``sockets.Hub``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

from starlette.requests import cookie_parser

from guildhall.auth import service as auth_service
from guildhall.auth.deps import SESSION_COOKIE
from guildhall.codes import ErrorCode
from guildhall.errors import AppError
from guildhall.observability import SOCKETS, access_log
from guildhall.realtime.announce import PresenceAnnouncer
from guildhall.realtime.asgi import AsgiGuard
from guildhall.realtime.delivery import Delivery
from guildhall.realtime.guard import SocketGuard, TransportLog, client_ip
from guildhall.realtime.handlers import Dispatcher
from guildhall.realtime.manager import IndexedManager
from guildhall.realtime.ordering import InOrder
from guildhall.realtime.origin import OriginPolicy
from guildhall.realtime.sio import MAX_PACKET_BYTES, NAMESPACE, OrjsonCodec, SocketIOServer
from guildhall.realtime.sockets import MAX_MEMBERSHIP_READS, SocketUser
from guildhall.replay import service as replay_service
from guildhall.runtime import Runtime
from guildhall.users.audience import socket_rooms

log = logging.getLogger("guildhall.realtime")

_MAX_TOKEN_CHARS = 512


@dataclass(slots=True)
class Membership:
    user_id: int
    username: str
    session_id: int
    rooms: list[str]


class RealtimeServer(Delivery):
    """This node's sockets: the parts (``rooms.Rooms``, ``delivery.Delivery``) over
    one ``SocketState``, and sign-in; implements ``ports.realtime.Realtime``."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.sio = SocketIOServer(
            async_mode="asgi",
            client_manager=IndexedManager(),
            json=OrjsonCodec,
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
        self.sockets = {}
        # sid -> (client address, monotonic time of connect): the access log's view.
        self._opened: dict[str, tuple[str, float]] = {}
        self.membership_epoch = 0
        self.announcer = PresenceAnnouncer(rt)
        # What the bus delivers to: numbered channel events leave in order, a gap
        # filled from the replay log (contract section 18).
        self.ordering = InOrder(self.deliver, fill=partial(replay_service.logged_events, rt))
        self._dispatcher = Dispatcher(self)
        self.sio.dispatch = self._dispatcher
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self._fast = type(self.sio.manager) is IndexedManager

    def asgi_app(self, other: Any) -> Any:
        return AsgiGuard(self.rt.limits, self.sio).wrap(other)

    # -- connection lifecycle ---------------------------------------------------

    async def _on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        """Accept every socket; authenticate it now if it brought credentials."""
        self.sockets[sid] = None
        SOCKETS.inc()
        client = client_ip(self.rt.limits, environ)
        self._opened[sid] = (client, time.monotonic())
        self._log_socket("connect", sid, client)
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
        client, since = self._opened.pop(sid, ("unknown", time.monotonic()))
        self._log_socket(
            "disconnect",
            sid,
            client,
            user_id=user.user_id if user is not None else None,
            seconds=round(time.monotonic() - since, 1),
            reason=reason,
        )
        if user is not None and user.counted:
            if await self.rt.presence.disconnect(user.user_id):
                self.announce_presence(user.user_id, user.username, "offline")

    def _log_socket(self, what: str, sid: str, client: str, **more: Any) -> None:
        """One access-log line per socket connect and disconnect (the HTTP request
        that carried a websocket never ends in a response line of its own)."""
        if not access_log.isEnabledFor(logging.INFO):
            return
        try:
            transport = self.sio.transport(sid, NAMESPACE)
        except KeyError:  # the Engine.IO socket is already gone
            transport = "closed"
        text = f"socket {what} {sid} {transport} from {client}"
        if more:
            text += " " + " ".join(f"{k}={v}" for k, v in more.items())
        fields = {"event": f"socket_{what}", "sid": sid, "transport": transport, "client": client}
        access_log.info(text, extra={"fields": fields | more})

    async def stop(self) -> None:
        await self.ordering.stop()

    async def close_all(self) -> int:
        """Close every socket of this node now, for a node that is stopping.

        Dropped at the transport, without the Socket.IO disconnect or Engine.IO
        CLOSE packet that tell stock clients to stay away: they see a lost
        connection and reconnect at once, through the proxy to a node that is up.
        Parked long-polls are answered, so the HTTP server has no request left to
        wait for: every Engine.IO session's, signed in or not yet; and from now
        on the socket endpoint takes no new one (``asgi.py``), so none can park
        a poll between this and the listener's close.
        """
        self.sio.stopping = True
        closed = 0
        for eio_sid in list(self.sio.eio.sockets):
            try:
                await self.sio.close_socket(eio_sid, reconnect=True)
            except Exception:  # one socket's failure must not keep the rest open
                log.exception("closing socket %s on stop", eio_sid)
            else:
                closed += 1
        return closed

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
        for _ in range(MAX_MEMBERSHIP_READS):
            epoch = self.membership_epoch
            found = await self._read_membership(token)
            if found is None:
                return None
            if epoch == self.membership_epoch:
                break
        else:
            raise AppError(ErrorCode.INTERNAL_ERROR, 503, "Memberships are changing; try again")
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
        for room in found.rooms:
            await self.sio.enter_room(sid, room)
        await self._watch(found.rooms)
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
        async with self.rt.transaction(write=False, brief=True) as tx:
            principal = await auth_service.principal_for_token(tx, token)
            if principal is None:
                return None
            rooms = await socket_rooms(tx, principal.user_id)
        return Membership(principal.user_id, principal.username, principal.session_id, rooms)

    # -- presence ---------------------------------------------------------------

    def announce_presence(self, user_id: int, username: str, status: str) -> None:
        self.announcer.announce(user_id, username, status)

    async def presence_settled(self) -> None:
        """Wait until every pending presence announcement has been published."""
        await self.announcer.settled()
