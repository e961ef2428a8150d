"""Guilds for emoji/sticker tests, made as rows (the guilds API is built elsewhere)."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from guildhall.models import Guild, Member
from tests.files import samples


async def make_guild(rt: Any, owner: Any, *members: Any, name: str = "guild") -> int:
    """A guild owned by ``owner`` with ``members`` (logged-in test clients)."""
    async with rt.transaction() as tx:
        guild = Guild(name=name, owner_id=owner.user["id"])
        tx.session.add(guild)
        await tx.session.flush()
        for client in (owner, *members):
            tx.session.add(Member(guild_id=guild.id, user_id=client.user["id"]))
        return guild.id


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
