"""Read states over REST: ack a channel, list the caller's read states."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from guildhall.auth.deps import CurrentUser
from guildhall.deps import TxDep
from guildhall.kit import parse
from guildhall.kit.openapi import IdParam, documented
from guildhall.readstates import service
from guildhall.readstates.schemas import AckBody, ReadStateRead

router = APIRouter(prefix="/api", tags=["read states"])


@router.post("/channels/{channel_id}/ack", **documented(ReadStateRead, errors=(400, 403, 404)))
async def ack(channel_id: IdParam, body: AckBody, user: CurrentUser, tx: TxDep) -> dict[str, Any]:
    cid = parse.channel_id(channel_id)
    return await service.ack(tx, user.user_id, cid, body.message_id)


@router.get("/users/@me/read-states", **documented(list[ReadStateRead]))
async def read_states(user: CurrentUser, tx: TxDep) -> list[dict[str, Any]]:
    return await service.read_states(tx, user.user_id)
