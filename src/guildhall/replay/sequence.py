"""Numbering a unit of work's channel events, inside its transaction.

Called by the unit of work just before it commits, for whatever events its
services recorded with ``tx.emit``: no producer asks for a number itself. Per
channel it takes ``channels.seq`` forward by the number of events (``UPDATE ...
RETURNING``: on PostgreSQL the row lock, held to the commit, orders concurrent
writers of one channel, so numbers follow commit order; SQLite has one writer)
and writes each event into the replay log in the same transaction. A rolled-back
unit takes its numbers back with it: ``seq`` stays gap-free.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, delete, insert, select, update

from guildhall.events import Event, ServerEvent, sequenced_channel
from guildhall.kit.time import utcnow
from guildhall.models import Channel, ChannelEvent
from guildhall.runtime import Tx

# Trim a channel's log by count once every this many of its events: the log
# holds at most ``replay_events`` + TRIM_EVERY rows; ``resume`` reads only the
# last ``replay_events`` of them.
TRIM_EVERY = 64


def message_of(name: str, data: Any) -> int | None:
    """The message a numbered event is about (every one is about a message)."""
    if not isinstance(data, dict):
        return None
    key = (
        "id"
        if name
        in (ServerEvent.NEW_MESSAGE, ServerEvent.MESSAGE_EDITED, ServerEvent.MESSAGE_DELETED)
        else "message_id"
    )
    value = data.get(key)
    return value if isinstance(value, int) else None


# Every send runs these: built once (building a statement and its cache key cost
# more than SQLite's running it), on the tables, past the ORM's bulk machinery.
_CHANNELS = cast(Table, Channel.__table__)
_EVENTS = cast(Table, ChannelEvent.__table__)
_CHANNEL_ID = select(_CHANNELS.c.id).where(_CHANNELS.c.id == bindparam("channel_id"))
_TAKE_SEQ = (
    update(_CHANNELS)
    .where(_CHANNELS.c.id == bindparam("channel_id"))
    .values(seq=_CHANNELS.c.seq + bindparam("count"))
    .returning(_CHANNELS.c.seq)
)
_LOG = insert(_EVENTS)
# And a channel at its retention cap, whose every send deletes its oldest message.
_FORGET = (
    update(_EVENTS)
    .where(
        _EVENTS.c.channel_id == bindparam("cid"),
        _EVENTS.c.seq > bindparam("since"),
        _EVENTS.c.message_id.in_(bindparam("ids", expanding=True)),
        _EVENTS.c.name != ServerEvent.MESSAGE_DELETED,
    )
    .values(data=None)
)
_TRIM = delete(_EVENTS).where(
    _EVENTS.c.channel_id == bindparam("cid"), _EVENTS.c.seq <= bindparam("upto")
)


async def lock_channel(tx: Tx, channel_id: int) -> None:
    """Take the channel's numbering lock now, before the change is written.

    For a send on PostgreSQL: message ids come from a sequence when the row is
    inserted, so two sends racing into one channel could take ids in one order
    and event numbers in the other. Locked first, ids and ``seq`` agree.
    """
    await tx.dialect.lock(tx.session, _CHANNEL_ID, {"channel_id": channel_id})


def _logical(events: list[Event]) -> dict[int, list[list[Event]]]:
    """Per channel, its events in recorded order; copies of one event (the same
    payload sent to several rooms, as a DM's to each recipient) form one entry."""
    by_channel: dict[int, list[list[Event]]] = defaultdict(list)
    for ev in events:
        cid = sequenced_channel(ev)
        if cid is None:
            continue
        entries = by_channel[cid]
        if entries and entries[-1][0].data is ev.data and entries[-1][0].name == ev.name:
            entries[-1].append(ev)
        else:
            entries.append([ev])
    return by_channel


async def assign(tx: Tx) -> None:
    """Number the unit's channel events and write them to the replay log."""
    by_channel = _logical(tx.events.items)
    if not by_channel:
        return
    dropped: set[int] = set()
    now = utcnow()
    keep = tx.settings.replay_events
    # Channels in id order: two units numbering the same channels lock them in the
    # same order, so they cannot deadlock each other on PostgreSQL.
    for cid in sorted(by_channel):
        entries = by_channel[cid]
        last = (await tx.rows(_TAKE_SEQ, {"channel_id": cid, "count": len(entries)})).scalar()
        if last is None:  # the channel was deleted: nobody can hear its events
            dropped.update(id(ev) for entry in entries for ev in entry)
            continue
        first = last - len(entries) + 1
        rows = []
        deleted: list[int] = []
        for seq, entry in enumerate(entries, start=first):
            head = entry[0]
            data = {**head.data, "seq": seq}
            for ev in entry:
                ev.data = data  # one payload per event, shared by its copies
            mid = message_of(head.name, data)
            if head.name == ServerEvent.MESSAGE_DELETED and mid is not None:
                deleted.append(mid)
            rows.append(
                {
                    "channel_id": cid,
                    "seq": seq,
                    "name": head.name,
                    "message_id": mid,
                    "data": orjson.dumps(data).decode(),
                    "created_at": now,
                }
            )
        await tx.rows(_LOG, rows)
        if deleted:
            # A deleted message's content leaves the log with it: its slots replay
            # as deletions. Only the rows ``resume`` may still read are looked at
            # (a primary-key range), not the channel's whole log; slots written just
            # now too.
            since = first - keep - TRIM_EVERY
            await tx.rows(_FORGET, {"cid": cid, "since": since, "ids": deleted})
        if last // TRIM_EVERY != (first - 1) // TRIM_EVERY and last > keep:
            await tx.rows(_TRIM, {"cid": cid, "upto": last - keep})
    if dropped:
        tx.events.items = [ev for ev in tx.events.items if id(ev) not in dropped]
