"""Guilds, their members and their invites."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from guildhall.auth.deps import CurrentUser
from guildhall.deps import RuntimeDep, TxDep
from guildhall.files.deps import StreamingUser
from guildhall.guilds import invites, service
from guildhall.guilds.schemas import (
    GuildCreate,
    GuildJoined,
    GuildLeft,
    GuildRead,
    GuildUpdate,
    InviteCreate,
    InvitePreview,
    InviteRead,
    MemberRead,
)
from guildhall.kit import parse
from guildhall.kit.openapi import IdParam, QueryText, StatusMessage, documented, int_query
from guildhall.kit.parse import bounded_int

router = APIRouter(prefix="/api", tags=["guilds"])


@router.post("/guilds", **documented(GuildRead, 201, errors=(400,)))
async def create_guild(body: GuildCreate, me: CurrentUser, tx: TxDep) -> dict[str, Any]:
    return await service.create(tx, me.user_id, body.name)


@router.get("/guilds", **documented(list[GuildRead]))
async def my_guilds(me: CurrentUser, tx: TxDep) -> list[dict[str, Any]]:
    return await service.list_mine(tx, me.user_id)


@router.get("/guilds/{guild_id}", **documented(GuildRead, errors=(403, 404)))
async def get_guild(guild_id: IdParam, me: CurrentUser, tx: TxDep) -> dict[str, Any]:
    return await service.get(tx, me.user_id, parse.guild_id(guild_id))


# No request transaction (the caller is checked in a short read-only unit): an
# icon's image work must not hold SQLite's write lock (see the service).
@router.put("/guilds/{guild_id}", **documented(GuildRead, errors=(400, 403, 404)))
async def update_guild(
    guild_id: IdParam, body: GuildUpdate, me: StreamingUser, rt: RuntimeDep
) -> dict[str, Any]:
    changes = body.model_dump(include=body.model_fields_set)
    return await service.update(rt, me.user_id, parse.guild_id(guild_id), changes)


@router.delete("/guilds/{guild_id}", **documented(StatusMessage, errors=(403, 404)))
async def delete_guild(guild_id: IdParam, me: CurrentUser, tx: TxDep) -> dict[str, str]:
    await service.delete_guild(tx, me.user_id, parse.guild_id(guild_id))
    return {"message": "Guild deleted successfully"}


@router.get("/guilds/{guild_id}/members", **documented(list[MemberRead], errors=(403, 404)))
async def members(guild_id: IdParam, me: CurrentUser, tx: TxDep) -> list[dict[str, Any]]:
    return await service.members(tx, me.user_id, parse.guild_id(guild_id))


@router.delete("/guilds/{guild_id}/members/@me", **documented(GuildLeft, errors=(400, 403, 404)))
async def leave(guild_id: IdParam, me: CurrentUser, tx: TxDep) -> dict[str, Any]:
    gid = parse.guild_id(guild_id)
    await service.leave(tx, me.user_id, gid)
    return {"message": "Successfully left guild", "guild_id": gid}


@router.post("/guilds/{guild_id}/invites", **documented(InviteRead, 201, errors=(400, 403, 404)))
async def create_invite(
    guild_id: IdParam, me: CurrentUser, tx: TxDep, body: InviteCreate | None = None
) -> dict[str, Any]:
    body = body or InviteCreate()
    return await invites.create(
        tx, me.user_id, parse.guild_id(guild_id), body.expires_hours, body.max_uses
    )


@router.get("/guilds/{guild_id}/invites", **documented(list[InviteRead], errors=(400, 403, 404)))
async def list_invites(
    guild_id: IdParam,
    me: CurrentUser,
    tx: TxDep,
    limit: QueryText = int_query(
        description=(
            f"Paged: the newest invites, default {invites.DEFAULT_PAGE}; "
            f"served within 1-{invites.MAX_PAGE}"
        )
    ),
    before: QueryText = Query(None, description="Paged: the invites older than this code"),
) -> list[dict[str, Any]]:
    gid = parse.guild_id(guild_id)
    if limit in (None, "") and before in (None, ""):
        return await invites.list_invites(tx, me.user_id, gid)
    size = bounded_int(limit, "limit", invites.DEFAULT_PAGE, 1, invites.MAX_PAGE, clamp=True)
    return await invites.list_invites(tx, me.user_id, gid, limit=size, before=before or None)


# Anyone holding the code may preview it, signed in or not (as Discord's invite pages).
@router.get("/invites/{code}", **documented(InvitePreview, errors=(404,)))
async def preview_invite(code: str, tx: TxDep) -> dict[str, Any]:
    return await invites.preview(tx, code)


@router.post("/invites/{code}/join", **documented(GuildJoined, errors=(400, 404)))
async def join(code: str, me: CurrentUser, tx: TxDep) -> dict[str, Any]:
    guild_id = await invites.join(tx, me.user_id, code)
    return {"message": "Successfully joined guild", "guild_id": guild_id}


@router.delete("/invites/{code}", **documented(StatusMessage, errors=(403, 404)))
async def delete_invite(code: str, me: CurrentUser, tx: TxDep) -> dict[str, str]:
    await invites.delete_invite(tx, me.user_id, code)
    return {"message": "Invite deleted successfully"}
