"""Events a unit of work causes, delivered only after it commits.

A service calls ``tx.emit(room, name, data)``; the buffer is handed to the
realtime bus after the commit (Zulip's ``send_event_on_commit``) and dropped on
rollback, so no client sees an event for data that was not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ServerEvent(StrEnum):
    """Every event the server sends to clients (contract section 10). A member is
    its string, so the wire is unchanged; the names are the contract's: never
    rename one."""

    NEW_MESSAGE = "new_message"
    MESSAGE_EDITED = "message_edited"
    MESSAGE_DELETED = "message_deleted"
    REACTION_ADDED = "reaction_added"
    REACTION_REMOVED = "reaction_removed"
    MESSAGE_PINNED = "message_pinned"
    MESSAGE_UNPINNED = "message_unpinned"
    POLL_UPDATED = "poll_updated"
    MESSAGES_HISTORY = "messages_history"
    USER_TYPING = "user_typing"
    USER_STOPPED_TYPING = "user_stopped_typing"
    CHANNEL_CREATED = "channel_created"
    CHANNEL_UPDATED = "channel_updated"
    CHANNEL_DELETED = "channel_deleted"
    GUILD_UPDATED = "guild_updated"
    GUILD_DELETED = "guild_deleted"
    GUILD_REMOVED = "guild_removed"
    MEMBER_JOINED = "member_joined"
    MEMBER_LEFT = "member_left"
    MEMBER_UPDATED = "member_updated"
    ROLE_CREATED = "role_created"
    ROLE_UPDATED = "role_updated"
    ROLE_DELETED = "role_deleted"
    EMOJI_CREATED = "emoji_created"
    EMOJI_DELETED = "emoji_deleted"
    STICKER_CREATED = "sticker_created"
    STICKER_DELETED = "sticker_deleted"
    DM_CHANNEL_CREATED = "dm_channel_created"
    DM_CHANNEL_UPDATED = "dm_channel_updated"
    DM_CHANNEL_DELETED = "dm_channel_deleted"
    FRIEND_REQUEST = "friend_request"
    FRIEND_ACCEPTED = "friend_accepted"
    FRIEND_REMOVED = "friend_removed"
    FRIEND_REQUEST_DECLINED = "friend_request_declined"
    FRIEND_REQUEST_CANCELLED = "friend_request_cancelled"
    PRESENCE_UPDATE = "presence_update"
    USER_UPDATED = "user_updated"
    READ_STATE_UPDATED = "read_state_updated"
    AUTHENTICATED = "authenticated"
    JOINED_ROOM = "joined_room"
    LEFT_ROOM = "left_room"
    RESUMED = "resumed"
    RESYNC_REQUIRED = "resync_required"
    ERROR = "error"


class ClientEvent(StrEnum):
    """Every event a client may send (``realtime.handlers`` serves each)."""

    AUTHENTICATE = "authenticate"
    JOIN_ROOM = "join_room"
    RESUME = "resume"
    LEAVE_ROOM = "leave_room"
    SEND_MESSAGE = "send_message"
    ACK_MESSAGE = "ack_message"
    TYPING = "typing"
    STOP_TYPING = "stop_typing"
    ADD_REACTION = "add_reaction"
    REMOVE_REACTION = "remove_reaction"
    PIN_MESSAGE = "pin_message"
    UNPIN_MESSAGE = "unpin_message"


@dataclass(slots=True)
class Event:
    room: str
    name: str
    data: Any
    skip_sid: str | None = None
    # Sockets in any of these rooms (``u:<id>``) do not get it: a guild-wide event
    # about a channel skips the members who may not see that channel.
    skip_rooms: tuple[str, ...] = ()


@dataclass
class EventBuffer:
    items: list[Event] = field(default_factory=list)

    def add(self, event: Event) -> None:
        self.items.append(event)

    def drain(self) -> list[Event]:
        items, self.items = self.items, []
        return items

    def __bool__(self) -> bool:
        return bool(self.items)


# Events numbered per channel (contract section 18): each carries ``seq`` and is
# kept in the channel's replay log. Numbered when the unit of work commits
# (``replay.sequence``), so no producer has to ask for it.
SEQUENCED = frozenset(
    {
        ServerEvent.NEW_MESSAGE,
        ServerEvent.MESSAGE_EDITED,
        ServerEvent.MESSAGE_DELETED,
        ServerEvent.REACTION_ADDED,
        ServerEvent.REACTION_REMOVED,
        ServerEvent.MESSAGE_PINNED,
        ServerEvent.MESSAGE_UNPINNED,
        ServerEvent.POLL_UPDATED,
    }
)


def channel_of_room(room: Any) -> int | None:
    """The channel id of a channel room (``g:<g>:c:<c>`` or ``dm:<c>``), else None."""
    if not isinstance(room, str):
        return None
    if room.startswith("g:"):
        _, sep, tail = room.partition(":c:")
    elif room.startswith("dm:"):
        sep, tail = ":", room[3:]
    else:
        return None
    return int(tail) if sep and tail.isdigit() and tail.isascii() else None


def sequenced_channel(event: Event) -> int | None:
    """The channel whose numbering ``event`` takes part in, or None.

    A channel event delivered through other rooms (a DM's copies to each
    recipient's ``u:<id>``) names its channel room in ``data["room"]``.
    """
    if event.name not in SEQUENCED:
        return None
    cid = channel_of_room(event.room)
    if cid is None and isinstance(event.data, dict):
        cid = channel_of_room(event.data.get("room"))
    return cid


# Room names, in one place.
def channel_room(guild_id: int | None, channel_id: int) -> str:
    """A guild channel's room, or ``dm:<id>`` for a DM channel (no guild)."""
    if guild_id is None:
        return dm_room(channel_id)
    return f"g:{guild_id}:c:{channel_id}"


def dm_room(channel_id: int) -> str:
    """Every socket of every recipient is in it (section 15): the realtime layer
    puts them there at sign-in and on ``JOIN_ROOMS``, as with ``g:<id>``."""
    return f"dm:{channel_id}"


def guild_room(guild_id: int) -> str:
    return f"g:{guild_id}"


def user_room(user_id: int) -> str:
    return f"u:{user_id}"


# Control events: instructions to the realtime layer on every node, never sent to
# clients. Their room selects the sockets (``u:<id>``, ``g:<id>``, a channel room).
JOIN_ROOMS = "@join_rooms"  # data: {"rooms": [...]}
LEAVE_ROOMS = "@leave_rooms"  # data: {"rooms": [...], "prefixes": [...]}
DISCONNECT = "@disconnect"  # data: {"session_ids": [...]} or {"all_but": session_id}


def is_control(name: str) -> bool:
    return name.startswith("@")
