from __future__ import annotations

from pydantic import Field

from guildhall.kit.body import StrictBody
from guildhall.kit.openapi import Read
from guildhall.users.schemas import UserPublic


class ToUser(StrictBody):
    """``request`` and ``cancel``: ``{"to": "alice"}``."""

    to: str


class FromUser(StrictBody):
    """``accept`` and ``decline``: ``{"from": "alice"}``."""

    from_: str = Field(alias="from")


class NamedUser(StrictBody):
    """``remove``: ``{"username": "alice"}``."""

    username: str


class FriendStatus(Read):
    """Usernames, sorted case-insensitively; ``friend_users`` (added) the friends as
    user shapes, in the same order (their ids open DMs, section 15)."""

    friends: list[str]
    friend_users: list[UserPublic]
    pending_in: list[str]
    pending_out: list[str]
