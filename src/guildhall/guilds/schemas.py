from __future__ import annotations

from datetime import datetime

from guildhall.kit.body import StrictBody
from guildhall.kit.openapi import Read, StatusMessage
from guildhall.users.schemas import Presence, UserPublic


class GuildCreate(StrictBody):
    """``name``: 1-100 characters after trimming."""

    name: str


class GuildUpdate(StrictBody):
    """``PUT /api/guilds/{id}``: every field optional. ``icon``: the ``path`` of
    one of the caller's uploads, or ``null`` to remove it; ``description`` at
    most 300 characters (``null`` or empty removes it)."""

    name: str | None = None
    icon: str | None = None
    description: str | None = None


class InviteCreate(StrictBody):
    """Both optional: ``expires_hours`` 0 = never (max 168), ``max_uses`` 0 = unlimited."""

    expires_hours: int = 24
    max_uses: int = 0


# Answers (documentation only: see ``kit/openapi.py``).


class GuildRead(Read):
    id: int
    name: str
    owner_id: int
    icon: str | None  # URL path of the square copy (/uploads/icons/...)
    description: str | None
    created_at: datetime


class MemberRead(UserPublic):
    status: Presence
    joined_at: datetime
    roles: list[int]  # role ids, @everyone left out, highest first
    communication_disabled_until: datetime | None  # null: not timed out


class GuildLeft(StatusMessage):
    guild_id: int


class GuildJoined(StatusMessage):
    """Also the answer when the caller was already a member (no use counted)."""

    guild_id: int


class InviteRead(Read):
    code: str
    expires_at: datetime | None  # null: never expires
    max_uses: int  # 0: unlimited
    uses: int
    guild_id: int
    creator_id: int
    created_at: datetime


class InvitePreview(Read):
    """What anyone holding the code may see before joining."""

    code: str
    guild_id: int
    guild_name: str
    member_count: int
    expires_at: datetime | None
    max_uses: int
    uses: int
