"""Search over REST."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from guildhall.auth.deps import CurrentUser
from guildhall.deps import TxDep
from guildhall.kit.openapi import QueryText, documented, int_query
from guildhall.kit.parse import bounded_int
from guildhall.search import service
from guildhall.search.schemas import SearchResult

router = APIRouter(prefix="/api", tags=["search"])
_MAX_ID = 2**63 - 1


@router.get("/search/messages", **documented(list[SearchResult], errors=(400, 403, 404)))
async def search_messages(
    user: CurrentUser,
    tx: TxDep,
    q: QueryText = Query(
        None,
        description="Words (prefix match on the last one); required, not blank",
        json_schema_extra={"minLength": 1, "maxLength": service.MAX_QUERY_LENGTH},
    ),
    channel_id: QueryText = int_query(1, _MAX_ID, "Only this channel (a member's)"),
    limit: QueryText = int_query(
        description=f"Default {service.DEFAULT_LIMIT}; served within 1-{service.MAX_LIMIT}"
    ),
) -> list[dict[str, Any]]:
    size = bounded_int(limit, "limit", service.DEFAULT_LIMIT, 1, service.MAX_LIMIT, clamp=True)
    cid = None
    if channel_id not in (None, ""):
        cid = bounded_int(channel_id, "channel_id", 0, 1, _MAX_ID)
    return await service.search_messages(tx, user.user_id, q, cid, size)
