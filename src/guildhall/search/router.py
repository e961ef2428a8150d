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
_TIME_FORMAT = "RFC 3339 time with Z or an offset, or YYYY-MM-DD (UTC)"


def _id(raw: str | None, name: str) -> int | None:
    if raw in (None, ""):
        return None
    return bounded_int(raw, name, 0, 1, _MAX_ID)


@router.get("/search/messages", **documented(list[SearchResult], errors=(400, 403, 404)))
async def search_messages(
    user: CurrentUser,
    tx: TxDep,
    q: QueryText = Query(
        None,
        description="Words (prefix match on the last one); required unless a filter is given",
        json_schema_extra={"maxLength": service.MAX_QUERY_LENGTH},
    ),
    guild_id: QueryText = int_query(1, _MAX_ID, "Only this guild (a member's)"),
    channel_id: QueryText = int_query(1, _MAX_ID, "Only this channel (one the caller can see)"),
    author_id: QueryText = int_query(1, _MAX_ID, "Only messages by this user"),
    mentions: QueryText = int_query(1, _MAX_ID, "Only messages mentioning this user"),
    has: list[str] | None = Query(
        None,
        description="file, image, link or poll; repeatable (all must hold)",
        json_schema_extra={"items": {"type": "string", "enum": list(service.HAS_VALUES)}},
    ),
    pinned: QueryText = Query(
        None,
        description="true: only pinned messages; false: only unpinned",
        json_schema_extra={"enum": ["true", "false"]},
    ),
    before: QueryText = Query(None, description=f"Sent before: {_TIME_FORMAT}; a date: its start"),
    after: QueryText = Query(None, description=f"Sent after: {_TIME_FORMAT}; a date: its end"),
    sort: QueryText = Query(
        None,
        description="newest (default), oldest, relevance",
        json_schema_extra={"enum": list(service.SORTS)},
    ),
    offset: QueryText = int_query(0, service.MAX_OFFSET, "Skip this many hits (0-5000)"),
    limit: QueryText = int_query(
        description=f"Default {service.DEFAULT_LIMIT}; served within 1-{service.MAX_LIMIT}"
    ),
) -> list[dict[str, Any]]:
    filters = service.SearchFilters(
        q=q,
        guild_id=_id(guild_id, "guild_id"),
        channel_id=_id(channel_id, "channel_id"),
        author_id=_id(author_id, "author_id"),
        mentions=_id(mentions, "mentions"),
        has=service.parse_has(has),
        pinned=service.parse_pinned(pinned),
        before=service.parse_time_bound(before, "before"),
        after=service.parse_time_bound(after, "after"),
        sort=service.parse_sort(sort),
        offset=bounded_int(offset, "offset", 0, 0, service.MAX_OFFSET),
        limit=bounded_int(limit, "limit", service.DEFAULT_LIMIT, 1, service.MAX_LIMIT, clamp=True),
    )
    return await service.search_messages(tx, user.user_id, filters)
