"""The user directory and user search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from guildhall.auth.deps import CurrentUser
from guildhall.deps import TxDep
from guildhall.kit.parse import bounded_int
from guildhall.users import service

router = APIRouter(prefix="/api", tags=["users"])

MAX_LIST_LIMIT = 1000


@router.get("/users")
async def list_users(
    _: CurrentUser, tx: TxDep, limit: str | None = None, offset: str | None = None
) -> list[dict[str, Any]]:
    # A limit over the maximum is served at the maximum, like message history.
    size = min(bounded_int(limit, "limit", 100, 1), MAX_LIST_LIMIT)
    skip = bounded_int(offset, "offset", 0, 0, 2**31 - 1)
    return await service.list_users(tx, size, skip)


# The search/ package serves message search; user search lives with users.
@router.get("/search/users")
async def search_users(_: CurrentUser, tx: TxDep, q: str | None = None) -> dict[str, Any]:
    results = await service.search_users(tx, q or "")
    return {"results": results, "count": len(results)}
