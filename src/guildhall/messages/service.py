"""Messages: send (idempotent with a nonce), history, edit, delete, pins, reactions,
retention. REST and Socket.IO call these same functions; each one authorizes
through ``guilds.access`` and records its events with ``tx.emit``."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import BindParameter, Table, bindparam, func, insert, select, update
from sqlalchemy import delete as sql_delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from guildhall.audit import service as audit
from guildhall.codes import ErrorCode
from guildhall.errors import AppError, forbidden, invalid, missing
from guildhall.events import ServerEvent, channel_room
from guildhall.files import service as files_service
from guildhall.files.serialize import upload_view
from guildhall.files.stores import is_public_path
from guildhall.guilds.access import ChannelAccess
from guildhall.kit.detached import column_keys, columns, copy_row
from guildhall.kit.sql import affected
from guildhall.kit.time import utcnow
from guildhall.kit.validation import clean_text
from guildhall.messages import edits, mentions, replies
from guildhall.messages.reactions import check_emoji
from guildhall.messages.serialize import (
    message_dict,
    serialize_message,
    serialize_messages,
)
from guildhall.models import Attachment, Channel, Message, Reaction, Upload, User
from guildhall.models.channel import MESSAGE_TYPES
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import (
    check,
    check_others_message,
    require_channel_access,
    require_message_access,
    require_not_timed_out,
)
from guildhall.readstates import service as readstates
from guildhall.replay import sequence
from guildhall.runtime import Tx

NONCE_WINDOW = timedelta(minutes=5)
MAX_NONCE_LENGTH = 64
MAX_FILES = 10
MAX_REACTIONS_PER_MESSAGE = 20  # distinct emojis, as Discord
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# Most messages one send trims: a channel far over a lowered cap converges over
# the next sends instead of one send deleting (and announcing) a whole history.
RETENTION_BATCH = 1000
DELETE_CHUNK = 500  # ids per DELETE ... IN (...): under every engine's parameter limit


def room_of(message: Message) -> str:
    return channel_room(message.guild_id, message.channel_id)


# --- input --------------------------------------------------------------------


def _file_paths(files: list[str] | None) -> list[str]:
    """Upload paths, deduplicated in order. Both doors hand over strings: the REST
    body is ``list[str]``, and the socket's ``SendIn.paths`` flattens ``{path}``."""
    if files is None:
        return []
    paths: list[str] = []
    for item in files:
        if not is_public_path(item):
            raise invalid("files", "files must be a list of upload paths")
        if item not in paths:
            paths.append(item)
    if len(paths) > MAX_FILES:
        raise invalid("files", f"At most {MAX_FILES} files a message")
    return paths


def _nonce(nonce: Any) -> str | None:
    if nonce is None or nonce == "":
        return None
    if not isinstance(nonce, str):
        raise invalid("nonce", "nonce must be a string")
    return clean_text(nonce, "nonce", 1, MAX_NONCE_LENGTH, strip=False)


def _content(tx: Tx, content: Any, has_files: bool) -> str:
    if content is None:
        if has_files:
            return ""
        raise missing("content")
    if not isinstance(content, str):
        raise invalid("content", "content must be a string")
    return clean_text(content, "content", 0 if has_files else 1, tx.settings.max_message_length)


async def _owned_uploads(tx: Tx, user_id: int, paths: list[str]) -> list[Upload]:
    if not paths:
        return []
    rows = (
        (
            await tx.session.execute(
                select(Upload)
                .where(Upload.path.in_(paths), Upload.owner_id == user_id)
                # Shared lock: a deletion of the upload (its last message went,
                # or it expired unattached) waits for this send, or wins first.
                .with_for_update(read=True)
            )
        )
        .scalars()
        .all()
    )
    by_path = {u.path: u for u in rows}
    if len(by_path) != len(paths):
        raise invalid("files", "files must be paths of your own uploads")
    return [by_path[p] for p in paths]


# --- send -----------------------------------------------------------------------


async def _by_nonce(tx: Tx, channel_id: int, user_id: int, nonce: str) -> Message | None:
    return await tx.session.scalar(
        select(Message).where(
            Message.channel_id == channel_id, Message.author_id == user_id, Message.nonce == nonce
        )
    )


async def send(
    tx: Tx,
    user_id: int,
    channel_id: int,
    content: str | None,
    files: list[str] | None = None,
    nonce: str | None = None,
    reply_to: Any = None,
    origin_sid: str | None = None,
) -> dict[str, Any]:
    """Store a message and emit ``new_message`` to its channel room.

    A ``nonce`` seen from the same user in the same channel within five minutes
    returns the first message instead of a second one, also when two identical
    sends race: the unique ``(channel_id, author_id, nonce)`` decides the winner.
    ``reply_to`` names a message of the same channel (section 16). Sending acks the
    channel for the author (``read_state_updated`` to their sockets but
    ``origin_sid``, the socket that sent).
    """
    # One statement: the channel, the member, their name and their permissions here.
    found = await require_channel_access(
        tx, channel_id, user_id, Permission.SEND_MESSAGES, with_author=True, detached=True
    )
    channel, guild = found.channel, found.guild
    username, avatar, display_name = found.username, found.avatar, found.display_name
    if channel.type not in MESSAGE_TYPES:
        raise invalid("channel_id", "Messages can only be sent to text channels")
    if channel.read_only and Permission.MANAGE_MESSAGES not in found.permissions:
        raise AppError(
            ErrorCode.CHANNEL_READ_ONLY,
            403,
            "Only members who manage messages can post in this channel",
        )
    paths = _file_paths(files)
    if paths:
        check(found, Permission.ATTACH_FILES)
    text = _content(tx, content, has_files=bool(paths))
    key = _nonce(nonce)
    replies.reply_id(reply_to)  # its type is checked before anything is looked up

    if key is not None:
        earlier = await _by_nonce(tx, channel.id, user_id, key)
        if earlier is not None:
            if earlier.created_at > utcnow() - NONCE_WINDOW:
                return await serialize_message(tx, earlier)
            # Expired: free the nonce for the new message (the constraint is unique).
            await tx.session.execute(
                update(Message).where(Message.id == earlier.id).values(nonce=None)
            )
            earlier.nonce = None

    await tx.rt.limits.message.check(
        user_id, ErrorCode.TOO_MANY_MESSAGES, "You are sending messages too fast"
    )
    uploads = await _owned_uploads(tx, user_id, paths)
    replied = await replies.original(tx, channel.id, reply_to)
    mentioned = await mentions.resolve(
        tx, channel, guild, user_id, text, replied[0] if replied else None
    )
    # Ids in the order of the channel's event numbers (contract section 18).
    await sequence.lock_channel(tx, channel.id)
    message = Message(
        channel_id=channel.id,
        guild_id=channel.guild_id,
        author_id=user_id,
        content=text,
        nonce=key,
        reply_to_id=replied[1]["id"] if replied else None,
    )
    mentions.apply(message, mentioned)
    if key is None:
        await _insert(tx, message)
    else:
        try:
            async with tx.session.begin_nested():
                await _insert(tx, message)
        except IntegrityError:
            # A concurrent send with the same nonce committed first: answer with its message.
            winner = await _by_nonce(tx, channel.id, user_id, key)
            if winner is None:
                raise
            return await serialize_message(tx, winner)

    if uploads:
        tx.session.add_all(
            Attachment(message_id=message.id, upload_id=u.id, position=i)
            for i, u in enumerate(uploads)
        )
        await tx.session.flush()
    await mentions.index(tx, message, mentioned)
    await _enforce_retention(tx, channel, message.id)
    # Built here, not read back: a new message has no reactions and no poll yet.
    files_out = [upload_view(u) for u in uploads]
    data = message_dict(
        message,
        username,
        avatar,
        display_name,
        files_out,
        reactions=[],
        poll=None,
        reply_to=replied[1] if replied else None,
    )
    tx.emit(room_of(message), ServerEvent.NEW_MESSAGE, data)
    readstates.acked_by_send(tx, user_id, channel.id, channel.guild_id, message.id, origin_sid)
    return data


# The new message's row: one Core INSERT ... RETURNING id, built once. Not the ORM's
# unit of work, which cost a send about a seventh of its CPU for this one row
# (docs/decisions/write-path.md); the object stays out of the session.
_INSERT_COLUMNS = (
    "channel_id", "guild_id", "author_id", "content", "created_at", "edited_at", "pinned",
    "nonce", "reply_to_id", "mention_user_ids", "mention_role_ids", "mention_everyone",
)  # fmt: skip
_MESSAGES = cast(Table, Message.__table__)
_INSERT = insert(_MESSAGES).returning(_MESSAGES.c.id)


async def _insert(tx: Tx, message: Message) -> None:
    """Store ``message`` (its columns' defaults filled in first) and set its id."""
    message.created_at = utcnow()
    message.edited_at = None
    message.pinned = False
    row = {name: getattr(message, name) for name in _INSERT_COLUMNS}
    message.id = (await tx.rows(_INSERT, row)).scalar()


async def _enforce_retention(tx: Tx, channel: Channel, keep_id: int) -> None:
    """Keep the channel at ``max_messages_per_channel`` by deleting its oldest unpinned
    messages (never ``keep_id``, the one just sent), emitting ``message_deleted``.

    Free per send: the trigger-kept ``channels.message_count`` (migration 0003) was
    read with the channel in this transaction, before the insert; only when it is
    over is the overflow looked up, from the oldest end of the ``(channel_id, id)``
    index. (On PostgreSQL two concurrent sends may each read the count before the
    other's insert and leave the channel one over the cap until the next send.)
    """
    cap = tx.settings.max_messages_per_channel
    if cap <= 0:
        return
    overflow = channel.message_count + 1 - cap
    if overflow <= 0:
        return
    params = {"channel_id": channel.id, "keep": keep_id, "limit": min(overflow, RETENTION_BATCH)}
    victims = [mid for (mid,) in (await tx.rows(_OLDEST_UNPINNED, params)).all()]
    await delete_many(tx, [(mid, channel.guild_id, channel.id) for mid in victims])


# A channel at its cap runs these on every send (built once, through Tx.rows).
_OLDEST_UNPINNED = (
    select(_MESSAGES.c.id)
    .where(
        _MESSAGES.c.channel_id == bindparam("channel_id"),
        _MESSAGES.c.pinned.is_(False),
        _MESSAGES.c.id != bindparam("keep"),
    )
    .order_by(_MESSAGES.c.id)
    .limit(bindparam("limit"))
)
_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_ANY_ATTACHED = select(Attachment.message_id).where(Attachment.message_id.in_(_IDS)).limit(1)
_DELETE = sql_delete(_MESSAGES).where(_MESSAGES.c.id.in_(_IDS))


def _id_in(ids: list[int]) -> Callable[[Any], ColumnElement[bool]]:
    """``doomed`` for ``release_uploads``: the messages (or aliases) with these ids."""
    return lambda m: m.id.in_(ids)


async def delete_many(tx: Tx, victims: list[tuple[int, int | None, int]]) -> None:
    """Delete messages given as ``(id, guild_id, channel_id)`` (retention, a ban's
    ``delete_message_seconds``), emitting ``message_deleted`` to each one's room.
    Their attachments and reactions go by the foreign keys' cascades; uploads no
    other message, emoji or sticker holds are deleted after commit."""
    for i in range(0, len(victims), DELETE_CHUNK):
        chunk = [mid for mid, _, _ in victims[i : i + DELETE_CHUNK]]
        # Most messages have no files: then there is no upload to release.
        if (await tx.rows(_ANY_ATTACHED, {"ids": chunk})).first() is not None:
            released = await files_service.release_uploads(tx, _id_in(chunk))
            files_service.delete_after_commit(tx, released)
        await tx.rows(_DELETE, {"ids": chunk})
    for mid, guild_id, channel_id in victims:
        room = channel_room(guild_id, channel_id)
        tx.emit(
            room, ServerEvent.MESSAGE_DELETED, {"id": mid, "room": room, "channel_id": channel_id}
        )


# --- history --------------------------------------------------------------------


async def _readable_channel(tx: Tx, user_id: int, channel_id: int) -> Channel | None:
    """The channel if the member may read its history; None when they may see it
    but not its history (the answer is then empty); 403 when they may not see it.
    A read-only copy (``detached``): every caller only reads it."""
    found = await require_channel_access(
        tx, channel_id, user_id, Permission.VIEW_CHANNEL, detached=True
    )
    if Permission.READ_MESSAGE_HISTORY not in found.permissions:
        return None
    return found.channel


# Built once: every join_room reads it (the statement's build and cache key cost
# more than running it on SQLite). Plain columns, read-only copies (kit.detached):
# a page is only serialized.
_MESSAGE_KEYS = column_keys(Message)
_NEWEST = (
    select(*columns(Message))
    .where(Message.channel_id == bindparam("channel_id"))
    .order_by(Message.id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)


async def _newest(tx: Tx, channel_id: int, limit: int, offset: int = 0) -> list[Message]:
    """``limit`` messages from ``offset`` below the newest, oldest first; an index walk."""
    params = {"channel_id": channel_id, "limit": limit, "offset": offset}
    rows = (await tx.rows(_NEWEST, params)).all()
    return [copy_row(Message, _MESSAGE_KEYS, row) for row in reversed(rows)]


async def latest(tx: Tx, user_id: int, channel_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The newest ``limit`` messages of a channel, oldest first (``messages_history``)."""
    if await _readable_channel(tx, user_id, channel_id) is None:
        return []
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    return await serialize_messages(tx, await _newest(tx, channel_id, limit))


async def history_page(
    tx: Tx, user_id: int, channel_id: int, page: int = 1, limit: int = DEFAULT_PAGE_SIZE
) -> dict[str, Any]:
    """Page ``page`` counted from the newest messages, oldest first within the page."""
    channel = await _readable_channel(tx, user_id, channel_id)
    # Kept by triggers (migration 0003): counting the rows would cost the channel's length.
    total = channel.message_count if channel is not None else 0
    offset = (page - 1) * limit
    messages = await _newest(tx, channel_id, limit, offset) if offset < total else []
    return {
        "messages": await serialize_messages(tx, messages),
        "pagination": {
            "page": page,
            "limit": limit,
            "total": total,
            "pages": math.ceil(total / limit),
        },
    }


async def history_window(
    tx: Tx,
    user_id: int,
    channel_id: int,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> dict[str, Any]:
    """The ``limit`` newest messages older than ``before``, or the ``limit`` oldest newer
    than ``after``; oldest first either way, straight from the ``(channel_id, id)`` index."""
    if await _readable_channel(tx, user_id, channel_id) is None:
        return {"messages": [], "pagination": {"limit": limit, "has_more": False}}
    stmt = select(Message).where(Message.channel_id == channel_id).limit(limit + 1)
    if before is not None:
        stmt = stmt.where(Message.id < before).order_by(Message.id.desc())
    else:
        stmt = stmt.where(Message.id > (after or 0)).order_by(Message.id)
    rows = list((await tx.session.execute(stmt)).scalars().all())
    has_more = len(rows) > limit
    rows = rows[:limit]
    if before is not None:
        rows.reverse()
    return {
        "messages": await serialize_messages(tx, rows),
        "pagination": {"limit": limit, "has_more": has_more},
    }


async def pins(tx: Tx, user_id: int, channel_id: int) -> list[dict[str, Any]]:
    """The channel's pinned messages, newest message first."""
    if await _readable_channel(tx, user_id, channel_id) is None:
        return []
    rows = (
        (
            await tx.session.execute(
                select(Message)
                .where(Message.channel_id == channel_id, Message.pinned)
                .order_by(Message.id.desc())
            )
        )
        .scalars()
        .all()
    )
    return await serialize_messages(tx, rows)


# --- changes ----------------------------------------------------------------------


async def _own_or_managed(
    tx: Tx, user_id: int, message_id: int, pin: bool = False
) -> tuple[Message, ChannelAccess]:
    """The message, if the caller wrote it or holds MANAGE_MESSAGES in its channel
    (to pin: or is a recipient of its DM)."""
    found = await require_message_access(tx, message_id, user_id)
    message = found.message
    assert message is not None
    if message.author_id != user_id:
        check_others_message(found, pin)
    return message, found


async def edit(tx: Tx, user_id: int, message_id: int, content: Any) -> dict[str, Any]:
    """Replace the content (author only); emits ``message_edited`` with the full message.
    The replaced version joins the edit history and the mentions are parsed again."""
    found = await require_message_access(tx, message_id, user_id)
    message = found.message
    assert message is not None
    if message.author_id != user_id:
        raise forbidden(ErrorCode.INSUFFICIENT_PERMISSIONS, "Only the author can edit a message")
    require_not_timed_out(found)
    channel, guild = found.channel, found.guild
    has_files = (
        await tx.session.scalar(
            select(Attachment.id).where(Attachment.message_id == message.id).limit(1)
        )
        is not None
    )
    previous = message.content
    message.content = _content(tx, content, has_files)
    message.edited_at = utcnow()
    edits.record(tx, message.id, previous, message.edited_at)
    mentioned = await mentions.resolve(
        tx, channel, guild, user_id, message.content, await replies.author_of(tx, message)
    )
    mentions.apply(message, mentioned)
    await tx.session.flush()
    await mentions.index(tx, message, mentioned, replace=True)
    data = await serialize_message(tx, message)
    room = room_of(message)
    tx.emit(room, ServerEvent.MESSAGE_EDITED, {**data, "room": room})
    return data


async def delete(tx: Tx, user_id: int, message_id: int) -> None:
    """Delete (the author, or MANAGE_MESSAGES); emits ``message_deleted``."""
    message, _ = await _own_or_managed(tx, user_id, message_id)
    mid = message.id
    files_service.delete_after_commit(
        tx, await files_service.release_uploads(tx, lambda m: m.id == mid)
    )
    await tx.session.execute(sql_delete(Message).where(Message.id == message.id))
    if user_id != message.author_id:  # a moderator's act, not tidying one's own
        await audit.record(
            tx,
            message.guild_id,
            user_id,
            "message_delete",
            message.id,
            [
                audit.change("author_id", message.author_id, None),
                audit.change("channel_id", message.channel_id, None),
            ],
        )
    room = room_of(message)
    tx.emit(
        room,
        ServerEvent.MESSAGE_DELETED,
        {"id": message.id, "room": room, "channel_id": message.channel_id},
    )


async def _set_pinned(tx: Tx, user_id: int, message: Message, pinned: bool) -> None:
    """Pin or unpin ``message`` (its state changes): recorded in the audit log and
    told to its room."""
    message.pinned = pinned
    await tx.session.flush()
    action, event = (
        ("message_pin", ServerEvent.MESSAGE_PINNED)
        if pinned
        else ("message_unpin", ServerEvent.MESSAGE_UNPINNED)
    )
    await audit.record(
        tx,
        message.guild_id,
        user_id,
        action,
        message.id,
        [audit.change("pinned", not pinned, pinned)],
    )
    room = room_of(message)
    tx.emit(room, event, {"message_id": message.id, "room": room})


async def pin(tx: Tx, user_id: int, message_id: int) -> dict[str, Any]:
    """Pin (the author, or MANAGE_MESSAGES; any recipient in a DM), at most
    ``max_pins_per_channel``; idempotent."""
    message, found = await _own_or_managed(tx, user_id, message_id, pin=True)
    require_not_timed_out(found)
    channel = found.channel
    if not message.pinned:
        # Serialize pinners of one channel on PostgreSQL so the cap holds under races.
        await tx.session.execute(
            select(Channel.id).where(Channel.id == channel.id).with_for_update()
        )
        pinned = await tx.session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.channel_id == channel.id, Message.pinned)
        )
        if (pinned or 0) >= tx.settings.max_pins_per_channel:
            raise AppError(
                ErrorCode.LIMIT_REACHED,
                400,
                f"At most {tx.settings.max_pins_per_channel} pinned messages a channel",
            )
        await _set_pinned(tx, user_id, message, True)
    return await serialize_message(tx, message)


async def unpin(tx: Tx, user_id: int, message_id: int) -> dict[str, Any]:
    """Unpin (the author, or MANAGE_MESSAGES; any recipient in a DM); idempotent."""
    message, found = await _own_or_managed(tx, user_id, message_id, pin=True)
    require_not_timed_out(found)
    if message.pinned:
        await _set_pinned(tx, user_id, message, False)
    return await serialize_message(tx, message)


async def _username(tx: Tx, user_id: int) -> str | None:
    return await tx.session.scalar(select(User.username).where(User.id == user_id))


async def add_reaction(tx: Tx, user_id: int, message_id: int, emoji: str) -> dict[str, Any]:
    """React (ADD_REACTIONS; joining a reaction already on the message needs only
    VIEW_CHANNEL); idempotent. Emits ``reaction_added`` when it is new."""
    found = await require_message_access(tx, message_id, user_id)
    message = found.message
    assert message is not None
    require_not_timed_out(found)
    if not isinstance(emoji, str):
        raise invalid("emoji", "emoji must be a string")
    emoji = await check_emoji(tx, message.guild_id, emoji)
    used = set(
        (
            await tx.session.execute(
                select(Reaction.emoji).where(Reaction.message_id == message.id).distinct()
            )
        )
        .scalars()
        .all()
    )
    if emoji not in used:
        check(found, Permission.ADD_REACTIONS)
    if emoji not in used and len(used) >= MAX_REACTIONS_PER_MESSAGE:
        raise AppError(
            ErrorCode.LIMIT_REACHED, 400, f"At most {MAX_REACTIONS_PER_MESSAGE} different reactions"
        )
    if await tx.dialect.insert_ignore(
        tx.session, Reaction, message_id=message.id, emoji=emoji, user_id=user_id
    ):
        room = room_of(message)
        tx.emit(
            room,
            ServerEvent.REACTION_ADDED,
            {
                "message_id": message.id,
                "emoji": emoji,
                "username": await _username(tx, user_id),
                "room": room,
            },
        )
    return await serialize_message(tx, message)


async def remove_reaction(tx: Tx, user_id: int, message_id: int, emoji: str) -> dict[str, Any]:
    """Take one's own reaction back; idempotent. Emits ``reaction_removed`` when it was there."""
    message = (await require_message_access(tx, message_id, user_id)).message
    assert message is not None
    # NUL: in no stored reaction (they are checked emojis), and PostgreSQL text cannot hold one.
    if not isinstance(emoji, str) or not emoji or len(emoji) > 64 or "\x00" in emoji:
        raise invalid("emoji", "emoji must be 1-64 characters")
    # No emoji check: a reaction whose custom emoji was deleted can still be removed.
    result = await affected(
        tx.session,
        sql_delete(Reaction).where(
            Reaction.message_id == message.id, Reaction.emoji == emoji, Reaction.user_id == user_id
        ),
    )
    if result:
        room = room_of(message)
        tx.emit(
            room,
            ServerEvent.REACTION_REMOVED,
            {
                "message_id": message.id,
                "emoji": emoji,
                "username": await _username(tx, user_id),
                "room": room,
            },
        )
    return await serialize_message(tx, message)
