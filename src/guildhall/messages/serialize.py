"""The one message shape (contract section 7), used by REST, events, history and pins.

Built for a whole list at once with a constant number of queries — authors,
attachments with their uploads, reactions with usernames, polls with vote
counts, the originals replies refer to — never a query per message. Mentions
(section 16) are the message's own columns: no query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, bindparam, select

from guildhall.files.serialize import file_entry
from guildhall.kit.time import iso
from guildhall.messages import mentions, replies
from guildhall.models import Attachment, Message, Poll, Reaction, Upload, User
from guildhall.polls.serialize import polls_by_message
from guildhall.runtime import Tx

# Built once, run through Tx.rows (on SQLite past SQLAlchemy's execution, with a
# plan per length of the id list): every history page and join_room runs them.
_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_AUTHORS = select(User.id, User.username, User.avatar, User.display_name).where(User.id.in_(_IDS))
_FILES = (
    select(
        Attachment.message_id,
        Upload.filename,
        Upload.path,
        Upload.size,
        Upload.mimetype,
        Upload.preview,
    )
    .join(Upload, Upload.id == Attachment.upload_id)
    .where(Attachment.message_id.in_(_IDS))
    .order_by(Attachment.message_id, Attachment.position)
)
_REACTIONS = (
    select(Reaction.message_id, Reaction.emoji, User.username)
    .join(User, User.id == Reaction.user_id)
    .where(Reaction.message_id.in_(_IDS))
    .order_by(Reaction.created_at, Reaction.emoji, Reaction.user_id)
)
_WITH_POLL = select(Poll.message_id).where(Poll.message_id.in_(_IDS))


async def serialize_messages(tx: Tx, messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Message dicts in the order given."""
    if not messages:
        return []
    ids = [m.id for m in messages]
    # (username, avatar, display_name); a deleted author is all None.
    authors: dict[int, tuple[str | None, str | None, str | None]] = {
        uid: (username, avatar, display_name)
        for uid, username, avatar, display_name in (
            await tx.rows(_AUTHORS, {"ids": list({m.author_id for m in messages})})
        ).all()
    }
    files: dict[int, list[dict[str, Any]]] = {}
    for message_id, filename, path, size, mimetype, preview in (
        await tx.rows(_FILES, {"ids": ids})
    ).all():
        files.setdefault(message_id, []).append(file_entry(filename, path, size, mimetype, preview))
    reactions = await _reactions(tx, ids)
    # Few messages hold a poll: the polls' own (ORM) read only for those that do.
    polled = [mid for (mid,) in (await tx.rows(_WITH_POLL, {"ids": ids})).all()]
    polls = await polls_by_message(tx.session, polled) if polled else {}
    originals = await replies.previews(tx.session, messages)
    no_author: tuple[str | None, str | None, str | None] = (None, None, None)
    return [
        message_dict(
            m,
            *authors.get(m.author_id, no_author),
            files=files.get(m.id, []),
            reactions=reactions.get(m.id, []),
            poll=polls.get(m.id),
            reply_to=originals.get(m.reply_to_id) if m.reply_to_id is not None else None,
        )
        for m in messages
    ]


def message_dict(
    m: Message,
    username: str | None,
    avatar: str | None,
    display_name: str | None,
    files: list[dict[str, Any]],
    reactions: list[dict[str, Any]],
    poll: dict[str, Any] | None,
    reply_to: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The message object from its row and what was looked up beside it. A message
    just sent builds it directly: no reactions and no poll yet, nothing to query
    (its ``reply_to`` was loaded when the reply was checked)."""
    return {
        "id": m.id,
        "channel_id": m.channel_id,
        "guild_id": m.guild_id,
        "author_id": m.author_id,
        "username": username,
        "display_name": display_name,
        "avatar": avatar,
        "content": m.content,
        "timestamp": iso(m.created_at),
        "edited_at": iso(m.edited_at),
        "pinned": m.pinned,
        "files": files,
        "reactions": reactions,
        "poll": poll,
        "nonce": m.nonce,
        "reply_to": reply_to,
        **mentions.fields(m),
    }


async def serialize_message(tx: Tx, message: Message) -> dict[str, Any]:
    return (await serialize_messages(tx, [message]))[0]


async def _reactions(tx: Tx, message_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """``[{emoji, count, users}]`` per message, emojis in the order first used."""
    rows = (await tx.rows(_REACTIONS, {"ids": message_ids})).all()
    grouped: dict[int, dict[str, dict[str, Any]]] = {}
    for message_id, emoji, username in rows:
        entry = grouped.setdefault(message_id, {}).setdefault(
            emoji, {"emoji": emoji, "count": 0, "users": []}
        )
        entry["count"] += 1
        entry["users"].append(username)
    return {mid: list(by_emoji.values()) for mid, by_emoji in grouped.items()}
