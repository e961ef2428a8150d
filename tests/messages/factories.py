"""Guilds, channels, members, uploads and emojis for message tests, made through
the HTTP API the way a client would."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image

from tests.factories import make_guild


def png_bytes(color: str = "red", size: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), color).save(out, format="PNG")
    return out.getvalue()


async def make_channel(
    owner: Any, guild_id: int, name: str = "general", type: str = "text", read_only: bool = False
) -> int:
    r = await owner.post(f"/api/guilds/{guild_id}/channels", json={"name": name, "type": type})
    assert r.status_code == 201, r.text
    channel_id = r.json()["id"]
    if read_only:
        r = await owner.put(f"/api/channels/{channel_id}", json={"read_only": True})
        assert r.status_code == 200, r.text
    return channel_id


async def make_upload(client: Any, filename: str = "image.png") -> dict[str, Any]:
    """``POST /api/upload``: a PNG for ``.png`` names, plain text otherwise."""
    body = png_bytes() if filename.endswith(".png") else b"some notes\n"
    r = await client.post("/api/upload", files={"file": (filename, body)})
    assert r.status_code == 201, r.text
    return {k: r.json()[k] for k in ("filename", "path", "size", "mimetype", "preview")}


async def make_emoji(owner: Any, guild_id: int, name: str) -> None:
    r = await owner.post(
        f"/api/guilds/{guild_id}/emojis",
        data={"name": name},
        files={"file": ("e.png", png_bytes("blue"))},
    )
    assert r.status_code == 201, r.text


@dataclass
class World:
    """alice owns ``guild`` with text channel ``channel``; bob is a member; carol is not."""

    rt: Any
    alice: Any
    bob: Any
    carol: Any
    guild_id: int
    channel_id: int

    @property
    def room(self) -> str:
        return f"g:{self.guild_id}:c:{self.channel_id}"

    async def send(self, client: Any, content: str = "hello", **extra: Any) -> dict[str, Any]:
        r = await client.post(
            f"/api/channels/{self.channel_id}/messages", json={"content": content, **extra}
        )
        assert r.status_code == 201, r.text
        return r.json()

    async def send_many(self, client: Any, n: int, content: str = "item") -> None:
        """``n`` messages ``"<content> <i>"``, one after another (concurrent sends
        would each hold a database connection; PostgreSQL's are shared here)."""
        for i in range(n):
            await self.send(client, f"{content} {i}")


async def make_world(rt: Any, alice: Any, bob: Any, carol: Any) -> World:
    guild_id = await make_guild(alice, bob)
    channel_id = await make_channel(alice, guild_id)
    return World(rt, alice, bob, carol, guild_id, channel_id)
