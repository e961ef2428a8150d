"""Polls over REST."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from guildhall.auth.deps import CurrentUser
from guildhall.deps import TxDep
from guildhall.kit import parse
from guildhall.kit.openapi import IdParam, documented
from guildhall.polls import service
from guildhall.polls.schemas import PollCreate, PollRead, PollWithVotes, VoteIn

router = APIRouter(prefix="/api", tags=["polls"])


@router.post(
    "/messages/{message_id}/poll", **documented(PollRead, 201, errors=(400, 403, 404, 409))
)
async def create_poll(
    message_id: IdParam, body: PollCreate, user: CurrentUser, tx: TxDep
) -> dict[str, Any]:
    return await service.create(
        tx,
        user.user_id,
        parse.message_id(message_id),
        body.question,
        body.options,
        body.allow_multiple,
        body.expires_hours,
    )


@router.get("/messages/{message_id}/poll", **documented(PollWithVotes, errors=(403, 404)))
async def get_poll(message_id: IdParam, user: CurrentUser, tx: TxDep) -> dict[str, Any]:
    return await service.for_message(tx, user.user_id, parse.message_id(message_id))


@router.post("/polls/{poll_id}/vote", **documented(PollWithVotes, errors=(400, 403, 404)))
async def vote(poll_id: str, body: VoteIn, user: CurrentUser, tx: TxDep) -> dict[str, Any]:
    return await service.vote(tx, user.user_id, poll_id, body.option_id)


@router.delete("/polls/{poll_id}/vote", **documented(PollWithVotes, errors=(400, 403, 404)))
async def retract_vote(poll_id: str, user: CurrentUser, tx: TxDep) -> dict[str, Any]:
    return await service.retract(tx, user.user_id, poll_id)
