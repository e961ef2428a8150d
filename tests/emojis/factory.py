"""Guilds and image samples for emoji/sticker tests."""

from __future__ import annotations

import struct
import zlib
from typing import Any

from tests.files import samples


async def make_guild(rt: Any, owner: Any, *members: Any, name: str = "guild") -> int:
    """A guild created by ``owner`` through the API, joined by ``members`` (logged-in
    test clients) through an invite."""
    r = await owner.post("/api/guilds", json={"name": name})
    assert r.status_code == 201, r.text
    guild_id = r.json()["id"]
    if members:
        invite = await owner.post(f"/api/guilds/{guild_id}/invites", json={})
        assert invite.status_code == 201, invite.text
        for client in members:
            joined = await client.post(f"/api/invites/{invite.json()['code']}/join")
            assert joined.status_code == 200, joined.text
    return guild_id


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
