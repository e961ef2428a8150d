"""Messages over REST: history, send, edit, delete, pins, reactions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from guildhall.auth.deps import CurrentUser
from guildhall.deps import TxDep
from guildhall.errors import invalid
from guildhall.kit.parse import bounded_int, int_id
from guildhall.messages import service
from guildhall.messages.schemas import MessageCreate, MessageUpdate

router = APIRouter(prefix="/api", tags=["messages"])

_MAX_ID = 2**63 - 1


def _channel_id(raw: str) -> int:
    return int_id(raw, "CHANNEL_NOT_FOUND")


def _message_id(raw: str) -> int:
    return int_id(raw, "MESSAGE_NOT_FOUND")


@router.get("/channels/{channel_id}/messages")
async def history(
    channel_id: str,
    user: CurrentUser,
    tx: TxDep,
    page: str | None = None,
    limit: str | None = None,
    before: str | None = None,
    after: str | None = None,
) -> dict[str, Any]:
    cid = _channel_id(channel_id)
    size = bounded_int(
        limit, "limit", service.DEFAULT_PAGE_SIZE, 1, service.MAX_PAGE_SIZE, clamp=True
    )
    if before not in (None, "") or after not in (None, ""):
        if before not in (None, "") and after not in (None, ""):
            raise invalid("before", "Use either before or after, not both")
        if before not in (None, ""):
            cursor = bounded_int(before, "before", 0, 1, _MAX_ID)
            return await service.history_window(tx, user.user_id, cid, before=cursor, limit=size)
        cursor = bounded_int(after, "after", 0, 0, _MAX_ID)
        return await service.history_window(tx, user.user_id, cid, after=cursor, limit=size)
    number = bounded_int(page, "page", 1, 1, 2**31)
    return await service.history_page(tx, user.user_id, cid, number, size)


@router.post("/channels/{channel_id}/messages", status_code=201)
async def send(
    channel_id: str, body: MessageCreate, user: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.send(
        tx, user.user_id, _channel_id(channel_id), body.content, body.files, body.nonce
    )


@router.get("/channels/{channel_id}/pins")
async def pins(channel_id: str, user: CurrentUser, tx: TxDep) -> list[dict[str, Any]]:
    return await service.pins(tx, user.user_id, _channel_id(channel_id))


@router.put("/messages/{message_id}")
async def edit(
    message_id: str, body: MessageUpdate, user: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.edit(tx, user.user_id, _message_id(message_id), body.content)


@router.delete("/messages/{message_id}")
async def delete(message_id: str, user: CurrentUser, tx: TxDep) -> dict[str, str]:
    await service.delete(tx, user.user_id, _message_id(message_id))
    return {"message": "Message deleted successfully"}


@router.post("/messages/{message_id}/pin")
async def pin(message_id: str, user: CurrentUser, tx: TxDep) -> dict[str, str]:
    await service.pin(tx, user.user_id, _message_id(message_id))
    return {"message": "Message pinned successfully"}


@router.post("/messages/{message_id}/unpin")
async def unpin(message_id: str, user: CurrentUser, tx: TxDep) -> dict[str, str]:
    await service.unpin(tx, user.user_id, _message_id(message_id))
    return {"message": "Message unpinned successfully"}


@router.put("/messages/{message_id}/reactions/{emoji}")
async def add_reaction(message_id: str, emoji: str, user: CurrentUser, tx: TxDep) -> dict[str, Any]:
    return await service.add_reaction(tx, user.user_id, _message_id(message_id), emoji)


@router.delete("/messages/{message_id}/reactions/{emoji}")
async def remove_reaction(
    message_id: str, emoji: str, user: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.remove_reaction(tx, user.user_id, _message_id(message_id), emoji)
