"""Search answers (documentation only: see ``kit/openapi.py``)."""

from __future__ import annotations

from datetime import datetime

from guildhall.kit.openapi import Read


class SearchResult(Read):
    id: int
    content: str
    username: str
    display_name: str | None
    channel_name: str
    timestamp: datetime
    channel_id: int
    guild_id: int | None  # null in a DM (section 15)
    highlights: list[str]
