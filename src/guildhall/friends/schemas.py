from __future__ import annotations

from pydantic import Field

from guildhall.auth.schemas import StrictBody
from guildhall.kit.openapi import Read


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
    """Usernames, sorted case-insensitively."""

    friends: list[str]
    pending_in: list[str]
    pending_out: list[str]
