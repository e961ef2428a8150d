"""Who a user's sockets sit with, and who hears their presence.

Read by the realtime transport when a socket signs in (its rooms) and when a
user comes online or goes offline (the presence audience), so the transport
queries no table itself.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from guildhall.events import dm_room, guild_room, user_room
from guildhall.models import ChannelRecipient, Friendship, Member
from guildhall.runtime import Tx


async def _ids(tx: Tx, stmt: Select[int]) -> list[int]:
    return list((await tx.session.execute(stmt)).scalars().all())


async def socket_rooms(tx: Tx, user_id: int) -> list[str]:
    """The rooms a signed-in socket of ``user_id`` enters: the user's own, each
    guild's, and each DM's (a DM's events reach every recipient's sockets
    without joining, contract section 15)."""
    guild_ids = await _ids(tx, select(Member.guild_id).where(Member.user_id == user_id))
    dm_ids = await _ids(
        tx, select(ChannelRecipient.channel_id).where(ChannelRecipient.user_id == user_id)
    )
    return [user_room(user_id)] + [guild_room(g) for g in guild_ids] + [dm_room(c) for c in dm_ids]


async def presence_rooms(tx: Tx, user_id: int) -> list[str]:
    """The rooms that hear ``user_id`` come online or go offline: the user's guilds
    and each friend's own room."""
    guild_ids = await _ids(tx, select(Member.guild_id).where(Member.user_id == user_id))
    friend_ids = await _ids(tx, select(Friendship.friend_id).where(Friendship.user_id == user_id))
    return [guild_room(g) for g in guild_ids] + [user_room(f) for f in friend_ids]
