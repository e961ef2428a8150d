"""Guild emojis and stickers: list (members), create and delete (MANAGE_GUILD_EXPRESSIONS)."""

from __future__ import annotations

from types import GenericAlias
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from guildhall.auth.deps import CurrentUser
from guildhall.auth.principal import Principal
from guildhall.codes import ErrorCode
from guildhall.deps import RuntimeDep, TxDep
from guildhall.emojis import service
from guildhall.emojis.schemas import EmojiRead, StickerRead
from guildhall.files.deps import StreamingUser
from guildhall.files.multipart import read_form
from guildhall.kit import parse
from guildhall.kit.openapi import (
    FILE_FIELD,
    IdParam,
    Read,
    Success,
    documented,
    multipart_body,
)
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import require_guild_permission
from guildhall.runtime import Runtime

router = APIRouter(prefix="/api", tags=["emojis"])


async def _create(
    kind: service.Kind, guild_id: str, request: Request, principal: Principal, rt: Runtime
) -> dict[str, Any]:
    """Refuse members without MANAGE_GUILD_EXPRESSIONS and count the upload before a
    byte of the body is read; then stream the form and hand it to the service."""
    gid = parse.guild_id(guild_id)
    async with rt.transaction(write=False) as tx:
        await require_guild_permission(
            tx, gid, principal.user_id, Permission.MANAGE_GUILD_EXPRESSIONS
        )
    await rt.limits.upload.check(
        principal.user_id, ErrorCode.RATE_LIMIT_EXCEEDED, "Too many uploads"
    )
    async with rt.storage.staging() as staged:
        form = await read_form(
            request, staged, file_limit=kind.max_bytes(rt.settings), text_fields=kind.text_fields
        )
        return await service.create(
            rt, kind, principal.user_id, gid, form.fields, staged, form.file
        )


def _add_routes(
    kind: service.Kind,
    read: type[Read],
    create_errors: tuple[int, ...],
    form: dict[str, dict[str, Any]],
) -> None:
    """List, create and delete routes of one kind (``/guilds/{id}/<noun>s``,
    ``/<noun>s/{id}``); route names keep the OpenAPI operation ids."""
    noun, plural = kind.noun, f"{kind.noun}s"

    @router.get(
        f"/guilds/{{guild_id}}/{plural}",
        name=f"list_{plural}",
        **documented(GenericAlias(list, (read,)), errors=(403, 404)),
    )
    async def list_all(
        guild_id: IdParam, principal: CurrentUser, tx: TxDep
    ) -> list[dict[str, Any]]:
        gid = parse.guild_id(guild_id)
        return await service.list_of(kind, tx, gid, principal.user_id)

    @router.post(
        f"/guilds/{{guild_id}}/{plural}",
        name=f"create_{noun}",
        **documented(read, 201, errors=create_errors),
        openapi_extra=multipart_body(["name", "file"], **form),
    )
    async def create(
        guild_id: IdParam, request: Request, principal: StreamingUser, rt: RuntimeDep
    ) -> dict[str, Any]:
        return await _create(kind, guild_id, request, principal, rt)

    async def delete(raw_id: str, principal: CurrentUser, tx: TxDep) -> dict[str, Any]:
        await service.delete(kind, tx, raw_id, principal.user_id)
        return {"success": True}

    # The path names the id ``emoji_id`` / ``sticker_id``; annotations here are
    # strings (``from __future__``), so the alias is set as an object.
    delete.__annotations__["raw_id"] = Annotated[str, Path(alias=f"{noun}_id")]
    router.delete(
        f"/{plural}/{{{noun}_id}}",
        name=f"delete_{noun}",
        **documented(Success, errors=(403, 404)),
    )(delete)


_add_routes(
    service.EMOJI,
    EmojiRead,
    (400, 403, 404, 409),
    {
        "name": {"type": "string", "description": "2-32 of [A-Za-z0-9_], unique in the guild"},
        "file": {**FILE_FIELD, "description": "PNG, JPEG, GIF or WebP, at most 256 KB"},
    },
)
_add_routes(
    service.STICKER,
    StickerRead,
    (400, 403, 404),
    {
        "name": {"type": "string", "description": "2-30 printable characters"},
        "description": {"type": "string", "description": "At most 200 characters"},
        "file": {**FILE_FIELD, "description": "PNG, JPEG or WebP, at most 512 KB"},
    },
)
