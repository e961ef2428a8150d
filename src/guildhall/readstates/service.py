"""Read states: acks, the per-channel unread and mention counts, and their event.

Design (docs/decisions/readstates.md):

* A ``read_states`` row (user, channel, last_read_id) exists once the user acked
  or sent in the channel. Before that, and for anything older, the membership's
  ``read_baseline_id`` stands in: the newest message id of the database when the
  member joined (a trigger fills it). Message ids only grow, so "read up to" a
  channel is ``max(last_read_id, read_baseline_id)`` — joining a busy guild shows
  nothing unread, and every message of a channel created later is newer.
* Counts are read, never kept: ``unread_count`` counts others' messages above the
  read position from the ``(channel_id, id)`` index, stopping at 1000;
  ``mention_count`` unions the user's ``message_mentions`` rows, the channel's
  ``@everyone`` messages (partial index) and its role-mention rows for the user's
  roles, above the same position. Edits and deletes (by anyone, retention, a
  cascade) are therefore always reflected, with nothing to keep in step.
* Channels with nothing new (``last_message_id``, kept by triggers, at or below
  the read position) cost no subquery at all, so the whole list is one statement
  whose work grows with what is unread, not with the history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, text

from guildhall.errors import invalid, missing
from guildhall.events import ServerEvent, user_room
from guildhall.messages import mentions
from guildhall.models import ReadState
from guildhall.permissions import resolver
from guildhall.permissions.bits import Permission
from guildhall.runtime import Tx

UNREAD_CAP = 1000
_MAX_ID = 2**63 - 1

# Per channel of the caller's guilds and DMs (recipients' baseline: when they were
# added, section 16): its read position ("upto"), then the counts
# above it, computed only where something is newer. ``reported`` is the contract's
# last_read_id: the ack when it is ahead of the join baseline, else the channel's
# newest message at or below the baseline (0 for a channel created after the join).
_ENTRIES = """
WITH access AS (
    SELECT c.id AS channel_id, c.guild_id AS guild_id, c.last_message_id AS last_message_id,
           m.read_baseline_id AS baseline
    FROM members m
    JOIN channels c ON c.guild_id = m.guild_id
    WHERE m.user_id = :me {channel_filter}
    UNION ALL
    SELECT c.id, c.guild_id, c.last_message_id, r.read_baseline_id
    FROM channel_recipients r
    JOIN channels c ON c.id = r.channel_id
    WHERE r.user_id = :me {channel_filter}
), base AS (
    SELECT a.channel_id, a.guild_id, a.last_message_id, rs.last_read_id AS acked, a.baseline,
           CASE WHEN COALESCE(rs.last_read_id, 0) > a.baseline
                THEN rs.last_read_id ELSE a.baseline END AS upto
    FROM access a
    LEFT JOIN read_states rs ON rs.user_id = :me AND rs.channel_id = a.channel_id
)
SELECT channel_id, guild_id, last_message_id,
    CASE
        WHEN acked IS NOT NULL AND acked >= baseline THEN acked
        WHEN last_message_id <= baseline THEN last_message_id
        ELSE COALESCE((SELECT max(x.id) FROM messages x
                       WHERE x.channel_id = base.channel_id AND x.id <= base.baseline), 0)
    END AS reported,
    CASE WHEN last_message_id > upto THEN
        (SELECT count(*) FROM (
            SELECT 1 AS one FROM messages u
            WHERE u.channel_id = base.channel_id AND u.id > base.upto AND u.author_id <> :me
            LIMIT {cap}) AS unread)
    ELSE 0 END AS unread_count,
    CASE WHEN last_message_id > upto THEN
        (SELECT count(*) FROM (
            SELECT mm.message_id AS mid FROM message_mentions mm
            WHERE mm.user_id = :me AND mm.channel_id = base.channel_id
              AND mm.message_id > base.upto
            UNION
            SELECT e.id AS mid FROM messages e
            WHERE e.channel_id = base.channel_id AND {everyone}
              AND e.id > base.upto AND e.author_id <> :me
            {role_branch}
        ) AS mentioned)
    ELSE 0 END AS mention_count
FROM base
ORDER BY COALESCE(guild_id, 0), channel_id
"""

_ROLE_BRANCH = """
            UNION
            SELECT r.message_id AS mid FROM message_role_mentions r
            WHERE r.channel_id = base.channel_id AND r.role_id IN :roles
              AND r.message_id > base.upto
"""


async def _entries(tx: Tx, user_id: int, channel_id: int | None = None) -> list[dict[str, Any]]:
    roles = await mentions.member_role_ids(tx, user_id)
    sql = _ENTRIES.format(
        channel_filter="AND c.id = :channel_id" if channel_id is not None else "",
        # Spelled as the partial index ix_messages_mention_everyone is (migration
        # 0008): SQLite uses a partial index only for a term that matches its WHERE.
        everyone=tx.dialect.is_true("e.mention_everyone"),
        cap=UNREAD_CAP,
        role_branch=_ROLE_BRANCH if roles else "",
    )
    stmt = text(sql)
    params: dict[str, Any] = {"me": user_id}
    if channel_id is not None:
        params["channel_id"] = channel_id
    if roles:
        stmt = stmt.bindparams(bindparam("roles", expanding=True))
        params["roles"] = sorted(roles)
    rows = (await tx.session.execute(stmt, params)).all()
    return [
        {
            "channel_id": cid,
            "guild_id": gid,
            "last_read_id": int(reported),
            "last_message_id": int(last),
            "unread_count": int(unread),
            "mention_count": int(mentioned),
        }
        for cid, gid, last, reported, unread, mentioned in rows
    ]


async def read_states(tx: Tx, user_id: int) -> list[dict[str, Any]]:
    """An entry for every channel the caller can see, by guild then channel (DMs,
    whose ``guild_id`` is null, first)."""
    visible = await resolver.visible_channel_ids(tx, user_id)
    return [e for e in await _entries(tx, user_id) if e["channel_id"] in visible]


def _message_id(raw: Any) -> int:
    if raw is None:
        raise missing("message_id")
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= _MAX_ID:
        raise invalid("message_id", "message_id must be a message id")
    return raw


async def _advance(tx: Tx, user_id: int, channel_id: int, message_id: int) -> None:
    """Move the row forward to ``message_id``; never back (the conflict's WHERE)."""
    stmt = tx.dialect.insert(ReadState).values(
        user_id=user_id, channel_id=channel_id, last_read_id=message_id
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[ReadState.user_id, ReadState.channel_id],
        set_={"last_read_id": stmt.excluded.last_read_id},
        where=ReadState.last_read_id < stmt.excluded.last_read_id,
    )
    await tx.session.execute(stmt)


async def ack(
    tx: Tx, user_id: int, channel_id: int, raw_message_id: Any, origin_sid: str | None = None
) -> dict[str, Any]:
    """Mark the channel read up to ``message_id`` (an id above the channel's newest
    message reads as the newest); emits ``read_state_updated`` to the caller's
    other sockets (all of them when the ack came over REST)."""
    message_id = _message_id(raw_message_id)
    channel, _ = await resolver.require_channel_permission(
        tx, channel_id, user_id, Permission.VIEW_CHANNEL
    )
    upto = min(message_id, channel.last_message_id)
    if upto > 0:
        await _advance(tx, user_id, channel.id, upto)
    (entry,) = await _entries(tx, user_id, channel.id)
    tx.emit(user_room(user_id), ServerEvent.READ_STATE_UPDATED, entry, skip_sid=origin_sid)
    return entry


def acked_by_send(
    tx: Tx,
    user_id: int,
    channel_id: int,
    guild_id: int | None,
    message_id: int,
    origin_sid: str | None = None,
) -> None:
    """Sending reads the channel up to the new message: the insert trigger of
    migration 0008 moves the row (no statement here); this announces it. The entry
    is built, not queried: the sender's own message is the newest, nothing is unread."""
    entry = {
        "channel_id": channel_id,
        "guild_id": guild_id,
        "last_read_id": message_id,
        "last_message_id": message_id,
        "unread_count": 0,
        "mention_count": 0,
    }
    tx.emit(user_room(user_id), ServerEvent.READ_STATE_UPDATED, entry, skip_sid=origin_sid)
