"""Events a unit of work causes, delivered only after it commits.

A service calls ``tx.emit(room, name, data)``; the buffer is handed to the
realtime bus after the commit (Zulip's ``send_event_on_commit``) and dropped on
rollback, so no client sees an event for data that was not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Event:
    room: str
    name: str
    data: Any
    skip_sid: str | None = None


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


# Room names, in one place.
def channel_room(guild_id: int, channel_id: int) -> str:
    return f"g:{guild_id}:c:{channel_id}"


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
