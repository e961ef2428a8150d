"""The emoji and sticker shapes (contract section 14): REST answers and the
``emoji_created`` / ``sticker_created`` events."""

from __future__ import annotations

from typing import Any

from guildhall.kit.time import iso
from guildhall.models import Emoji, Sticker


def _view(row: Emoji | Sticker, **own: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "file_path": row.file_path,
        **own,
        "created_at": iso(row.created_at),
        "guild_id": row.guild_id,
    }


def emoji_view(emoji: Emoji) -> dict[str, Any]:
    return _view(emoji, animated=emoji.animated)


def sticker_view(sticker: Sticker) -> dict[str, Any]:
    return _view(sticker, description=sticker.description)
