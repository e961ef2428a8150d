"""A small guild universe built through the public API, for attack tests.

``owner`` owns the guild, ``member`` belongs to it, ``outsider`` is signed in but
not a member. Every object of the guild carries ``SECRET`` in a name or text, so a
refused answer that leaks guild data is caught by looking for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from guildhall.db import Base
from tests.factories import ok
from tests.files import samples

SECRET = "zqxsecret"


@dataclass
class World:
    owner: Any
    member: Any
    outsider: Any
    guild_id: int
    channel_id: int  # text channel
    read_only_id: int  # read-only text channel
    category_id: int
    owner_message_id: int  # by the owner, carries the poll
    plain_message_id: int  # by the owner, no poll (for "author only" poll creation)
    member_message_id: int  # by the member
    poll_id: str
    emoji_id: str
    emoji_name: str
    sticker_id: str
    invite_code: str  # created by the owner
    upload_path: str  # the owner's upload, attached to nothing
    secrets: list[str] = field(default_factory=list)
    role_id: int = 0  # a role below @everyone's owner, held by nobody

    @property
    def room(self) -> str:
        return f"g:{self.guild_id}:c:{self.channel_id}"

    @property
    def read_only_room(self) -> str:
        return f"g:{self.guild_id}:c:{self.read_only_id}"


async def build_world(make_user: Any) -> World:
    owner = await make_user("owner")
    member = await make_user("member")
    outsider = await make_user("outsider")
    guild = ok(await owner.post("/api/guilds", json={"name": f"{SECRET} guild"}), 201)
    gid = guild["id"]
    invite = ok(await owner.post(f"/api/guilds/{gid}/invites", json={}), 201)
    ok(await member.post(f"/api/invites/{invite['code']}/join"))

    def channel(name: str, **extra: Any) -> dict[str, Any]:
        return {"name": f"{SECRET}-{name}", **extra}

    category = ok(
        await owner.post(f"/api/guilds/{gid}/channels", json=channel("category", type="category")),
        201,
    )
    text = ok(await owner.post(f"/api/guilds/{gid}/channels", json=channel("general")), 201)
    read_only = ok(
        await owner.post(f"/api/guilds/{gid}/channels", json=channel("announcements")), 201
    )
    ok(await owner.put(f"/api/channels/{read_only['id']}", json={"read_only": True}))

    cid = text["id"]
    owner_msg = ok(
        await owner.post(f"/api/channels/{cid}/messages", json={"content": f"{SECRET} owner"}),
        201,
    )
    plain_msg = ok(
        await owner.post(f"/api/channels/{cid}/messages", json={"content": f"{SECRET} plain"}),
        201,
    )
    member_msg = ok(
        await member.post(f"/api/channels/{cid}/messages", json={"content": f"{SECRET} member"}),
        201,
    )
    ok(await owner.post(f"/api/messages/{owner_msg['id']}/pin"))
    ok(await member.put(f"/api/messages/{owner_msg['id']}/reactions/%F0%9F%91%8D"))
    poll = ok(
        await owner.post(
            f"/api/messages/{owner_msg['id']}/poll",
            json={"question": f"{SECRET} question", "options": [f"{SECRET} a", f"{SECRET} b"]},
        ),
        201,
    )
    ok(await member.post(f"/api/polls/{poll['id']}/vote", json={"option_id": "1"}))
    emoji_name = f"{SECRET}_emoji"
    emoji = ok(
        await owner.post(
            f"/api/guilds/{gid}/emojis",
            data={"name": emoji_name},
            files={"file": ("e.png", samples.png(), "image/png")},
        ),
        201,
    )
    sticker = ok(
        await owner.post(
            f"/api/guilds/{gid}/stickers",
            data={"name": f"{SECRET} sticker", "description": f"{SECRET} described"},
            files={"file": ("s.png", samples.png(), "image/png")},
        ),
        201,
    )
    role = ok(await owner.post(f"/api/guilds/{gid}/roles", json={"name": f"{SECRET} role"}), 201)
    upload = ok(
        await owner.post(
            "/api/upload", files={"file": (f"{SECRET}.txt", b"private notes\n", "text/plain")}
        ),
        201,
    )
    secrets = [
        SECRET,
        invite["code"],
        emoji["id"],
        sticker["id"],
        poll["id"],
        upload["path"].split("/")[1],  # the unguessable part of the path
    ]
    return World(
        owner=owner,
        member=member,
        outsider=outsider,
        guild_id=gid,
        channel_id=cid,
        read_only_id=read_only["id"],
        category_id=category["id"],
        owner_message_id=owner_msg["id"],
        plain_message_id=plain_msg["id"],
        member_message_id=member_msg["id"],
        poll_id=poll["id"],
        emoji_id=emoji["id"],
        emoji_name=emoji_name,
        sticker_id=sticker["id"],
        invite_code=invite["code"],
        upload_path=upload["path"],
        secrets=secrets,
        role_id=role["id"],
    )


# Rows that change on reads by design: none today. Sessions are compared too, so a
# refused call that signs someone out (or in) is caught.
async def snapshot(rt: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, plus the files under the data dir."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with rt.transaction(write=False) as tx:
        for table in Base.metadata.sorted_tables:
            rows = (await tx.session.execute(select(table))).all()
            tables[table.name] = sorted((tuple(map(_hashable, r)) for r in rows), key=repr)
    tables["<files>"] = stored_files(rt)
    return tables


def _hashable(value: Any) -> Any:
    """JSON columns (the audit log's ``changes``) compared by their text."""
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def stored_files(rt: Any) -> list[tuple[str]]:
    root = Path(rt.settings.data_dir)
    uploads = Path(rt.settings.uploads_dir)
    return sorted((str(p.relative_to(root)),) for p in uploads.rglob("*") if p.is_file())


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Tables whose rows differ: ``{table: (removed, added)}``."""
    out = {}
    for name in before.keys() | after.keys():
        old, new = set(before.get(name, [])), set(after.get(name, []))
        if old != new:
            out[name] = (sorted(old - new, key=repr), sorted(new - old, key=repr))
    return out


def leaks(text: str, world: World) -> list[str]:
    """Which of the guild's secrets appear in ``text``."""
    return [s for s in world.secrets if s and s in text]
