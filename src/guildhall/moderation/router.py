"""Moderation over REST: kick, timeout, bans.

Included after the guilds router: ``DELETE .../members/@me`` (leave) is matched
there first, so ``{user_id}`` here never sees ``@me``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from guildhall.auth.deps import CurrentUser
from guildhall.codes import ErrorCode
from guildhall.deps import TxDep
from guildhall.kit import parse
from guildhall.kit.openapi import IdParam, StatusMessage, documented
from guildhall.kit.parse import int_id
from guildhall.moderation import service
from guildhall.moderation.schemas import BanCreate, BanRead, ModeratedMember, TimeoutUpdate

router = APIRouter(prefix="/api", tags=["moderation"])

G = "/guilds/{guild_id}"


@router.delete(G + "/members/{user_id}", **documented(StatusMessage, errors=(403, 404)))
async def kick(guild_id: IdParam, user_id: IdParam, me: CurrentUser, tx: TxDep) -> dict[str, str]:
    await service.kick(tx, me.user_id, parse.guild_id(guild_id), parse.user_id(user_id))
    return {"message": "Member removed"}


@router.put(G + "/members/{user_id}", **documented(ModeratedMember, errors=(400, 403, 404)))
async def timeout(
    guild_id: IdParam, user_id: IdParam, body: TimeoutUpdate, me: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.timeout(
        tx,
        me.user_id,
        parse.guild_id(guild_id),
        parse.user_id(user_id),
        body.communication_disabled_until,
    )


@router.get(G + "/bans", **documented(list[BanRead], errors=(403, 404)))
async def bans(guild_id: IdParam, me: CurrentUser, tx: TxDep) -> list[dict[str, Any]]:
    return await service.bans(tx, me.user_id, parse.guild_id(guild_id))


@router.put(G + "/bans/{user_id}", **documented(StatusMessage, errors=(400, 403, 404)))
async def ban(
    guild_id: IdParam,
    user_id: IdParam,
    me: CurrentUser,
    tx: TxDep,
    body: BanCreate | None = None,
) -> dict[str, str]:
    body = body or BanCreate()
    await service.ban(
        tx,
        me.user_id,
        parse.guild_id(guild_id),
        parse.user_id(user_id),
        body.reason,
        body.delete_message_seconds,
    )
    return {"message": "Member banned"}


@router.delete(G + "/bans/{user_id}", **documented(StatusMessage, errors=(403, 404)))
async def unban(guild_id: IdParam, user_id: IdParam, me: CurrentUser, tx: TxDep) -> dict[str, str]:
    await service.unban(
        tx, me.user_id, parse.guild_id(guild_id), int_id(user_id, ErrorCode.BAN_NOT_FOUND)
    )
    return {"message": "Ban removed"}
