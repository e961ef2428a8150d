"""Direct messages (contract section 15): bodies and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from guildhall.kit.body import StrictBody
from guildhall.kit.openapi import Read
from guildhall.users.schemas import UserPublic


class DmCreate(StrictBody):
    """``recipient_id`` opens (or finds) the DM with one user: a friend or someone
    who shares a guild. ``recipient_ids`` (1-9 friends) creates a group DM."""

    recipient_id: int | None = None
    recipient_ids: list[int] | None = None


class DmChannelRead(Read):
    """A DM or group DM. ``recipients`` lists everyone in it, the caller included."""

    id: int
    type: Literal["dm", "group_dm"]
    name: str | None  # a group's name; null for a DM or an unnamed group
    owner_id: int | None  # the group's owner; null for a DM
    recipients: list[UserPublic]
    last_message_id: int  # 0 before the first message
    guild_id: None
    created_at: datetime
    last_activity_at: datetime  # the newest message's time, else created_at
