"""Guild emojis and stickers: small images owned by a guild, managed with MANAGE_GUILD_EXPRESSIONS.

Creating one runs outside the request's transaction: the image is checked and
stored first, then a short unit of work re-checks ownership, the guild's limit
and the name under a lock on the guild row, and records it; if that fails the
stored file is removed again. Deleting removes the file after the commit.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from guildhall.audit import service as audit
from guildhall.db import Tx
from guildhall.emojis import images
from guildhall.errors import AppError, invalid, missing
from guildhall.events import guild_room
from guildhall.files.multipart import FormFile
from guildhall.files.service import forget, require_file, run_check
from guildhall.files.storage import Staged, delete_paths, storage_for
from guildhall.guilds.access import guild_for_member
from guildhall.kit.parse import string_id
from guildhall.kit.time import iso
from guildhall.kit.validation import clean_text
from guildhall.models import Emoji, Guild, Sticker
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import require_guild_permission
from guildhall.runtime import Runtime

_EMOJI_NAME = re.compile(r"[A-Za-z0-9_]{2,32}")


STICKER_AUDITED = ("name", "description")


def emoji_not_found() -> AppError:
    return AppError("EMOJI_NOT_FOUND", 404, "Emoji not found")


def sticker_not_found() -> AppError:
    return AppError("STICKER_NOT_FOUND", 404, "Sticker not found")


def check_emoji_name(value: str | None) -> str:
    """2-32 of ``[A-Za-z0-9_]``, as ``:name:`` in messages and reactions."""
    if value is None:
        raise missing("name")
    if not _EMOJI_NAME.fullmatch(value):
        raise invalid("name", "Emoji name must be 2-32 letters, digits or '_'")
    return value


def check_sticker_name(value: str | None) -> str:
    """2-30 printable characters (spaces and punctuation allowed), trimmed, NFC."""
    if value is None:
        raise missing("name")
    value = unicodedata.normalize("NFC", value.strip())
    if not value.isprintable():
        raise invalid("name", "Sticker name must be printable text")
    return clean_text(value, "name", 2, 30)


def check_description(value: str | None) -> str | None:
    if value is None:
        return None
    value = clean_text(unicodedata.normalize("NFC", value), "description", 0, 200)
    return value or None


def emoji_view(emoji: Emoji) -> dict[str, Any]:
    return {
        "id": emoji.id,
        "name": emoji.name,
        "file_path": emoji.file_path,
        "animated": emoji.animated,
        "created_at": iso(emoji.created_at),
        "guild_id": emoji.guild_id,
    }


def sticker_view(sticker: Sticker) -> dict[str, Any]:
    return {
        "id": sticker.id,
        "name": sticker.name,
        "file_path": sticker.file_path,
        "description": sticker.description,
        "created_at": iso(sticker.created_at),
        "guild_id": sticker.guild_id,
    }


async def list_emojis(tx: Tx, guild_id: int, user_id: int) -> list[dict[str, Any]]:
    """The guild's emojis, oldest first; members only."""
    await guild_for_member(tx, guild_id, user_id)
    rows = await tx.session.scalars(
        select(Emoji).where(Emoji.guild_id == guild_id).order_by(Emoji.created_at, Emoji.id)
    )
    return [emoji_view(e) for e in rows]


async def list_stickers(tx: Tx, guild_id: int, user_id: int) -> list[dict[str, Any]]:
    """The guild's stickers, oldest first; members only."""
    await guild_for_member(tx, guild_id, user_id)
    rows = await tx.session.scalars(
        select(Sticker).where(Sticker.guild_id == guild_id).order_by(Sticker.created_at, Sticker.id)
    )
    return [sticker_view(s) for s in rows]


async def _store_image(
    rt: Runtime,
    guild_id: int,
    folder: str,
    staged: Staged,
    file: FormFile | None,
    formats: frozenset[str],
) -> tuple[str, bool]:
    """Check the staged image and store it; returns its public path and whether
    it is animated."""
    file = require_file(file)
    info = await run_check(rt, images.check_guild_image, staged.file, formats)
    path = f"uploads/{folder}/{guild_id}/{secrets.token_hex(16)}.{images.extension(info)}"
    await storage_for(rt).save(staged, path)
    return path, info.animated


async def _lock_owned_guild(tx: Tx, guild_id: int, user_id: int) -> None:
    # The row lock serialises creations in one guild (PostgreSQL), so the count
    # check below cannot be raced past the limit; SQLite serialises writers anyway.
    await tx.session.execute(select(Guild.id).where(Guild.id == guild_id).with_for_update())
    await require_guild_permission(tx, guild_id, user_id, Permission.MANAGE_GUILD_EXPRESSIONS)


async def create_emoji(
    rt: Runtime,
    user_id: int,
    guild_id: int,
    name: str | None,
    staged: Staged,
    file: FormFile | None,
) -> dict[str, Any]:
    """Add a custom emoji to a guild (MANAGE_GUILD_EXPRESSIONS)."""
    name = check_emoji_name(name)
    path, animated = await _store_image(rt, guild_id, "emojis", staged, file, images.EMOJI_FORMATS)
    try:
        async with rt.transaction() as tx:
            await _lock_owned_guild(tx, guild_id, user_id)
            count = await tx.session.scalar(
                select(func.count()).select_from(Emoji).where(Emoji.guild_id == guild_id)
            )
            if (count or 0) >= rt.settings.max_emojis_per_guild:
                raise AppError(
                    "LIMIT_REACHED",
                    400,
                    f"A guild can have at most {rt.settings.max_emojis_per_guild} emojis",
                )
            taken = await tx.session.scalar(
                select(Emoji.id).where(Emoji.guild_id == guild_id, Emoji.name == name)
            )
            if taken is not None:
                raise _name_taken()
            emoji = Emoji(guild_id=guild_id, name=name, file_path=path, animated=animated)
            tx.session.add(emoji)
            try:
                await tx.session.flush()
            except IntegrityError:  # a concurrent creation took the name first
                raise _name_taken() from None
            await audit.record(
                tx, guild_id, user_id, "emoji_create", emoji.id, [audit.change("name", None, name)]
            )
            # Members' pickers and messages learn of it without a reload.
            view = emoji_view(emoji)
            tx.emit(guild_room(guild_id), "emoji_created", view)
    except BaseException:
        await forget(rt, path)
        raise
    return view


def _name_taken() -> AppError:
    return AppError(
        "CONFLICT", 409, "An emoji with this name already exists in the guild", {"field": "name"}
    )


async def create_sticker(
    rt: Runtime,
    user_id: int,
    guild_id: int,
    name: str | None,
    description: str | None,
    staged: Staged,
    file: FormFile | None,
) -> dict[str, Any]:
    """Add a sticker to a guild (MANAGE_GUILD_EXPRESSIONS)."""
    name = check_sticker_name(name)
    description = check_description(description)
    path, _ = await _store_image(rt, guild_id, "stickers", staged, file, images.STICKER_FORMATS)
    try:
        async with rt.transaction() as tx:
            await _lock_owned_guild(tx, guild_id, user_id)
            count = await tx.session.scalar(
                select(func.count()).select_from(Sticker).where(Sticker.guild_id == guild_id)
            )
            if (count or 0) >= rt.settings.max_stickers_per_guild:
                raise AppError(
                    "LIMIT_REACHED",
                    400,
                    f"A guild can have at most {rt.settings.max_stickers_per_guild} stickers",
                )
            sticker = Sticker(guild_id=guild_id, name=name, file_path=path, description=description)
            tx.session.add(sticker)
            await tx.session.flush()
            await audit.record(
                tx,
                guild_id,
                user_id,
                "sticker_create",
                sticker.id,
                audit.created({"name": name, "description": description}, STICKER_AUDITED),
            )
            view = sticker_view(sticker)
            tx.emit(guild_room(guild_id), "sticker_created", view)
    except BaseException:
        await forget(rt, path)
        raise
    return view


async def delete_emoji(tx: Tx, emoji_id: str, user_id: int) -> None:
    """Remove an emoji (MANAGE_GUILD_EXPRESSIONS in its guild); its file goes after the commit."""
    emoji = await tx.session.get(Emoji, string_id(emoji_id, "EMOJI_NOT_FOUND"))
    if emoji is None:
        raise emoji_not_found()
    await require_guild_permission(tx, emoji.guild_id, user_id, Permission.MANAGE_GUILD_EXPRESSIONS)
    await tx.session.delete(emoji)
    gone = [audit.change("name", emoji.name, None)]
    await audit.record(tx, emoji.guild_id, user_id, "emoji_delete", emoji.id, gone)
    _delete_after_commit(tx, emoji.file_path)
    tx.emit(
        guild_room(emoji.guild_id), "emoji_deleted", {"id": emoji.id, "guild_id": emoji.guild_id}
    )


async def delete_sticker(tx: Tx, sticker_id: str, user_id: int) -> None:
    """Remove a sticker (MANAGE_GUILD_EXPRESSIONS in its guild); its file goes after the commit."""
    sticker = await tx.session.get(Sticker, string_id(sticker_id, "STICKER_NOT_FOUND"))
    if sticker is None:
        raise sticker_not_found()
    await require_guild_permission(
        tx, sticker.guild_id, user_id, Permission.MANAGE_GUILD_EXPRESSIONS
    )
    await tx.session.delete(sticker)
    await audit.record(
        tx,
        sticker.guild_id,
        user_id,
        "sticker_delete",
        sticker.id,
        audit.deleted({"name": sticker.name, "description": sticker.description}, STICKER_AUDITED),
    )
    _delete_after_commit(tx, sticker.file_path)
    tx.emit(
        guild_room(sticker.guild_id),
        "sticker_deleted",
        {"id": sticker.id, "guild_id": sticker.guild_id},
    )


def _delete_after_commit(tx: Tx, path: str) -> None:
    rt = tx.rt

    async def _delete() -> None:
        await delete_paths(rt, [path])

    tx.on_commit(_delete)
