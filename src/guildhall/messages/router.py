"""Messages over REST: history, send, edit, delete, pins, reactions.

The hot routes (send, history) answer with a ``JSONResponse`` of their own: an
answer FastAPI builds walks it with ``jsonable_encoder`` first, 73 µs for one
message (3.6 ms a page of 50), and theirs are plain JSON values already."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from guildhall.auth.deps import Credentials, CurrentUser, authenticate
from guildhall.deps import RuntimeDep, TxDep
from guildhall.errors import invalid
from guildhall.kit import parse
from guildhall.kit.openapi import IdParam, QueryText, StatusMessage, documented, int_query
from guildhall.kit.parse import bounded_int
from guildhall.kit.responses import JSONResponse
from guildhall.messages import edits, service
from guildhall.messages.schemas import (
    MessageCreate,
    MessageEditRead,
    MessagePage,
    MessageRead,
    MessageUpdate,
)
from guildhall.runtime import Tx

router = APIRouter(prefix="/api", tags=["messages"])

_MAX_ID = 2**63 - 1
_MAX_PAGE = 2**31
EmojiParam = Annotated[
    str, Path(description="A unicode emoji (URL-encoded) or `:name:` of a guild emoji")
]


@router.get("/channels/{channel_id}/messages", **documented(MessagePage, errors=(400, 403, 404)))
async def history(
    channel_id: IdParam,
    request: Request,
    _: Credentials,
    rt: RuntimeDep,
    page: QueryText = int_query(1, _MAX_PAGE, "Page mode (default 1): page 1 is the newest"),
    limit: QueryText = int_query(
        description=f"Default {service.DEFAULT_PAGE_SIZE}; served within 1-{service.MAX_PAGE_SIZE}"
    ),
    before: QueryText = int_query(1, _MAX_ID, "Cursor mode: the messages older than this id"),
    after: QueryText = int_query(0, _MAX_ID, "Cursor mode: the messages newer than this id"),
) -> JSONResponse:
    # A bounded page of index walks: a brief read (on SQLite on the loop's thread,
    # its statements straight on sqlite3), the session lookup in it too.
    async with rt.transaction(write=False, brief=True) as tx:
        user = await authenticate(request, tx)
        answer = await _history(tx, user.user_id, channel_id, page, limit, before, after)
    return JSONResponse(answer)


async def _history(
    tx: Tx, user_id: int, channel_id: str, page: Any, limit: Any, before: Any, after: Any
) -> dict[str, Any]:
    cid = parse.channel_id(channel_id)
    size = bounded_int(
        limit, "limit", service.DEFAULT_PAGE_SIZE, 1, service.MAX_PAGE_SIZE, clamp=True
    )
    if before not in (None, "") or after not in (None, ""):
        if before not in (None, "") and after not in (None, ""):
            raise invalid("before", "Use either before or after, not both")
        if before not in (None, ""):
            cursor = bounded_int(before, "before", 0, 1, _MAX_ID)
            return await service.history_window(tx, user_id, cid, before=cursor, limit=size)
        cursor = bounded_int(after, "after", 0, 0, _MAX_ID)
        return await service.history_window(tx, user_id, cid, after=cursor, limit=size)
    number = bounded_int(page, "page", 1, 1, _MAX_PAGE)
    return await service.history_page(tx, user_id, cid, number, size)


@router.post(
    "/channels/{channel_id}/messages", **documented(MessageRead, 201, errors=(400, 403, 404))
)
async def send(
    channel_id: IdParam, body: MessageCreate, request: Request, _: Credentials, rt: RuntimeDep
) -> JSONResponse:

    async def work(tx: Tx) -> dict[str, Any]:
        # The session lookup joins the send's unit of work: one transaction, not two.
        user = await authenticate(request, tx)
        cid = parse.channel_id(channel_id)
        return await service.send(
            tx, user.user_id, cid, body.content, body.files, body.nonce, reply_to=body.reply_to
        )

    # Group-committed with the other sends in flight (docs/decisions/write-path.md).
    return JSONResponse(await rt.grouped(work), status_code=201)


@router.get("/channels/{channel_id}/pins", **documented(list[MessageRead], errors=(403, 404)))
async def pins(channel_id: IdParam, user: CurrentUser, tx: TxDep) -> list[dict[str, Any]]:
    return await service.pins(tx, user.user_id, parse.channel_id(channel_id))


@router.put("/messages/{message_id}", **documented(MessageRead, errors=(400, 403, 404)))
async def edit(
    message_id: IdParam, body: MessageUpdate, user: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.edit(tx, user.user_id, parse.message_id(message_id), body.content)


@router.get("/messages/{message_id}/edits", **documented(list[MessageEditRead], errors=(403, 404)))
async def edit_history(message_id: IdParam, user: CurrentUser, tx: TxDep) -> list[dict[str, Any]]:
    return await edits.history(tx, user.user_id, parse.message_id(message_id))


@router.delete("/messages/{message_id}", **documented(StatusMessage, errors=(403, 404)))
async def delete(message_id: IdParam, user: CurrentUser, tx: TxDep) -> dict[str, str]:
    await service.delete(tx, user.user_id, parse.message_id(message_id))
    return {"message": "Message deleted successfully"}


@router.post("/messages/{message_id}/pin", **documented(StatusMessage, errors=(400, 403, 404)))
async def pin(message_id: IdParam, user: CurrentUser, tx: TxDep) -> dict[str, str]:
    await service.pin(tx, user.user_id, parse.message_id(message_id))
    return {"message": "Message pinned successfully"}


@router.post("/messages/{message_id}/unpin", **documented(StatusMessage, errors=(403, 404)))
async def unpin(message_id: IdParam, user: CurrentUser, tx: TxDep) -> dict[str, str]:
    await service.unpin(tx, user.user_id, parse.message_id(message_id))
    return {"message": "Message unpinned successfully"}


@router.put(
    "/messages/{message_id}/reactions/{emoji}",
    **documented(MessageRead, errors=(400, 403, 404)),
)
async def add_reaction(
    message_id: IdParam, emoji: EmojiParam, user: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.add_reaction(tx, user.user_id, parse.message_id(message_id), emoji)


@router.delete(
    "/messages/{message_id}/reactions/{emoji}",
    **documented(MessageRead, errors=(400, 403, 404)),
)
async def remove_reaction(
    message_id: IdParam, emoji: EmojiParam, user: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.remove_reaction(tx, user.user_id, parse.message_id(message_id), emoji)
