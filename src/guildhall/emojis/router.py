"""Guild emojis and stickers: list (members), create and delete (owner)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from guildhall.auth.deps import CurrentUser, Principal
from guildhall.deps import RuntimeDep, TxDep
from guildhall.emojis import service
from guildhall.emojis.schemas import EmojiRead, StickerRead
from guildhall.files.deps import StreamingUser
from guildhall.files.multipart import read_form
from guildhall.files.storage import storage_for
from guildhall.kit.openapi import (
    FILE_FIELD,
    IdParam,
    Success,
    documented,
    multipart_body,
)
from guildhall.kit.parse import int_id
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import require_guild_permission
from guildhall.runtime import Runtime

router = APIRouter(prefix="/api", tags=["emojis"])
EMOJI_FIELDS = frozenset({"name"})
STICKER_FIELDS = frozenset({"name", "description"})


async def _owner_precheck(rt: Runtime, principal: Principal, guild_id: int) -> None:
    """Refuse members without MANAGE_GUILD_EXPRESSIONS, and count the upload, before a
    byte of the body is read."""
    async with rt.transaction(write=False) as tx:
        await require_guild_permission(
            tx, guild_id, principal.user_id, Permission.MANAGE_GUILD_EXPRESSIONS
        )
    await rt.limits.upload.check(principal.user_id, "RATE_LIMIT_EXCEEDED", "Too many uploads")


@router.get("/guilds/{guild_id}/emojis", **documented(list[EmojiRead], errors=(403, 404)))
async def list_emojis(guild_id: IdParam, principal: CurrentUser, tx: TxDep) -> list[dict[str, Any]]:
    gid = int_id(guild_id, "GUILD_NOT_FOUND")
    return await service.list_emojis(tx, gid, principal.user_id)


@router.post(
    "/guilds/{guild_id}/emojis",
    **documented(EmojiRead, 201, errors=(400, 403, 404, 409)),
    openapi_extra=multipart_body(
        ["name", "file"],
        name={"type": "string", "description": "2-32 of [A-Za-z0-9_], unique in the guild"},
        file={**FILE_FIELD, "description": "PNG, JPEG, GIF or WebP, at most 256 KB"},
    ),
)
async def create_emoji(
    guild_id: IdParam, request: Request, principal: StreamingUser, rt: RuntimeDep
) -> dict[str, Any]:
    gid = int_id(guild_id, "GUILD_NOT_FOUND")
    await _owner_precheck(rt, principal, gid)
    async with storage_for(rt).staging() as staged:
        form = await read_form(
            request, staged, file_limit=rt.settings.max_emoji_bytes, text_fields=EMOJI_FIELDS
        )
        return await service.create_emoji(
            rt, principal.user_id, gid, form.fields.get("name"), staged, form.file
        )


@router.delete("/emojis/{emoji_id}", **documented(Success, errors=(403, 404)))
async def delete_emoji(emoji_id: str, principal: CurrentUser, tx: TxDep) -> dict[str, Any]:
    await service.delete_emoji(tx, emoji_id, principal.user_id)
    return {"success": True}


@router.get("/guilds/{guild_id}/stickers", **documented(list[StickerRead], errors=(403, 404)))
async def list_stickers(
    guild_id: IdParam, principal: CurrentUser, tx: TxDep
) -> list[dict[str, Any]]:
    gid = int_id(guild_id, "GUILD_NOT_FOUND")
    return await service.list_stickers(tx, gid, principal.user_id)


@router.post(
    "/guilds/{guild_id}/stickers",
    **documented(StickerRead, 201, errors=(400, 403, 404)),
    openapi_extra=multipart_body(
        ["name", "file"],
        name={"type": "string", "description": "2-30 printable characters"},
        description={"type": "string", "description": "At most 200 characters"},
        file={**FILE_FIELD, "description": "PNG, JPEG or WebP, at most 512 KB"},
    ),
)
async def create_sticker(
    guild_id: IdParam, request: Request, principal: StreamingUser, rt: RuntimeDep
) -> dict[str, Any]:
    gid = int_id(guild_id, "GUILD_NOT_FOUND")
    await _owner_precheck(rt, principal, gid)
    async with storage_for(rt).staging() as staged:
        form = await read_form(
            request, staged, file_limit=rt.settings.max_sticker_bytes, text_fields=STICKER_FIELDS
        )
        return await service.create_sticker(
            rt,
            principal.user_id,
            gid,
            form.fields.get("name"),
            form.fields.get("description"),
            staged,
            form.file,
        )


@router.delete("/stickers/{sticker_id}", **documented(Success, errors=(403, 404)))
async def delete_sticker(sticker_id: str, principal: CurrentUser, tx: TxDep) -> dict[str, Any]:
    await service.delete_sticker(tx, sticker_id, principal.user_id)
    return {"success": True}
