"""Client events (contract section 10), all behind one wrapper.

The wrapper (``Dispatcher``) does for every event what no handler repeats:
authentication, the per-user socket rate limit, payload validation, and turning
an ``AppError`` (or a bug) into the ack ``{"ok": false, ...}`` when the client
asked for one, else into the ``error`` event. Handlers call the same services
as REST inside ``rt.transaction()``; the broadcasts come from the committed
events through ``RealtimeServer.deliver``, so a socket change and a REST change
emit the same events.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from guildhall.auth import service as auth_service
from guildhall.db import Tx
from guildhall.errors import AppError, invalid, missing
from guildhall.events import Event
from guildhall.guilds.access import message_for_member
from guildhall.kit.parse import int_id
from guildhall.messages import service as messages
from guildhall.models import Member
from guildhall.observability import SOCKET_EVENTS
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import is_timed_out, require_channel_permission, timed_out
from guildhall.readstates import service as readstates
from guildhall.realtime.guard import client_ip
from guildhall.realtime.schemas import (
    AckIn,
    MessageRefIn,
    ReactionIn,
    RoomIn,
    SendIn,
    TokenIn,
    parse_channel_room,
)

if TYPE_CHECKING:
    from guildhall.realtime.server import RealtimeServer, SocketUser

log = logging.getLogger("guildhall.realtime")

HISTORY_SIZE = 50


@dataclass(slots=True)
class Call:
    server: RealtimeServer
    sid: str
    user: SocketUser  # None only for events that do not need authentication

    @property
    def rt(self) -> Any:
        return self.server.rt


Handler = Callable[[Call, Any], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True, slots=True)
class Spec:
    fn: Handler
    schema: type[BaseModel]
    needs_auth: bool


HANDLERS: dict[str, Spec] = {}


def on(name: str, schema: type[BaseModel], needs_auth: bool = True) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = Spec(fn, schema, needs_auth)
        return fn

    return register


def _input_error(exc: ValidationError) -> AppError:
    first = exc.errors()[0]
    loc = first.get("loc") or ()
    field = str(loc[0]) if loc else None
    if first.get("type") == "missing" and field:
        return missing(field)
    if field:
        return invalid(field, f"{field}: {first.get('msg', 'invalid value')}")
    return AppError("INVALID_INPUT", 400, "Invalid event data")


def error_body(err: AppError) -> dict[str, Any]:
    return {"error": err.message, "code": err.code, "details": err.details}


class Dispatcher:
    """The one wrapper every client event goes through."""

    def __init__(self, server: RealtimeServer) -> None:
        self.server = server

    async def __call__(
        self, sid: str, name: Any, args: list[Any], wants_ack: bool
    ) -> dict[str, Any] | None:
        label = name if isinstance(name, str) and name in HANDLERS else "unknown"
        try:
            result = await self._run(sid, name, args)
            SOCKET_EVENTS.labels(label, "true").inc()
            return {"ok": True, **(result or {})} if wants_ack else None
        except AppError as exc:
            err = exc
        except Exception:
            log.exception("socket event %r failed", name)
            err = AppError("INTERNAL_ERROR", 500, "Internal server error")
        SOCKET_EVENTS.labels(label, "false").inc()
        body = error_body(err)
        if wants_ack:
            return {"ok": False, **body}
        try:
            await self.server.send_to(sid, "error", body)
        except Exception:  # the socket is gone
            log.debug("could not send error to %s", sid)
        return None

    async def _run(self, sid: str, name: Any, args: list[Any]) -> dict[str, Any] | None:
        spec = HANDLERS.get(name) if isinstance(name, str) else None
        user = self.server.sockets.get(sid)
        if user is None and (spec is None or spec.needs_auth):
            raise AppError("AUTH_REQUIRED", 401, "Authentication required")
        await self._rate_limit(sid, user)
        if spec is None:
            raise invalid("event", "Unknown event")
        payload = args[0] if args else None
        if not isinstance(payload, dict):
            raise AppError("INVALID_INPUT", 400, "Event data must be an object")
        try:
            body = spec.schema.model_validate(payload)
        except ValidationError as exc:
            raise _input_error(exc) from None
        return await spec.fn(Call(self.server, sid, user), body)  # type: ignore[arg-type]

    async def _rate_limit(self, sid: str, user: SocketUser | None) -> None:
        limit = self.server.rt.limits.socket
        if not limit.enabled:
            return
        key: str | int
        if user is not None:
            key = user.user_id
        else:  # not signed in yet: count per address, so new sockets gain nothing
            environ = self.server.sio.get_environ(sid) or {}
            key = "ip:" + client_ip(self.server.rt.limits, environ)
        verdict = await limit.hit(key)
        if verdict is not None and not verdict.allowed:
            raise AppError(
                "RATE_LIMIT_EXCEEDED",
                429,
                "Too many socket events",
                {"retry_after": verdict.retry_after},
            )


# -- checks shared by handlers ----------------------------------------------------


async def channel_in_room(tx: Tx, guild_id: int, channel_id: int, user_id: int) -> None:
    """The room's channel exists, is in the room's guild, and the member may see it
    (VIEW_CHANNEL: rooms follow permissions, so delivery needs no check per event)."""
    channel, _ = await require_channel_permission(tx, channel_id, user_id, Permission.VIEW_CHANNEL)
    if channel.guild_id != guild_id:
        raise AppError("CHANNEL_NOT_FOUND", 404, "Channel not found")


async def message_in_room(
    tx: Tx, guild_id: int, channel_id: int, message_id: int, user_id: int
) -> None:
    """The message exists, the user may see it, and it belongs to the room's channel."""
    message, _, _ = await message_for_member(tx, message_id, user_id)
    if message.channel_id != channel_id or message.guild_id != guild_id:
        raise AppError("MESSAGE_NOT_FOUND", 404, "Message not found in this room")


def _message_id(raw: int) -> int:
    return int_id(raw, "MESSAGE_NOT_FOUND")


# -- handlers ----------------------------------------------------------------------


@on("authenticate", TokenIn, needs_auth=False)
async def authenticate(call: Call, body: TokenIn) -> dict[str, Any]:
    if call.user is not None:
        # Already signed in: the same user's token is a no-op; another user's is
        # refused (switching users means reconnecting, so no room is carried over).
        async with call.rt.transaction(write=False) as tx:
            principal = await auth_service.principal_for_token(tx, body.token)
        if principal is None:
            raise AppError("AUTH_REQUIRED", 401, "Invalid or expired token")
        if principal.user_id != call.user.user_id:
            raise invalid("token", "This socket is signed in as another user; reconnect")
        user = call.user
    else:
        found = await call.server.authenticate(call.sid, body.token)
        if found is None:
            raise AppError("AUTH_REQUIRED", 401, "Invalid or expired token")
        user = found
    info = {"id": user.user_id, "username": user.username}
    await call.server.send_to(call.sid, "authenticated", info)
    return info


@on("join_room", RoomIn)
async def join_room(call: Call, body: RoomIn) -> dict[str, Any]:
    guild_id, channel_id = parse_channel_room(body.room)
    uid = call.user.user_id

    async def check() -> None:
        async with call.rt.transaction(write=False) as tx:
            await channel_in_room(tx, guild_id, channel_id, uid)

    if not await call.server.enter_checked(call.sid, call.user, body.room, check):
        return {"room": body.room}
    await call.server.send_to(call.sid, "joined_room", {"room": body.room})
    # Read after entering the room: a message sent meanwhile arrives as
    # new_message and may also be in the history (clients dedupe by id), but is
    # never lost between the two.
    async with call.rt.transaction(write=False) as tx:
        history = await messages.latest(tx, uid, channel_id, limit=HISTORY_SIZE)
    await call.server.send_to(call.sid, "messages_history", history)
    return {"room": body.room}


@on("leave_room", RoomIn)
async def leave_room(call: Call, body: RoomIn) -> dict[str, Any]:
    # Only channel rooms: u:<id> and g:<id> carry the membership and logout
    # instructions for this socket and cannot be left.
    parse_channel_room(body.room)
    await call.server.sio.leave_room(call.sid, body.room)
    await call.server.send_to(call.sid, "left_room", {"room": body.room})
    return {"room": body.room}


@on("send_message", SendIn)
async def send_message(call: Call, body: SendIn) -> dict[str, Any]:
    guild_id, channel_id = parse_channel_room(body.room)
    paths = body.paths()
    uid = call.user.user_id
    async with call.rt.transaction() as tx:
        # The service checks the channel and membership, and the content rules
        # (trim, 1-2000, empty only with files). The room's guild is checked after
        # (one query less on the hot path): a mismatch rolls it all back.
        message = await messages.send(
            tx,
            uid,
            channel_id,
            body.content,
            files=paths or None,
            nonce=body.nonce,
            reply_to=body.reply_to,
            origin_sid=call.sid,
        )
        if message["guild_id"] != guild_id:
            raise AppError("CHANNEL_NOT_FOUND", 404, "Channel not found")
    return {"message": message}


@on("ack_message", AckIn)
async def ack_message(call: Call, body: AckIn) -> dict[str, Any]:
    """POST /api/channels/{id}/ack over the socket: the other sockets of the user get
    ``read_state_updated``, this one the entry in its answer."""
    guild_id, channel_id = parse_channel_room(body.room)
    async with call.rt.transaction() as tx:
        await channel_in_room(tx, guild_id, channel_id, call.user.user_id)
        entry = await readstates.ack(
            tx, call.user.user_id, channel_id, body.message_id, origin_sid=call.sid
        )
    return {"read_state": entry}


async def _typing(call: Call, body: RoomIn, event: str) -> None:
    parse_channel_room(body.room)
    # Being in the room is the membership proof: join_room checked it, and leaving
    # the guild (or the channel's deletion) takes the socket out of it.
    if not call.server.in_room(call.sid, body.room):
        raise AppError("NOT_CHANNEL_MEMBER", 403, "Join the room first")
    guild_id, _ = parse_channel_room(body.room)
    async with call.rt.transaction(write=False) as tx:
        until = await tx.session.scalar(
            select(Member.communication_disabled_until).where(
                Member.guild_id == guild_id, Member.user_id == call.user.user_id
            )
        )
    # Being in the room proved VIEW_CHANNEL; only the timeout is left to check.
    if is_timed_out(until):
        raise timed_out()
    data = {"username": call.user.username, "user_id": call.user.user_id, "room": body.room}
    if call.rt.bus is not None:
        await call.rt.bus.publish([Event(body.room, event, data, skip_sid=call.sid)])


@on("typing", RoomIn)
async def typing(call: Call, body: RoomIn) -> None:
    await _typing(call, body, "user_typing")


@on("stop_typing", RoomIn)
async def stop_typing(call: Call, body: RoomIn) -> None:
    await _typing(call, body, "user_stopped_typing")


async def _react(call: Call, body: ReactionIn, add: bool) -> dict[str, Any]:
    guild_id, channel_id = parse_channel_room(body.room)
    message_id = _message_id(body.message_id)
    uid = call.user.user_id
    action = messages.add_reaction if add else messages.remove_reaction
    async with call.rt.transaction() as tx:
        await message_in_room(tx, guild_id, channel_id, message_id, uid)
        message = await action(tx, uid, message_id, body.emoji)
    return {"message": message}


@on("add_reaction", ReactionIn)
async def add_reaction(call: Call, body: ReactionIn) -> dict[str, Any]:
    return await _react(call, body, add=True)


@on("remove_reaction", ReactionIn)
async def remove_reaction(call: Call, body: ReactionIn) -> dict[str, Any]:
    return await _react(call, body, add=False)


async def _pin(call: Call, body: MessageRefIn, pin: bool) -> dict[str, Any]:
    guild_id, channel_id = parse_channel_room(body.room)
    message_id = _message_id(body.message_id)
    uid = call.user.user_id
    action = messages.pin if pin else messages.unpin
    async with call.rt.transaction() as tx:
        await message_in_room(tx, guild_id, channel_id, message_id, uid)
        message = await action(tx, uid, message_id)
    return {"message_id": message_id, "room": body.room, "message": message}


@on("pin_message", MessageRefIn)
async def pin_message(call: Call, body: MessageRefIn) -> dict[str, Any]:
    return await _pin(call, body, pin=True)


@on("unpin_message", MessageRefIn)
async def unpin_message(call: Call, body: MessageRefIn) -> dict[str, Any]:
    return await _pin(call, body, pin=False)
