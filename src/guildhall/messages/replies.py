"""Replies (contract section 16): a message may answer another of its channel.

The reference is ``messages.reply_to_id`` with no foreign key, so deleting the
original leaves the id and the reply shows ``{id, deleted: true}``. A page of
messages loads every original it refers to in one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from guildhall.errors import invalid
from guildhall.models import Message, User
from guildhall.runtime import Tx

PREVIEW_CHARS = 100
_MAX_ID = 2**63 - 1


def reply_id(raw: Any) -> int | None:
    """``reply_to`` as sent: absent/null, or a positive integer (sockets pass raw data)."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= _MAX_ID:
        raise invalid("reply_to", "reply_to must be a message id")
    return raw


def preview(message_id: int, author_id: int, username: str | None, content: str) -> dict[str, Any]:
    return {
        "id": message_id,
        "author_id": author_id,
        "username": username,
        "content": content[:PREVIEW_CHARS],
    }


def gone(message_id: int) -> dict[str, Any]:
    return {"id": message_id, "deleted": True}


async def original(tx: Tx, channel_id: int, raw: Any) -> tuple[int, dict[str, Any]] | None:
    """The replied-to message's author and preview, if ``raw`` names a message of
    ``channel_id``; another channel's id, or none, is 400 INVALID_INPUT."""
    mid = reply_id(raw)
    if mid is None:
        return None
    row = (
        await tx.session.execute(
            select(Message.author_id, User.username, Message.content)
            .join(User, User.id == Message.author_id)
            .where(Message.id == mid, Message.channel_id == channel_id)
        )
    ).first()
    if row is None:
        raise invalid("reply_to", "reply_to must be a message of this channel")
    author_id, username, content = row
    return author_id, preview(mid, author_id, username, content)


async def previews(session: AsyncSession, messages: Sequence[Message]) -> dict[int, dict[str, Any]]:
    """``reply_to`` of every message of a page that has one, keyed by the original's
    id: one query, none at all when nothing on the page is a reply."""
    ids = {m.reply_to_id for m in messages if m.reply_to_id is not None}
    if not ids:
        return {}
    found = {
        mid: preview(mid, author_id, username, content)
        for mid, author_id, username, content in (
            await session.execute(
                select(Message.id, Message.author_id, User.username, Message.content)
                .join(User, User.id == Message.author_id)
                .where(Message.id.in_(ids))
            )
        ).all()
    }
    return {mid: found.get(mid) or gone(mid) for mid in ids}


async def author_of(tx: Tx, message: Message) -> int | None:
    """The replied-to author of ``message`` (an edit re-parses mentions and keeps
    the reply's); ``None`` when it is no reply or the original is gone."""
    if message.reply_to_id is None:
        return None
    return await tx.session.scalar(
        select(Message.author_id).where(Message.id == message.reply_to_id)
    )
