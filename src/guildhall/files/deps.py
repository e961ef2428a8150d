"""Authentication for endpoints that stream a request body to disk."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from guildhall.auth.deps import current_principal
from guildhall.auth.principal import Principal
from guildhall.deps import RuntimeDep


async def streaming_principal(request: Request, rt: RuntimeDep) -> Principal:
    """The caller (session + CSRF, or bearer), checked in a short read-only unit.

    ``CurrentUser`` rides on the request's transaction, which for a POST is a
    write transaction held until the endpoint returns; on SQLite that is the
    process's write lock, and a slow client sending megabytes would hold it.
    """
    async with rt.transaction(write=False) as tx:
        return await current_principal(request, tx)


StreamingUser = Annotated[Principal, Depends(streaming_principal)]
