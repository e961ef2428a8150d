from __future__ import annotations

from datetime import datetime

from pydantic.json_schema import SkipJsonSchema

from guildhall.guilds.schemas import MemberRead
from guildhall.kit.body import StrictBody
from guildhall.kit.openapi import Read
from guildhall.users.schemas import UserPublic


class BanCreate(StrictBody):
    """Both optional: ``reason`` at most 512 characters (the ``X-Audit-Log-Reason``
    header when absent); ``delete_message_seconds`` 0-604800 (7 days) deletes the
    user's messages in the guild sent that long before the ban."""

    reason: str | None = None
    delete_message_seconds: int | SkipJsonSchema[None] = 0


class TimeoutUpdate(StrictBody):
    """``communication_disabled_until``: an RFC 3339 time with its zone, in the
    future and at most 28 days ahead; ``null`` lifts the timeout."""

    communication_disabled_until: str | None


# Answers (documentation only: see ``kit/openapi.py``).


class ModeratedMember(MemberRead):
    """A member as the members list shows it, with its timeout."""

    communication_disabled_until: datetime | None


class BanRead(Read):
    user: UserPublic
    reason: str | None
    created_at: datetime
