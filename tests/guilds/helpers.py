"""Shared steps of guild and channel tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from guildhall.files import storage
from guildhall.kit.ids import new_string_id
from guildhall.models import Attachment, Message, Upload


async def create_guild(client: Any, name: str = "Guild") -> dict[str, Any]:
    r = await client.post("/api/guilds", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()


async def join(owner: Any, guest: Any, guild_id: int) -> None:
    r = await owner.post(f"/api/guilds/{guild_id}/invites", json={})
    assert r.status_code == 201, r.text
    r = await guest.post(f"/api/invites/{r.json()['code']}/join")
    assert r.status_code == 200, r.text


async def create_channel(client: Any, guild_id: int, **body: Any) -> dict[str, Any]:
    r = await client.post(f"/api/guilds/{guild_id}/channels", json={"name": "general", **body})
    assert r.status_code == 201, r.text
    return r.json()


async def count(rt: Any, model: Any, *where: Any) -> int:
    async with rt.transaction(write=False) as tx:
        return (
            await tx.session.execute(select(func.count()).select_from(model).where(*where))
        ).scalar_one()


def on_disk(rt: Any, path: str) -> Path | None:
    """Where the (local) store keeps ``path``; None if it maps nowhere."""
    store = rt.storage
    assert isinstance(store, storage.LocalStorage), "these tests run on the local store"
    return store.path_for(path)


def stored_file(rt: Any, path: str) -> Any:
    """Write a file where storage keeps ``path``; returns its location on disk."""
    target = on_disk(rt, path)
    assert target is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"data")
    return target


async def message_with_upload(
    rt: Any, channel: dict[str, Any], author_id: int, upload_path: str | None = None
) -> tuple[int, str]:
    """A message in ``channel`` with one attachment; a new upload (and its file) unless
    ``upload_path`` names an existing one. Returns (message id, upload path)."""
    async with rt.transaction() as tx:
        if upload_path is None:
            upload_path = f"uploads/{new_string_id()}/file.txt"
            upload = Upload(
                path=upload_path,
                filename="file.txt",
                size=4,
                mimetype="text/plain",
                owner_id=author_id,
            )
            tx.session.add(upload)
            await tx.session.flush()
            stored_file(rt, upload_path)
        else:
            upload = (
                await tx.session.execute(select(Upload).where(Upload.path == upload_path))
            ).scalar_one()
        message = Message(
            channel_id=channel["id"],
            guild_id=channel["guild_id"],
            author_id=author_id,
            content="hi",
        )
        tx.session.add(message)
        await tx.session.flush()
        tx.session.add(Attachment(message_id=message.id, upload_id=upload.id, position=0))
    return message.id, upload_path
