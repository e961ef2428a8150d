"""Client event payloads: strict JSON types, unknown fields ignored (like REST bodies)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field

from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid
from guildhall.kit.body import StrictBody

# Bounded before the pattern runs; ASCII digits only (``\d`` would take any script's).
MAX_ROOM_CHARS = 48
_CHANNEL_ROOM = re.compile(r"g:([1-9][0-9]{0,18}):c:([1-9][0-9]{0,18})", re.ASCII)
_DM_ROOM = re.compile(r"dm:([1-9][0-9]{0,18})", re.ASCII)
_MAX_ID = 2**63 - 1


def parse_channel_room(room: str) -> tuple[int | None, int]:
    """``g:<guild_id>:c:<channel_id>`` → the two ids; ``dm:<channel_id>`` → (None,
    the id); anything else is INVALID_INPUT."""
    if len(room) <= MAX_ROOM_CHARS and (dm := _DM_ROOM.fullmatch(room)) is not None:
        cid = int(dm.group(1))
        if cid > _MAX_ID:
            raise AppError(ErrorCode.CHANNEL_NOT_FOUND, 404, "Channel not found")
        return None, cid
    if len(room) > MAX_ROOM_CHARS or (m := _CHANNEL_ROOM.fullmatch(room)) is None:
        raise invalid("room", "room must be g:<guild_id>:c:<channel_id> or dm:<channel_id>")
    gid, cid = int(m.group(1)), int(m.group(2))
    if gid > _MAX_ID or cid > _MAX_ID:
        raise AppError(ErrorCode.CHANNEL_NOT_FOUND, 404, "Channel not found")
    return gid, cid


# Rooms one ``resume`` may name: more than a client keeps open.
MAX_RESUME_ROOMS = 200


class TokenIn(StrictBody):
    token: str


class RoomIn(StrictBody):
    room: str


class FileRef(StrictBody):
    path: str


class SendIn(RoomIn):
    content: str | None = None
    file: str | FileRef | None = None
    files: list[str | FileRef] | None = Field(default=None, max_length=100)
    nonce: str | None = None
    reply_to: int | None = None

    def paths(self) -> list[str]:
        refs: list[str | FileRef] = []
        if self.file is not None:
            refs.append(self.file)
        refs.extend(self.files or ())
        return [r if isinstance(r, str) else r.path for r in refs]


class MessageRefIn(RoomIn):
    message_id: int


class AckIn(RoomIn):
    message_id: int


class ReactionIn(MessageRefIn):
    emoji: str = Field(max_length=200)


class ResumeIn(StrictBody):
    """``{rooms: {room: last seq seen}}`` (contract section 18)."""

    rooms: dict[str, Annotated[int, Field(ge=0, le=_MAX_ID)]] = Field(max_length=MAX_RESUME_ROOMS)
