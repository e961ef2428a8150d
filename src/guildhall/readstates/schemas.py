from __future__ import annotations

from guildhall.kit.body import StrictBody
from guildhall.kit.openapi import Read


class AckBody(StrictBody):
    """``message_id``: read up to this message (0 or more; above the channel's
    newest message it reads as the newest). The read position never moves back."""

    message_id: int


class ReadStateRead(Read):
    """One channel's read state (``POST .../ack`` answers the same entry)."""

    channel_id: int
    guild_id: int | None  # null for a DM channel
    last_read_id: int
    last_message_id: int
    unread_count: int  # others' messages after last_read_id, at most 1000
    mention_count: (
        int  # unread messages mentioning the caller, their roles, @everyone, or replying to them
    )
