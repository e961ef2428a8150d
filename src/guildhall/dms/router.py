"""Direct messages over REST (contract section 15). A group's rename is
``PUT /api/channels/{id}`` (the channels router hands it to this service)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from guildhall.auth.deps import CurrentUser
from guildhall.deps import TxDep
from guildhall.dms import service
from guildhall.dms.schemas import DmChannelRead, DmCreate
from guildhall.kit import parse
from guildhall.kit.openapi import IdParam, documented

router = APIRouter(prefix="/api", tags=["direct messages"])


# 200: the DM (the same channel every time); 201: a new group DM.
_OPEN = documented(DmChannelRead, errors=(400, 403, 404), description="The DM between the two")
_OPEN["responses"][201] = {"model": DmChannelRead, "description": "A new group DM"}


@router.post("/users/@me/channels", **_OPEN)
async def open_channel(body: DmCreate, me: CurrentUser, tx: TxDep) -> Any:
    if body.recipient_ids is not None:
        view = await service.create_group(tx, me.user_id, body.recipient_ids)
        return JSONResponse(view, status_code=201)
    return await service.open_dm(tx, me.user_id, body.recipient_id)


@router.get("/users/@me/channels", **documented(list[DmChannelRead]))
async def list_channels(me: CurrentUser, tx: TxDep) -> list[dict[str, Any]]:
    return await service.list_channels(tx, me.user_id)


def _recipient(channel_id: str, user_id: str) -> tuple[int, int]:
    """A group DM's recipient path: (channel id, user id), the channel's 404 first."""
    return (
        parse.channel_id(channel_id),
        parse.user_id(user_id),
    )


@router.put(
    "/channels/{channel_id}/recipients/{user_id}",
    **documented(DmChannelRead, errors=(400, 403, 404)),
)
async def add_recipient(
    channel_id: IdParam, user_id: IdParam, me: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.add_recipient(tx, me.user_id, *_recipient(channel_id, user_id))


@router.delete(
    "/channels/{channel_id}/recipients/{user_id}",
    **documented(DmChannelRead, errors=(400, 403, 404)),
)
async def remove_recipient(
    channel_id: IdParam, user_id: IdParam, me: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.remove_recipient(tx, me.user_id, *_recipient(channel_id, user_id))
