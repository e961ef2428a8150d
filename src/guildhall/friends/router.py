"""Friend requests, friendships and their status (bodies name users by username)."""

from __future__ import annotations

from fastapi import APIRouter

from guildhall.auth.deps import CurrentUser
from guildhall.deps import TxDep
from guildhall.friends import service
from guildhall.friends.schemas import FriendStatus, FromUser, NamedUser, ToUser
from guildhall.kit.openapi import StatusMessage, documented

router = APIRouter(prefix="/api", tags=["friends"])


@router.post("/friends/request", **documented(StatusMessage, errors=(400, 404, 409)))
async def send_request(body: ToUser, me: CurrentUser, tx: TxDep) -> dict[str, str]:
    return {"message": await service.send_request(tx, me.user_id, body.to)}


@router.post("/friends/accept", **documented(StatusMessage, errors=(400, 404)))
async def accept(body: FromUser, me: CurrentUser, tx: TxDep) -> dict[str, str]:
    return {"message": await service.accept(tx, me.user_id, body.from_)}


@router.post("/friends/decline", **documented(StatusMessage, errors=(400, 404)))
async def decline(body: FromUser, me: CurrentUser, tx: TxDep) -> dict[str, str]:
    return {"message": await service.decline(tx, me.user_id, body.from_)}


@router.post("/friends/cancel", **documented(StatusMessage, errors=(400, 404)))
async def cancel(body: ToUser, me: CurrentUser, tx: TxDep) -> dict[str, str]:
    return {"message": await service.cancel(tx, me.user_id, body.to)}


@router.post("/friends/remove", **documented(StatusMessage, errors=(400, 404)))
async def remove(body: NamedUser, me: CurrentUser, tx: TxDep) -> dict[str, str]:
    return {"message": await service.remove(tx, me.user_id, body.username)}


@router.get("/friends/status", **documented(FriendStatus))
async def status(me: CurrentUser, tx: TxDep) -> dict[str, list[str]]:
    return await service.status(tx, me.user_id)
