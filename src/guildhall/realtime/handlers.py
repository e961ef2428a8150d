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
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from guildhall.auth import service as auth_service
from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid, missing
from guildhall.events import ClientEvent, Event, ServerEvent
from guildhall.guilds.access import ChannelAccess, message_for_member
from guildhall.kit import parse
from guildhall.messages import service as messages
from guildhall.models import Member
from guildhall.observability import SOCKET_EVENTS
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import is_timed_out, require_channel_access, timed_out
from guildhall.readstates import service as readstates
from guildhall.realtime.guard import client_ip
from guildhall.realtime.schemas import (
    AckIn,
    MessageRefIn,
    ReactionIn,
    ResumeIn,
    RoomIn,
    SendIn,
    TokenIn,
    parse_channel_room,
)
from guildhall.realtime.sockets import Hub, SocketUser
from guildhall.replay import service as replay
from guildhall.runtime import Runtime, Tx

log = logging.getLogger("guildhall.realtime")

HISTORY_SIZE = 50
# Reads of a resumed room's log when deliveries or memberships move meanwhile.
_MAX_RESUME_READS = 5


@dataclass(slots=True)
class Call:
    server: Hub
    sid: str
    user: SocketUser | None  # None only for events that do not need authentication

    @property
    def rt(self) -> Runtime:
        return self.server.rt

    @property
    def me(self) -> SocketUser:
        """The caller, for handlers that need authentication (the dispatcher runs
        them only for an authenticated socket)."""
        if self.user is None:
            raise AppError(ErrorCode.AUTH_REQUIRED, 401, "Authentication required")
        return self.user


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
    return AppError(ErrorCode.INVALID_INPUT, 400, "Invalid event data")


def error_body(err: AppError) -> dict[str, Any]:
    return {"error": err.message, "code": err.code, "details": err.details}


class Dispatcher:
    """The one wrapper every client event goes through."""

    def __init__(self, server: Hub) -> None:
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
            err = AppError(ErrorCode.INTERNAL_ERROR, 500, "Internal server error")
        SOCKET_EVENTS.labels(label, "false").inc()
        body = error_body(err)
        if wants_ack:
            return {"ok": False, **body}
        try:
            await self.server.send_to(sid, ServerEvent.ERROR, body)
        except Exception:  # the socket is gone
            log.debug("could not send error to %s", sid)
        return None

    async def _run(self, sid: str, name: Any, args: list[Any]) -> dict[str, Any] | None:
        spec = HANDLERS.get(name) if isinstance(name, str) else None
        user = self.server.sockets.get(sid)
        if user is None and (spec is None or spec.needs_auth):
            raise AppError(ErrorCode.AUTH_REQUIRED, 401, "Authentication required")
        await self._rate_limit(sid, user)
        if spec is None:
            raise invalid("event", "Unknown event")
        payload = args[0] if args else None
        if not isinstance(payload, dict):
            raise AppError(ErrorCode.INVALID_INPUT, 400, "Event data must be an object")
        try:
            body = spec.schema.model_validate(payload)
        except ValidationError as exc:
            raise _input_error(exc) from None
        return await spec.fn(Call(self.server, sid, user), body)

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
                ErrorCode.RATE_LIMIT_EXCEEDED,
                429,
                "Too many socket events",
                {"retry_after": verdict.retry_after},
            )


# -- checks shared by handlers ----------------------------------------------------


async def channel_in_room(
    tx: Tx, guild_id: int | None, channel_id: int, user_id: int
) -> ChannelAccess:
    """The room's channel exists, is in the room's guild (no guild: a DM), and the
    member may see it (VIEW_CHANNEL: rooms follow permissions, so delivery needs no
    check per event; a DM's recipient). The channel is a read-only copy (``detached``)."""
    found = await require_channel_access(
        tx, channel_id, user_id, Permission.VIEW_CHANNEL, detached=True
    )
    if found.channel.guild_id != guild_id:
        raise AppError(ErrorCode.CHANNEL_NOT_FOUND, 404, "Channel not found")
    return found


async def message_in_room(
    tx: Tx, guild_id: int | None, channel_id: int, message_id: int, user_id: int
) -> None:
    """The message exists, the user may see it, and it belongs to the room's channel."""
    message, _, _ = await message_for_member(tx, message_id, user_id)
    if message.channel_id != channel_id or message.guild_id != guild_id:
        raise AppError(ErrorCode.MESSAGE_NOT_FOUND, 404, "Message not found in this room")


# -- handlers ----------------------------------------------------------------------


@on(ClientEvent.AUTHENTICATE, TokenIn, needs_auth=False)
async def authenticate(call: Call, body: TokenIn) -> dict[str, Any]:
    if call.user is not None:
        # Already signed in: the same user's token is a no-op; another user's is
        # refused (switching users means reconnecting, so no room is carried over).
        async with call.rt.transaction(write=False) as tx:
            principal = await auth_service.principal_for_token(tx, body.token)
        if principal is None:
            raise AppError(ErrorCode.AUTH_REQUIRED, 401, "Invalid or expired token")
        if principal.user_id != call.user.user_id:
            raise invalid("token", "This socket is signed in as another user; reconnect")
        user = call.user
    else:
        found = await call.server.authenticate(call.sid, body.token)
        if found is None:
            raise AppError(ErrorCode.AUTH_REQUIRED, 401, "Invalid or expired token")
        user = found
    info = {"id": user.user_id, "username": user.username}
    await call.server.send_to(call.sid, ServerEvent.AUTHENTICATED, info)
    return info


@on(ClientEvent.JOIN_ROOM, RoomIn)
async def join_room(call: Call, body: RoomIn) -> dict[str, Any]:
    guild_id, channel_id = parse_channel_room(body.room)
    uid = call.me.user_id

    seq = 0

    async def check() -> None:
        nonlocal seq
        async with call.rt.transaction(write=False, brief=True) as tx:
            seq = (await channel_in_room(tx, guild_id, channel_id, uid)).channel.seq
        # A channel this node has not delivered yet continues after the seq read
        # here: were its first event to come in late (from another node, through
        # Redis, behind a later one committed here), the later one would otherwise
        # start the count and the first be sent after it, out of order.
        call.server.ordering.start_at(channel_id, seq)

    if not await call.server.enter_checked(call.sid, call.me, body.room, check):
        return {"room": body.room}
    # The seq read before entering: events after it arrive live (section 18).
    await call.server.send_to(call.sid, ServerEvent.JOINED_ROOM, {"room": body.room, "seq": seq})
    # Read after entering the room: a message sent meanwhile arrives as
    # new_message and may also be in the history (clients dedupe by id), but is
    # never lost between the two.
    async with call.rt.transaction(write=False, brief=True) as tx:
        history = await messages.latest(tx, uid, channel_id, limit=HISTORY_SIZE)
    await call.server.send_to(call.sid, ServerEvent.MESSAGES_HISTORY, history)
    return {"room": body.room}


@on(ClientEvent.RESUME, ResumeIn)
async def resume(call: Call, body: ResumeIn) -> dict[str, Any]:
    """Re-join each room and replay what the socket missed (contract section 18).

    Per room: the missed events then ``resumed``, or ``resync_required``, or the
    ``error`` ``join_room`` would answer (its ``details.room`` names the room).
    The ack sums it up: ``{rooms: {room: {status, seq} | {status: "error", code}}}``.
    """
    results: dict[str, Any] = {}
    for room, after in body.rooms.items():
        try:
            status, seq = await _resume_room(call, room, after)
            results[room] = {"status": status, "seq": seq}
        except AppError as exc:
            results[room] = {"status": "error", "code": exc.code}
            err = error_body(exc)
            err["details"] = {**err["details"], "room": room}
            await call.server.send_to(call.sid, ServerEvent.ERROR, err)
    return {"rooms": results}


async def _resume_room(call: Call, room: str, after: int) -> tuple[str, int]:
    guild_id, channel_id = parse_channel_room(room)
    server, sid, user = call.server, call.sid, call.me
    ordering = server.ordering
    for _ in range(_MAX_RESUME_READS):
        epoch = server.membership_epoch
        async with call.rt.transaction(write=False) as tx:
            found = await channel_in_room(tx, guild_id, channel_id, user.user_id)
            plan = await replay.replay(tx, found, room, after)
        # Deliveries wait while the socket enters the room and gets its replay, so
        # the live stream continues exactly where the replay ends.
        async with ordering.exclusive():
            if epoch != server.membership_epoch:
                continue  # a membership change landed meanwhile: check again
            delivered = ordering.delivered(channel_id)
            if delivered is None:
                ordering.start_at(channel_id, plan.seq)
                delivered = plan.seq
            if delivered > plan.seq:
                continue  # newer events went out since the read: read them too
            if server.sockets.get(sid) is not user:
                return plan.status, plan.seq
            await server.sio.enter_room(sid, room)
            if plan.status == replay.RESYNC_REQUIRED:
                await server.send_to(sid, plan.status, {"room": room, "seq": plan.seq})
                return plan.status, plan.seq
            # Committed but not yet delivered here: they follow live, in order.
            for seq, name, data in plan.events:
                if seq <= delivered:
                    await server.send_to(sid, name, data)
            seq = max(delivered, after)
            await server.send_to(sid, plan.status, {"room": room, "seq": seq})
            return plan.status, seq
    raise AppError(ErrorCode.INTERNAL_ERROR, 503, "The room is changing fast; try again")


@on(ClientEvent.LEAVE_ROOM, RoomIn)
async def leave_room(call: Call, body: RoomIn) -> dict[str, Any]:
    # Only channel rooms: u:<id> and g:<id> carry the membership and logout
    # instructions for this socket and cannot be left. A DM's room is answered but
    # kept: a recipient's sockets get its events without joining (section 15).
    guild_id, _ = parse_channel_room(body.room)
    if guild_id is not None:
        await call.server.sio.leave_room(call.sid, body.room)
    await call.server.send_to(call.sid, ServerEvent.LEFT_ROOM, {"room": body.room})
    return {"room": body.room}


@on(ClientEvent.SEND_MESSAGE, SendIn)
async def send_message(call: Call, body: SendIn) -> dict[str, Any]:
    guild_id, channel_id = parse_channel_room(body.room)
    paths = body.paths()
    uid = call.me.user_id

    async def work(tx: Tx) -> dict[str, Any]:
        # The service checks the channel and membership, and the content rules
        # (trim, 1-2000, empty only with files). The room's guild is checked after
        # (one query less on the hot path): a mismatch rolls this send back.
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
            raise AppError(ErrorCode.CHANNEL_NOT_FOUND, 404, "Channel not found")
        return message

    # Group-committed with the other sends in flight (docs/decisions/write-path.md).
    return {"message": await call.rt.grouped(work)}


@on(ClientEvent.ACK_MESSAGE, AckIn)
async def ack_message(call: Call, body: AckIn) -> dict[str, Any]:
    """POST /api/channels/{id}/ack over the socket: the other sockets of the user get
    ``read_state_updated``, this one the entry in its answer."""
    guild_id, channel_id = parse_channel_room(body.room)
    async with call.rt.transaction() as tx:
        await channel_in_room(tx, guild_id, channel_id, call.me.user_id)
        entry = await readstates.ack(
            tx, call.me.user_id, channel_id, body.message_id, origin_sid=call.sid
        )
    return {"read_state": entry}


async def _typing(call: Call, body: RoomIn, event: str) -> None:
    guild_id, channel_id = parse_channel_room(body.room)
    # Being in the room is the membership proof: join_room checked it, and leaving
    # the guild, losing VIEW_CHANNEL or the channel's deletion takes the socket out.
    if not call.server.in_room(call.sid, body.room):
        # Refused: answer as join_room would (a member who may not see the channel
        # hears INSUFFICIENT_PERMISSIONS), else ask to join first.
        async with call.rt.transaction(write=False) as tx:
            await channel_in_room(tx, guild_id, channel_id, call.me.user_id)
        raise AppError(ErrorCode.NOT_CHANNEL_MEMBER, 403, "Join the room first")
    if guild_id is not None:  # a DM has no timeout
        async with call.rt.transaction(write=False) as tx:
            until = await tx.session.scalar(
                select(Member.communication_disabled_until).where(
                    Member.guild_id == guild_id, Member.user_id == call.me.user_id
                )
            )
        # Being in the room proved VIEW_CHANNEL; only the timeout is left to check.
        if is_timed_out(until):
            raise timed_out()
    data = {"username": call.me.username, "user_id": call.me.user_id, "room": body.room}
    await call.rt.bus.publish([Event(body.room, event, data, skip_sid=call.sid)])


@on(ClientEvent.TYPING, RoomIn)
async def typing(call: Call, body: RoomIn) -> None:
    await _typing(call, body, ServerEvent.USER_TYPING)


@on(ClientEvent.STOP_TYPING, RoomIn)
async def stop_typing(call: Call, body: RoomIn) -> None:
    await _typing(call, body, ServerEvent.USER_STOPPED_TYPING)


async def _on_message(
    call: Call,
    room: str,
    raw_message_id: int,
    action: Callable[[Tx, int, int], Awaitable[dict[str, Any]]],
) -> tuple[int, dict[str, Any]]:
    """``action(tx, user_id, message_id)`` on a message of the room's channel (the
    same service call as REST, once the message is known to be in that room);
    returns (message id, the message ``action`` answered)."""
    guild_id, channel_id = parse_channel_room(room)
    message_id = parse.message_id(raw_message_id)
    uid = call.me.user_id
    async with call.rt.transaction() as tx:
        await message_in_room(tx, guild_id, channel_id, message_id, uid)
        message = await action(tx, uid, message_id)
    return message_id, message


async def _react(call: Call, body: ReactionIn, add: bool) -> dict[str, Any]:
    react = messages.add_reaction if add else messages.remove_reaction

    async def action(tx: Tx, uid: int, message_id: int) -> dict[str, Any]:
        return await react(tx, uid, message_id, body.emoji)

    _, message = await _on_message(call, body.room, body.message_id, action)
    return {"message": message}


@on(ClientEvent.ADD_REACTION, ReactionIn)
async def add_reaction(call: Call, body: ReactionIn) -> dict[str, Any]:
    return await _react(call, body, add=True)


@on(ClientEvent.REMOVE_REACTION, ReactionIn)
async def remove_reaction(call: Call, body: ReactionIn) -> dict[str, Any]:
    return await _react(call, body, add=False)


async def _pin(call: Call, body: MessageRefIn, pin: bool) -> dict[str, Any]:
    action = messages.pin if pin else messages.unpin
    message_id, message = await _on_message(call, body.room, body.message_id, action)
    return {"message_id": message_id, "room": body.room, "message": message}


@on(ClientEvent.PIN_MESSAGE, MessageRefIn)
async def pin_message(call: Call, body: MessageRefIn) -> dict[str, Any]:
    return await _pin(call, body, pin=True)


@on(ClientEvent.UNPIN_MESSAGE, MessageRefIn)
async def unpin_message(call: Call, body: MessageRefIn) -> dict[str, Any]:
    return await _pin(call, body, pin=False)
