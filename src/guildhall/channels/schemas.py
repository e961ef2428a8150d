from __future__ import annotations

from guildhall.auth.schemas import StrictBody


class ChannelCreate(StrictBody):
    name: str
    type: str = "text"
    category_id: int | None = None


class ChannelUpdate(StrictBody):
    """Any subset; ``category_id: null`` takes the channel out of its category,
    while ``null`` for the other fields is refused (they have no "unset")."""

    name: str | None = None
    read_only: bool | None = None
    position: int | None = None
    category_id: int | None = None
