from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from guildhall.kit.body import StrictBody
from guildhall.kit.openapi import Read

ChannelType = Literal["text", "voice", "category"]
CHANNEL_TYPES: tuple[str, ...] = get_args(ChannelType)


class ChannelCreate(StrictBody):
    """``name`` 1-100 characters; ``type`` text (default), voice or category;
    ``category_id`` a category channel of the same guild."""

    name: str
    type: str = Field("text", json_schema_extra={"enum": list(CHANNEL_TYPES)})
    category_id: int | None = None


class ChannelUpdate(StrictBody):
    """Any subset; ``category_id: null`` takes the channel out of its category,
    while ``null`` for the other fields is refused (they have no "unset")."""

    # SkipJsonSchema: the document says what is accepted (null is refused with 400).
    name: str | SkipJsonSchema[None] = None
    read_only: bool | SkipJsonSchema[None] = None
    position: int | SkipJsonSchema[None] = None
    category_id: int | None = None


# Answers (documentation only: see ``kit/openapi.py``).


class OverwriteRead(Read):
    """One overwrite: a role's or a member's (ids are separate numberings)."""

    id: int
    type: Literal["role", "member"]
    allow: str  # decimal string
    deny: str


class ChannelRead(Read):
    id: int
    name: str
    type: ChannelType
    guild_id: int
    position: int
    category_id: int | None
    read_only: bool
    created_at: datetime
    permission_overwrites: list[OverwriteRead]
