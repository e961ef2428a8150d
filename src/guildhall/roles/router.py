"""Roles, member roles and channel overwrites (contract section 13)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from guildhall.auth.deps import CurrentUser
from guildhall.channels.schemas import ChannelRead
from guildhall.codes import ErrorCode
from guildhall.deps import TxDep
from guildhall.kit import parse
from guildhall.kit.openapi import IdParam, QueryText, StatusMessage, documented
from guildhall.kit.parse import int_id
from guildhall.roles import service
from guildhall.roles.schemas import MemberWithRoles, OverwriteIn, RoleCreate, RoleRead, RoleUpdate

router = APIRouter(prefix="/api", tags=["roles"])
G = "/guilds/{guild_id}"


@router.get(G + "/roles", **documented(list[RoleRead], errors=(403, 404)))
async def list_roles(guild_id: IdParam, me: CurrentUser, tx: TxDep) -> list[dict[str, Any]]:
    return await service.list_roles(tx, me.user_id, parse.guild_id(guild_id))


@router.post(G + "/roles", **documented(RoleRead, 201, errors=(400, 403, 404)))
async def create_role(
    guild_id: IdParam, body: RoleCreate, me: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.create_role(tx, me.user_id, parse.guild_id(guild_id), body)


@router.put(G + "/roles/{role_id}", **documented(RoleRead, errors=(400, 403, 404)))
async def update_role(
    guild_id: IdParam, role_id: IdParam, body: RoleUpdate, me: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.update_role(
        tx, me.user_id, parse.guild_id(guild_id), parse.role_id(role_id), body
    )


@router.delete(G + "/roles/{role_id}", **documented(StatusMessage, errors=(400, 403, 404)))
async def delete_role(
    guild_id: IdParam, role_id: IdParam, me: CurrentUser, tx: TxDep
) -> dict[str, str]:
    await service.delete_role(tx, me.user_id, parse.guild_id(guild_id), parse.role_id(role_id))
    return {"message": "Role deleted"}


@router.put(
    G + "/members/{user_id}/roles/{role_id}", **documented(MemberWithRoles, errors=(400, 403, 404))
)
async def give_role(
    guild_id: IdParam, user_id: IdParam, role_id: IdParam, me: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.give_role(
        tx, me.user_id, parse.guild_id(guild_id), parse.user_id(user_id), parse.role_id(role_id)
    )


@router.delete(
    G + "/members/{user_id}/roles/{role_id}", **documented(MemberWithRoles, errors=(400, 403, 404))
)
async def take_role(
    guild_id: IdParam, user_id: IdParam, role_id: IdParam, me: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.take_role(
        tx, me.user_id, parse.guild_id(guild_id), parse.user_id(user_id), parse.role_id(role_id)
    )


@router.put(
    "/channels/{channel_id}/permissions/{target_id}",
    **documented(ChannelRead, errors=(400, 403, 404)),
)
async def set_overwrite(
    channel_id: IdParam, target_id: IdParam, body: OverwriteIn, me: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    code = ErrorCode.ROLE_NOT_FOUND if body.type == "role" else ErrorCode.USER_NOT_FOUND
    return await service.set_overwrite(
        tx, me.user_id, parse.channel_id(channel_id), int_id(target_id, code), body
    )


@router.delete(
    "/channels/{channel_id}/permissions/{target_id}",
    **documented(ChannelRead, errors=(400, 403, 404)),
)
async def delete_overwrite(
    channel_id: IdParam,
    target_id: IdParam,
    me: CurrentUser,
    tx: TxDep,
    type: QueryText = Query(None, json_schema_extra={"enum": ["role", "member"]}),
) -> dict[str, Any]:
    code = ErrorCode.ROLE_NOT_FOUND if type == "role" else ErrorCode.USER_NOT_FOUND
    return await service.delete_overwrite(
        tx, me.user_id, parse.channel_id(channel_id), int_id(target_id, code), type
    )
