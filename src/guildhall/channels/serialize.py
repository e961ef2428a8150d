"""The one channel shape (contract section 5): REST answers and channel events.

``channel_out`` / ``channels_out`` read the permission overwrites with it (one
statement for any number of channels); ``channel_view`` shapes a channel whose
overwrites the caller already has.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from guildhall.kit.time import iso
from guildhall.models import Channel
from guildhall.permissions.resolver import channel_overwrites
from guildhall.runtime import Tx

Overwrites = list[tuple[str, int, int, int]]


def overwrites_view(overwrites: Overwrites) -> list[dict[str, Any]]:
    """``[{id, type, allow, deny}]``, permissions as decimal strings, in a stable order."""
    return [
        {"id": tid, "type": kind, "allow": str(allow), "deny": str(deny)}
        for kind, tid, allow, deny in sorted(overwrites, key=lambda o: (o[0], o[1]))
    ]


async def channel_out(tx: Tx, channel: Channel) -> dict[str, Any]:
    """One channel with its overwrites (one statement)."""
    return channel_view(channel, (await channel_overwrites(tx, [channel.id])).get(channel.id, []))


async def channels_out(tx: Tx, channel_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Several channels with their overwrites, by id (two statements)."""
    ids = sorted(set(channel_ids))
    if not ids:
        return {}
    rows = (await tx.session.execute(select(Channel).where(Channel.id.in_(ids)))).scalars()
    ows = await channel_overwrites(tx, ids)
    return {c.id: channel_view(c, ows.get(c.id, [])) for c in rows}


def channel_view(channel: Channel, overwrites: Overwrites | None = None) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "type": channel.type,
        "guild_id": channel.guild_id,
        "position": channel.position,
        "category_id": channel.category_id,
        "read_only": channel.read_only,
        "created_at": iso(channel.created_at),
        "permission_overwrites": overwrites_view(overwrites or []),
    }
