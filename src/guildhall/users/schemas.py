"""How users appear to others (never with their email)."""

from __future__ import annotations

from typing import Literal

from guildhall.kit.body import StrictBody
from guildhall.kit.openapi import Read

Presence = Literal["online", "offline"]


class UserPublic(Read):
    """A user inside another object (members, events)."""

    id: int
    username: str
    display_name: str | None  # shown instead of the username where set
    avatar: str | None  # URL path of the square copy (/uploads/avatars/...)


class UserListed(UserPublic):
    """``GET /api/users``: with presence."""

    status: Presence


class UserHit(Read):
    username: str
    display_name: str | None
    avatar: str | None


class UserSearchResult(Read):
    """At most 25 hits, prefix matches first."""

    results: list[UserHit]
    count: int


class MeUpdate(StrictBody):
    """``PUT /api/me``: every field optional; ``null`` removes a display name or
    avatar. ``avatar`` is the ``path`` of one of the caller's uploads."""

    username: str | None = None
    avatar: str | None = None
    display_name: str | None = None
