"""FastAPI dependencies shared by every router: the runtime and the unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from guildhall.runtime import Runtime, Tx

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_runtime(request: Request) -> Runtime:
    # A coroutine: FastAPI would run a plain function in its thread pool.
    rt: Runtime = request.app.state.rt  # set by create_app (app.py)
    return rt


async def get_tx(request: Request) -> AsyncIterator[Tx]:
    """The request's transaction: committed when the endpoint returns, before the
    response is sent (scope="function"), rolled back if it raises."""
    rt: Runtime = request.app.state.rt
    async with rt.transaction(write=request.method not in _SAFE_METHODS) as tx:
        yield tx


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
TxDep = Annotated[Tx, Depends(get_tx, scope="function")]
