"""The image rules of guild emojis and stickers (small images, served inline)."""

from __future__ import annotations

from typing import BinaryIO

from guildhall.files import sniff

EMOJI_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})
STICKER_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
# Emojis show at 48 px and stickers at 160-320 px; 1024 leaves room for sharp
# downscaling while a decoded frame stays at 4 MB.
MAX_SIDE = 1024


def check_guild_image(f: BinaryIO, formats: frozenset[str]) -> sniff.ImageInfo:
    """Prove a small image of one of ``formats``: signature, no markup, bounded
    dimensions (refused before decoding), Pillow verify and a full decode of
    the first frame. Raises :class:`sniff.Refused`."""
    return sniff.inspect_image(
        f, formats, max_pixels=MAX_SIDE * MAX_SIDE, max_side=MAX_SIDE, decode=True
    )


def extension(info: sniff.ImageInfo) -> str:
    return sniff.IMAGE_TYPES[info.format].extension
