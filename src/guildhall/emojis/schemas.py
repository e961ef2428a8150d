"""Emoji and sticker answers (documentation only: see ``kit/openapi.py``)."""

from __future__ import annotations

from datetime import datetime

from guildhall.kit.openapi import Read


class EmojiRead(Read):
    id: str
    name: str
    file_path: str  # uploads/emojis/<guild_id>/<file>, served at /<file_path>
    animated: bool
    created_at: datetime
    guild_id: int


class StickerRead(Read):
    id: str
    name: str
    file_path: str
    description: str | None
    created_at: datetime
    guild_id: int
