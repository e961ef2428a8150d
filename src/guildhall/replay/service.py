"""Reading the replay log: what ``resume`` sends (contract section 18), the gap
filler's events, and the age trim."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import delete, select

from guildhall.events import Event, ServerEvent, channel_room
from guildhall.guilds.access import ChannelAccess
from guildhall.kit.sql import affected
from guildhall.kit.time import utcnow
from guildhall.models import Channel, ChannelEvent, Message
from guildhall.permissions.bits import Permission
from guildhall.runtime import Tx

if TYPE_CHECKING:
    from guildhall.runtime import Runtime

log = logging.getLogger("guildhall.replay")

RESUMED = ServerEvent.RESUMED
RESYNC_REQUIRED = ServerEvent.RESYNC_REQUIRED


@dataclass(slots=True)
class Replay:
    """What ``resume`` answers for one room: ``events`` (``(seq, name, data)``, in
    order) then ``status`` with the channel's ``seq`` as of this read."""

    status: str
    seq: int
    events: list[tuple[int, str, Any]] = field(default_factory=list)


def _deleted(room: str, row: ChannelEvent) -> dict[str, Any]:
    return {"id": row.message_id, "room": room, "channel_id": row.channel_id, "seq": row.seq}


async def replay(tx: Tx, found: ChannelAccess, room: str, after: int) -> Replay:
    """The events of ``found``'s channel after ``after`` as the member may see them now.

    ``resync_required`` when the member may not read history, or when seq
    ``after + 1`` is no longer in the log (past ``replay_events``, past
    ``replay_hours``, or ``after`` is not a number this channel has given out).
    A slot whose message is gone (scrubbed at its deletion, or gone by a cascade)
    is replayed as ``message_deleted``, never with its content.
    """
    channel = found.channel
    current = channel.seq
    if Permission.READ_MESSAGE_HISTORY not in found.permissions or after > current:
        return Replay(RESYNC_REQUIRED, current)
    if after == current:
        return Replay(RESUMED, current)
    settings = tx.settings
    if after < current - settings.replay_events:
        return Replay(RESYNC_REQUIRED, current)
    # Rows up to ``current`` only: they committed with the number they carry.
    rows = list(
        (
            await tx.session.execute(
                select(ChannelEvent)
                .where(
                    ChannelEvent.channel_id == channel.id,
                    ChannelEvent.seq > after,
                    ChannelEvent.seq <= current,
                )
                .order_by(ChannelEvent.seq)
            )
        )
        .scalars()
        .all()
    )
    oldest = utcnow() - timedelta(hours=settings.replay_hours)
    if len(rows) != current - after or rows[0].created_at < oldest:
        return Replay(RESYNC_REQUIRED, current)
    return Replay(RESUMED, current, await _as_seen_now(tx, room, rows))


async def _as_seen_now(tx: Tx, room: str, rows: list[ChannelEvent]) -> list[tuple[int, str, Any]]:
    about = {
        r.message_id
        for r in rows
        if r.message_id is not None and r.data is not None and r.name != ServerEvent.MESSAGE_DELETED
    }
    alive = (
        set((await tx.session.execute(select(Message.id).where(Message.id.in_(about)))).scalars())
        if about
        else set()
    )
    out: list[tuple[int, str, Any]] = []
    for r in rows:
        if r.name != ServerEvent.MESSAGE_DELETED and (r.data is None or r.message_id not in alive):
            out.append((r.seq, ServerEvent.MESSAGE_DELETED, _deleted(room, r)))
        else:
            out.append((r.seq, r.name, orjson.loads(r.data or "{}")))
    return out


async def logged_events(rt: Runtime, channel_id: int, first: int, end: int) -> list[Event]:
    """Seq ``first`` to ``end - 1`` of a channel as broadcast events (the delivery
    gap filler: a publish that never reached this node)."""
    async with rt.transaction(write=False) as tx:
        guild_id = await tx.session.scalar(select(Channel.guild_id).where(Channel.id == channel_id))
        rows = (
            (
                await tx.session.execute(
                    select(ChannelEvent)
                    .where(
                        ChannelEvent.channel_id == channel_id,
                        ChannelEvent.seq >= first,
                        ChannelEvent.seq < end,
                    )
                    .order_by(ChannelEvent.seq)
                )
            )
            .scalars()
            .all()
        )
    if guild_id is None:
        return []
    room = channel_room(guild_id, channel_id)
    events = []
    for r in rows:
        if r.data is None:
            events.append(Event(room, ServerEvent.MESSAGE_DELETED, _deleted(room, r)))
        else:
            events.append(Event(room, r.name, orjson.loads(r.data)))
    return events


async def trim_expired(rt: Runtime) -> int:
    """Delete log rows older than ``replay_hours`` (from the created_at index)."""
    cutoff = utcnow() - timedelta(hours=rt.settings.replay_hours)
    async with rt.transaction() as tx:
        result = await affected(
            tx.session,
            delete(ChannelEvent)
            .where(ChannelEvent.created_at < cutoff)
            .execution_options(synchronize_session=False),
        )
    return int(result or 0)


async def trim_forever(rt: Runtime) -> None:
    """The periodic age trim (started by ``app.start``; safe on every node)."""
    while True:
        await asyncio.sleep(rt.settings.replay_sweep_seconds * (0.9 + random.random() * 0.2))
        try:
            deleted = await trim_expired(rt)
        except Exception as exc:  # the next round tries again
            log.warning("replay log trim failed: %s: %.200s", type(exc).__name__, exc)
        else:
            if deleted:
                log.debug("trimmed %d expired replay log rows", deleted)
