"""Guilds and image samples for emoji/sticker tests."""

from __future__ import annotations

import struct
import zlib

from tests.files import samples


def png_of_size(total: int, size: tuple[int, int] = (8, 8)) -> bytes:
    """A valid PNG of exactly ``total`` bytes (padded with a text chunk)."""
    data = samples.png(size)
    pad = total - len(data) - 12 - 2  # chunk length+type+crc, keyword + NUL
    assert pad >= 0
    body = b"k\x00" + b"x" * pad
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + body))
    out = data[:33] + chunk + data[33:]  # right after IHDR
    assert len(out) == total
    return out
