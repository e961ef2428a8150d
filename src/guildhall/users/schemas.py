"""How users appear to others (never with their email)."""

from __future__ import annotations

from typing import Literal

from guildhall.kit.openapi import Read

Presence = Literal["online", "offline"]


class UserPublic(Read):
    """A user inside another object (members, events)."""

    id: int
    username: str
    avatar: str | None


class UserListed(UserPublic):
    """``GET /api/users``: with presence."""

    status: Presence


class UserHit(Read):
    username: str
    avatar: str | None


class UserSearchResult(Read):
    """At most 25 hits, prefix matches first."""

    results: list[UserHit]
    count: int
