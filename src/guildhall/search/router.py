"""Search over REST."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from guildhall.auth.deps import CurrentUser
from guildhall.deps import TxDep
from guildhall.kit.parse import bounded_int
from guildhall.search import service

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search/messages")
async def search_messages(
    user: CurrentUser,
    tx: TxDep,
    q: str | None = None,
    channel_id: str | None = None,
    limit: str | None = None,
) -> list[dict[str, Any]]:
    size = bounded_int(limit, "limit", service.DEFAULT_LIMIT, 1, service.MAX_LIMIT, clamp=True)
    cid = None
    if channel_id not in (None, ""):
        cid = bounded_int(channel_id, "channel_id", 0, 1, 2**63 - 1)
    return await service.search_messages(tx, user.user_id, q, cid, size)
