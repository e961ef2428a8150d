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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from guildhall.audit import service as audit
from guildhall.codes import ErrorCode
from guildhall.config import Settings
from guildhall.emojis import images
from guildhall.emojis.serialize import emoji_view, sticker_view
from guildhall.errors import AppError, invalid, missing
from guildhall.events import ServerEvent, guild_room
from guildhall.files.multipart import FormFile
from guildhall.files.service import forget, require_file, run_check
from guildhall.files.storage import delete_paths
from guildhall.guilds.access import guild_for_member
from guildhall.kit.parse import string_id
from guildhall.kit.validation import clean_text
from guildhall.models import Emoji, Guild, Sticker
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import require_guild_permission
from guildhall.ports.storage import Staged
from guildhall.runtime import Runtime, Tx

_EMOJI_NAME = re.compile(r"[A-Za-z0-9_]{2,32}")


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


def _emoji_fields(form: Mapping[str, str | None]) -> dict[str, Any]:
    return {"name": check_emoji_name(form.get("name"))}


def _sticker_fields(form: Mapping[str, str | None]) -> dict[str, Any]:
    return {
        "name": check_sticker_name(form.get("name")),
        "description": check_description(form.get("description")),
    }


@dataclass(frozen=True, slots=True)
class Kind:
    """What differs between an emoji and a sticker; everything else is one path."""

    noun: str  # "emoji": audit actions ``<noun>_create``, messages
    model: type[Emoji | Sticker]
    not_found: ErrorCode
    folder: str  # ``uploads/<folder>/<guild_id>/...``
    formats: frozenset[str]
    limit: Callable[[Settings], int]  # how many a guild may have
    max_bytes: Callable[[Settings], int]  # the image's size limit
    text_fields: frozenset[str]  # the multipart form's text fields
    fields: Callable[[Mapping[str, str | None]], dict[str, Any]]  # checked columns
    audited: tuple[str, ...]
    view: Callable[[Any], dict[str, Any]]
    created: ServerEvent
    deleted: ServerEvent
    animated: bool  # the row records whether the image is animated
    unique_name: bool  # a name is unique in its guild (409 ``CONFLICT``)


EMOJI = Kind(
    noun="emoji",
    model=Emoji,
    not_found=ErrorCode.EMOJI_NOT_FOUND,
    folder="emojis",
    formats=images.EMOJI_FORMATS,
    limit=lambda s: s.max_emojis_per_guild,
    max_bytes=lambda s: s.max_emoji_bytes,
    text_fields=frozenset({"name"}),
    fields=_emoji_fields,
    audited=("name",),
    view=emoji_view,
    created=ServerEvent.EMOJI_CREATED,
    deleted=ServerEvent.EMOJI_DELETED,
    animated=True,
    unique_name=True,
)
STICKER = Kind(
    noun="sticker",
    model=Sticker,
    not_found=ErrorCode.STICKER_NOT_FOUND,
    folder="stickers",
    formats=images.STICKER_FORMATS,
    limit=lambda s: s.max_stickers_per_guild,
    max_bytes=lambda s: s.max_sticker_bytes,
    text_fields=frozenset({"name", "description"}),
    fields=_sticker_fields,
    audited=("name", "description"),
    view=sticker_view,
    created=ServerEvent.STICKER_CREATED,
    deleted=ServerEvent.STICKER_DELETED,
    animated=False,
    unique_name=False,
)


async def list_of(kind: Kind, tx: Tx, guild_id: int, user_id: int) -> list[dict[str, Any]]:
    """The guild's emojis or stickers, oldest first; members only."""
    await guild_for_member(tx, guild_id, user_id)
    model = kind.model
    rows = await tx.session.scalars(
        select(model).where(model.guild_id == guild_id).order_by(model.created_at, model.id)
    )
    return [kind.view(row) for row in rows]


async def _store_image(
    rt: Runtime, kind: Kind, guild_id: int, staged: Staged, file: FormFile | None
) -> tuple[str, bool]:
    """Check the staged image and store it; returns its public path and whether
    it is animated."""
    file = require_file(file)
    info = await run_check(rt, images.check_guild_image, staged.file, kind.formats)
    path = f"uploads/{kind.folder}/{guild_id}/{secrets.token_hex(16)}.{images.extension(info)}"
    await rt.storage.save(staged, path)
    return path, info.animated


async def _lock_owned_guild(tx: Tx, guild_id: int, user_id: int) -> None:
    # The row lock serialises creations in one guild (PostgreSQL), so the count
    # check below cannot be raced past the limit; SQLite serialises writers anyway.
    await tx.session.execute(select(Guild.id).where(Guild.id == guild_id).with_for_update())
    await require_guild_permission(tx, guild_id, user_id, Permission.MANAGE_GUILD_EXPRESSIONS)


def _name_taken(kind: Kind) -> AppError:
    return AppError(
        ErrorCode.CONFLICT,
        409,
        f"An {kind.noun} with this name already exists in the guild",
        {"field": "name"},
    )


async def create(
    rt: Runtime,
    kind: Kind,
    user_id: int,
    guild_id: int,
    form: Mapping[str, str | None],
    staged: Staged,
    file: FormFile | None,
) -> dict[str, Any]:
    """Add an emoji or a sticker to a guild (MANAGE_GUILD_EXPRESSIONS) from its
    form's text fields and the staged image."""
    columns = kind.fields(form)
    path, animated = await _store_image(rt, kind, guild_id, staged, file)
    if kind.animated:
        columns["animated"] = animated
    model = kind.model
    try:
        async with rt.transaction() as tx:
            await _lock_owned_guild(tx, guild_id, user_id)
            count = await tx.session.scalar(
                select(func.count()).select_from(model).where(model.guild_id == guild_id)
            )
            limit = kind.limit(rt.settings)
            if (count or 0) >= limit:
                raise AppError(
                    ErrorCode.LIMIT_REACHED,
                    400,
                    f"A guild can have at most {limit} {kind.noun}s",
                )
            if kind.unique_name:
                taken = await tx.session.scalar(
                    select(model.id).where(
                        model.guild_id == guild_id, model.name == columns["name"]
                    )
                )
                if taken is not None:
                    raise _name_taken(kind)
            row = model(guild_id=guild_id, file_path=path, **columns)
            tx.session.add(row)
            try:
                await tx.session.flush()
            except IntegrityError:  # a concurrent creation took the name first
                if not kind.unique_name:
                    raise
                raise _name_taken(kind) from None
            await audit.record(
                tx,
                guild_id,
                user_id,
                f"{kind.noun}_create",
                row.id,
                audit.created(columns, kind.audited),
            )
            # Members' pickers and messages learn of it without a reload.
            view = kind.view(row)
            tx.emit(guild_room(guild_id), kind.created, view)
    except BaseException:
        await forget(rt, path)
        raise
    return view


async def delete(kind: Kind, tx: Tx, raw_id: str, user_id: int) -> None:
    """Remove an emoji or a sticker (MANAGE_GUILD_EXPRESSIONS in its guild); its
    file goes after the commit."""
    row: Emoji | Sticker | None = await tx.session.get(
        kind.model, string_id(raw_id, kind.not_found)
    )
    if row is None:
        raise AppError(kind.not_found, 404, f"{kind.noun.capitalize()} not found")
    await require_guild_permission(tx, row.guild_id, user_id, Permission.MANAGE_GUILD_EXPRESSIONS)
    await tx.session.delete(row)
    gone = audit.deleted(kind.view(row), kind.audited)
    await audit.record(tx, row.guild_id, user_id, f"{kind.noun}_delete", row.id, gone)
    _delete_after_commit(tx, row.file_path)
    tx.emit(guild_room(row.guild_id), kind.deleted, {"id": row.id, "guild_id": row.guild_id})


def _delete_after_commit(tx: Tx, path: str) -> None:
    rt = tx.rt

    async def _delete() -> None:
        await delete_paths(rt, [path])

    tx.on_commit(_delete)
