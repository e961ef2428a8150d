"""A guild's channels: create, list, update, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from guildhall.auth.deps import CurrentUser
from guildhall.channels import service
from guildhall.channels.schemas import ChannelCreate, ChannelRead, ChannelUpdate
from guildhall.deps import TxDep
from guildhall.dms.schemas import DmChannelRead
from guildhall.kit import parse
from guildhall.kit.openapi import IdParam, StatusMessage, documented

router = APIRouter(prefix="/api", tags=["channels"])


@router.post("/guilds/{guild_id}/channels", **documented(ChannelRead, 201, errors=(400, 403, 404)))
async def create_channel(
    guild_id: IdParam, body: ChannelCreate, me: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    gid = parse.guild_id(guild_id)
    return await service.create(tx, me.user_id, gid, body.name, body.type, body.category_id)


@router.get("/guilds/{guild_id}/channels", **documented(list[ChannelRead], errors=(403, 404)))
async def list_channels(guild_id: IdParam, me: CurrentUser, tx: TxDep) -> list[dict[str, Any]]:
    return await service.list_channels(tx, me.user_id, parse.guild_id(guild_id))


# A group DM is renamed here too (section 15): it answers the DM channel shape.
@router.put(
    "/channels/{channel_id}",
    **documented(ChannelRead | DmChannelRead, errors=(400, 403, 404)),
)
async def update_channel(
    channel_id: IdParam, body: ChannelUpdate, me: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.update(tx, me.user_id, parse.channel_id(channel_id), body)


@router.delete("/channels/{channel_id}", **documented(StatusMessage, errors=(403, 404)))
async def delete_channel(channel_id: IdParam, me: CurrentUser, tx: TxDep) -> dict[str, str]:
    await service.delete_channel(tx, me.user_id, parse.channel_id(channel_id))
    return {"message": "Channel deleted successfully"}
