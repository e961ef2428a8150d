"""Message search: words in any script, prefix on the last word, newest first, only
in guilds the caller is a member of."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from guildhall.db import Tx
from guildhall.errors import invalid
from guildhall.kit.time import iso
from guildhall.models import Channel, Member, Message, User
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import channel_verdicts, require_channel_access
from guildhall.search.engines import match, words

MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


async def search_messages(
    tx: Tx, user_id: int, q: str | None, channel_id: int | None = None, limit: int = DEFAULT_LIMIT
) -> list[dict[str, Any]]:
    """``[{id, content, username, channel_name, timestamp, channel_id, guild_id}]``."""
    if q is None or not q.strip():
        raise invalid("q", "q must not be empty")
    if len(q) > MAX_QUERY_LENGTH:
        raise invalid("q", f"q must be at most {MAX_QUERY_LENGTH} characters")
    # Only channels the caller may see and read the history of (section 13).
    history = Permission.READ_MESSAGE_HISTORY
    if channel_id is not None:
        found = await require_channel_access(tx, channel_id, user_id, Permission.VIEW_CHANNEL)
        if history not in found.permissions:
            return []
        scope = Message.channel_id == channel_id
    else:
        # The caller's guilds minus the channels they may not read: the refused set
        # is short (usually empty), the allowed one may be thousands of ids.
        _, refused = await channel_verdicts(tx, user_id, need=history)
        scope = Message.guild_id.in_(select(Member.guild_id).where(Member.user_id == user_id))
        if refused:
            scope = scope & Message.channel_id.not_in(refused)
    terms = words(q)
    if not terms:
        return []  # only punctuation: nothing can match
    found = match(tx.rt.db.is_sqlite, terms)
    rows = await tx.session.execute(
        select(
            Message.id,
            Message.content,
            User.username,
            Channel.name,
            Message.created_at,
            Message.channel_id,
            Message.guild_id,
        )
        .select_from(found.source)
        .join(User, User.id == Message.author_id)
        .join(Channel, Channel.id == Message.channel_id)
        .where(found.condition, scope)
        .order_by(found.newest_first)
        .limit(max(1, min(limit, MAX_LIMIT)))
    )
    return [
        {
            "id": mid,
            "content": content,
            "username": username,
            "channel_name": channel_name,
            "timestamp": iso(created_at),
            "channel_id": cid,
            "guild_id": gid,
        }
        for mid, content, username, channel_name, created_at, cid, gid in rows.all()
    ]
