"""Who a user's sockets sit with, and who hears their presence.

Read by the realtime transport when a socket signs in (its rooms) and when a
user comes online or goes offline (the presence audience), so the transport
queries no table itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, literal, select, union_all

from guildhall.events import dm_room, guild_room, user_room
from guildhall.models import ChannelRecipient, Friendship, Member
from guildhall.runtime import Tx

_USER: Any = bindparam("user_id")


def _kind(kind: str, column: Any, owner: Any) -> Select[tuple[str, int]]:
    """``(kind, id)`` for each ``column`` value in rows whose ``owner`` is ``:user_id``."""
    return select(literal(kind).label("kind"), column).where(owner == _USER)


# Built once, one round trip each: every socket's sign-in reads its rooms.
_SOCKET_ROOMS = union_all(
    _kind("g", Member.guild_id, Member.user_id),
    _kind("d", ChannelRecipient.channel_id, ChannelRecipient.user_id),
)
_PRESENCE_ROOMS = union_all(
    _kind("g", Member.guild_id, Member.user_id),
    _kind("u", Friendship.friend_id, Friendship.user_id),
)
_ROOM = {"g": guild_room, "d": dm_room, "u": user_room}


async def _rooms(tx: Tx, stmt: Any, user_id: int) -> list[str]:
    rows = (await tx.rows(stmt, {"user_id": user_id})).all()
    return [_ROOM[kind](id_) for kind, id_ in rows]


async def socket_rooms(tx: Tx, user_id: int) -> list[str]:
    """The rooms a signed-in socket of ``user_id`` enters: the user's own, each
    guild's, and each DM's (a DM's events reach every recipient's sockets
    without joining, contract section 15)."""
    return [user_room(user_id), *await _rooms(tx, _SOCKET_ROOMS, user_id)]


async def presence_rooms(tx: Tx, user_id: int) -> list[str]:
    """The rooms that hear ``user_id`` come online or go offline: the user's guilds
    and each friend's own room."""
    return await _rooms(tx, _PRESENCE_ROOMS, user_id)
