"""What a reaction may be: a unicode emoji, or ``:name:`` of a custom emoji of the guild."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from guildhall.errors import invalid
from guildhall.models import Emoji
from guildhall.runtime import Tx

MAX_EMOJI_LENGTH = 64
# fullmatch, never ``^...$``: ``$`` also matches before a trailing newline, so
# ``:name:\n`` would pass and be stored as a second, different reaction.
_CUSTOM = re.compile(r":([A-Za-z0-9_]{2,32}):")

# Emoji that Unicode classes as punctuation, not symbols (‼ ⁉ 〰 〽).
_PUNCT_EMOJI = frozenset("\u203c\u2049\u3030\u303d")
# Glue inside emoji sequences: ZWJ, variation selectors, the keycap mark.
_GLUE = frozenset("\u200d\ufe0e\ufe0f\u20e3")
_KEYCAP_BASES = frozenset("0123456789#*")


def _is_tag(ch: str) -> bool:
    # Tag characters spell subdivision flags (🏴 + tags + cancel tag).
    return "\U000e0020" <= ch <= "\U000e007f"


def is_unicode_emoji(value: str) -> bool:
    """A sequence of emoji symbols and their glue, nothing else.

    Letters, whitespace, controls and bidi overrides are refused, so a reaction
    cannot smuggle text; keycaps (``1️⃣``), flags, skin tones and ZWJ families pass.
    """
    has_symbol = False
    for i, ch in enumerate(value):
        cat = unicodedata.category(ch)
        if cat in ("So", "Sk") or ch in _PUNCT_EMOJI:
            has_symbol = True
        elif ch in _GLUE or _is_tag(ch):
            continue
        elif ch in _KEYCAP_BASES:
            if "\u20e3" not in value[i + 1 : i + 3]:
                return False
            has_symbol = True
        else:
            return False
    return has_symbol


async def check_emoji(tx: Tx, guild_id: int | None, raw: str) -> str:
    """The emoji as stored, or 400 ``INVALID_INPUT`` (field ``emoji``). A DM
    (no guild) has no custom emojis."""
    if not raw or len(raw) > MAX_EMOJI_LENGTH:
        raise invalid("emoji", f"emoji must be 1-{MAX_EMOJI_LENGTH} characters")
    custom = _CUSTOM.fullmatch(raw)
    if custom and guild_id is None:
        raise invalid("emoji", "Custom emojis belong to guilds; use a unicode emoji here")
    if custom:
        found = await tx.session.scalar(
            select(Emoji.id).where(Emoji.guild_id == guild_id, Emoji.name == custom.group(1))
        )
        if found is None:
            raise invalid("emoji", "No custom emoji of that name in this guild")
        return raw
    if not is_unicode_emoji(raw):
        raise invalid("emoji", "emoji must be a unicode emoji or :name: of a guild emoji")
    return raw
