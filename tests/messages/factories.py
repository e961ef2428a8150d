"""Guilds, channels, members and uploads for message tests.

Rows are inserted through ``rt.transaction()`` (the guild/channel/upload
endpoints are built elsewhere); tests then drive messages through the HTTP API.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from guildhall.models import Channel, Emoji, Guild, Member, Upload


async def make_guild(rt: Any, owner: Any, name: str = "guild") -> int:
    async with rt.transaction() as tx:
        guild = Guild(name=name, owner_id=owner.user["id"])
        tx.session.add(guild)
        await tx.session.flush()
        tx.session.add(Member(guild_id=guild.id, user_id=owner.user["id"]))
        return guild.id


async def add_member(rt: Any, guild_id: int, client: Any) -> None:
    async with rt.transaction() as tx:
        tx.session.add(Member(guild_id=guild_id, user_id=client.user["id"]))


async def make_channel(
    rt: Any, guild_id: int, name: str = "general", type: str = "text", read_only: bool = False
) -> int:
    async with rt.transaction() as tx:
        channel = Channel(guild_id=guild_id, name=name, type=type, read_only=read_only)
        tx.session.add(channel)
        await tx.session.flush()
        return channel.id


async def make_upload(
    rt: Any, owner: Any, filename: str = "image.png", mimetype: str = "image/png", size: int = 1024
) -> dict[str, Any]:
    path = f"uploads/{secrets.token_hex(8)}/{filename}"
    async with rt.transaction() as tx:
        tx.session.add(
            Upload(
                path=path,
                filename=filename,
                size=size,
                mimetype=mimetype,
                owner_id=owner.user["id"],
            )
        )
    return {"filename": filename, "path": path, "size": size, "mimetype": mimetype}


async def make_emoji(rt: Any, guild_id: int, name: str) -> None:
    async with rt.transaction() as tx:
        tx.session.add(Emoji(guild_id=guild_id, name=name, file_path=f"uploads/x/{name}.png"))


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


async def make_world(rt: Any, alice: Any, bob: Any, carol: Any) -> World:
    guild_id = await make_guild(rt, alice)
    await add_member(rt, guild_id, bob)
    channel_id = await make_channel(rt, guild_id)
    return World(rt, alice, bob, carol, guild_id, channel_id)


class EventRecorder:
    """Stands in for ``rt.bus``: keeps what committed units of work publish."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    async def start(self, deliver: Any) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def publish(self, events: list[Any]) -> None:
        self.events.extend(events)

    def named(self, name: str) -> list[Any]:
        return [e for e in self.events if e.name == name]

    def clear(self) -> None:
        self.events.clear()
