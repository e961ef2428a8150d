"""Read states over REST: ack a channel, list the caller's read states.

Both answer with a ``JSONResponse`` of their own, as the messages router's hot
routes do (past FastAPI's ``jsonable_encoder``): an ack follows every message
read, and the list is a row per channel."""

from __future__ import annotations

from fastapi import APIRouter

from guildhall.auth.deps import CurrentUser
from guildhall.deps import TxDep
from guildhall.kit import parse
from guildhall.kit.openapi import IdParam, documented
from guildhall.kit.responses import JSONResponse
from guildhall.readstates import service
from guildhall.readstates.schemas import AckBody, ReadStateRead

router = APIRouter(prefix="/api", tags=["read states"])


@router.post("/channels/{channel_id}/ack", **documented(ReadStateRead, errors=(400, 403, 404)))
async def ack(channel_id: IdParam, body: AckBody, user: CurrentUser, tx: TxDep) -> JSONResponse:
    cid = parse.channel_id(channel_id)
    return JSONResponse(await service.ack(tx, user.user_id, cid, body.message_id))


@router.get("/users/@me/read-states", **documented(list[ReadStateRead]))
async def read_states(user: CurrentUser, tx: TxDep) -> JSONResponse:
    return JSONResponse(await service.read_states(tx, user.user_id))
