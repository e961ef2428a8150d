"""The user directory and user search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from guildhall.auth.deps import CurrentUser
from guildhall.deps import TxDep
from guildhall.kit.openapi import QueryText, documented, int_query
from guildhall.kit.parse import bounded_int
from guildhall.users import service
from guildhall.users.schemas import UserListed, UserSearchResult

router = APIRouter(prefix="/api", tags=["users"])

MAX_LIST_LIMIT = 1000
MAX_OFFSET = 2**31 - 1


@router.get("/users", **documented(list[UserListed], errors=(400,)))
async def list_users(
    _: CurrentUser,
    tx: TxDep,
    limit: QueryText = int_query(
        1, description=f"Default 100; more than {MAX_LIST_LIMIT} is served as {MAX_LIST_LIMIT}"
    ),
    offset: QueryText = int_query(0, MAX_OFFSET, "Default 0"),
) -> list[dict[str, Any]]:
    # A limit over the maximum is served at the maximum, like message history.
    size = min(bounded_int(limit, "limit", 100, 1), MAX_LIST_LIMIT)
    skip = bounded_int(offset, "offset", 0, 0, MAX_OFFSET)
    return await service.list_users(tx, size, skip)


# The search/ package serves message search; user search lives with users.
@router.get("/search/users", **documented(UserSearchResult, errors=(400,)))
async def search_users(
    _: CurrentUser,
    tx: TxDep,
    q: QueryText = Query(
        None,
        description="Case-insensitive substring of the username, at least 2 characters",
        json_schema_extra={"minLength": 2},
    ),
) -> dict[str, Any]:
    results = await service.search_users(tx, q or "")
    return {"results": results, "count": len(results)}
