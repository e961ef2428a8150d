"""Authorization on guild objects, in one place.

A resource the caller cannot see because they are not a member answers 403
``NOT_CHANNEL_MEMBER``; an id that does not exist answers 404. Every router and
socket handler goes through these before touching a guild's data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, select

from guildhall.db import Tx
from guildhall.errors import AppError
from guildhall.models import Channel, Guild, Member, Message, User


def not_member() -> AppError:
    return AppError("NOT_CHANNEL_MEMBER", 403, "You are not a member of this guild")


def not_owner() -> AppError:
    return AppError("NOT_GUILD_OWNER", 403, "Only the guild owner can do this")


async def is_member(tx: Tx, guild_id: int, user_id: int) -> bool:
    found = await tx.session.get(Member, (guild_id, user_id))
    return found is not None


async def guild_for_member(tx: Tx, guild_id: int, user_id: int) -> Guild:
    """The guild, if it exists (404) and the user is a member (403)."""
    row = (
        await tx.session.execute(
            select(Guild, Member.user_id)
            .outerjoin(Member, (Member.guild_id == Guild.id) & (Member.user_id == user_id))
            .where(Guild.id == guild_id)
        )
    ).first()
    if row is None:
        raise AppError("GUILD_NOT_FOUND", 404, "Guild not found")
    guild, member = row
    if member is None:
        raise not_member()
    return guild


async def guild_for_owner(tx: Tx, guild_id: int, user_id: int) -> Guild:
    """The guild, if the user owns it. Non-members get 403 NOT_CHANNEL_MEMBER so
    that ownership checks do not reveal more than membership checks."""
    guild = await guild_for_member(tx, guild_id, user_id)
    if guild.owner_id != user_id:
        raise not_owner()
    return guild


async def channel_for_member(tx: Tx, channel_id: int, user_id: int) -> tuple[Channel, Guild]:
    """The channel and its guild, if it exists (404) and the user is a member (403)."""
    channel, guild, *_ = await _channel_row(tx, channel_id, user_id)
    return channel, guild


async def channel_for_author(
    tx: Tx, channel_id: int, user_id: int
) -> tuple[Channel, Guild, str, str | None, str | None]:
    """As ``channel_for_member``, with the user's username, avatar and display name
    in the same query: what a message being sent needs to be shown (one round
    trip, not two)."""
    channel, guild, _, username, avatar, display_name = await _channel_row(
        tx, channel_id, user_id, with_author=True
    )
    return channel, guild, username, avatar, display_name


# Built once: on the hottest paths (every send, every history page) building the
# statement and its cache key cost more than running it on SQLite.
_CHANNEL_ROW = (
    select(Channel, Guild, Member.user_id)
    .join(Guild, Guild.id == Channel.guild_id)
    .outerjoin(Member, (Member.guild_id == Guild.id) & (Member.user_id == bindparam("user_id")))
    .where(Channel.id == bindparam("channel_id"))
)
# The member's own username, avatar and display name; none when not a member
# (a 403 anyway).
_CHANNEL_ROW_WITH_AUTHOR = _CHANNEL_ROW.outerjoin(User, User.id == Member.user_id).add_columns(
    User.username, User.avatar, User.display_name
)


async def _channel_row(
    tx: Tx, channel_id: int, user_id: int, with_author: bool = False
) -> Row[Any]:
    stmt = _CHANNEL_ROW_WITH_AUTHOR if with_author else _CHANNEL_ROW
    params = {"channel_id": channel_id, "user_id": user_id}
    row = (await tx.session.execute(stmt, params)).first()
    if row is None:
        raise AppError("CHANNEL_NOT_FOUND", 404, "Channel not found")
    if row[2] is None:
        raise not_member()
    return row


async def message_for_member(
    tx: Tx, message_id: int, user_id: int
) -> tuple[Message, Channel, Guild]:
    """The message, its channel and guild, if it exists (404) and the user is a member."""
    row = (
        await tx.session.execute(
            select(Message, Channel, Guild, Member.user_id)
            .join(Channel, Channel.id == Message.channel_id)
            .join(Guild, Guild.id == Message.guild_id)
            .outerjoin(Member, (Member.guild_id == Guild.id) & (Member.user_id == user_id))
            .where(Message.id == message_id)
        )
    ).first()
    if row is None:
        raise AppError("MESSAGE_NOT_FOUND", 404, "Message not found")
    message, channel, guild, member = row
    if member is None:
        raise not_member()
    return message, channel, guild


async def channel_for_owner(tx: Tx, channel_id: int, user_id: int) -> tuple[Channel, Guild]:
    """The channel and its guild, if the user owns the guild (404, then 403 as above)."""
    channel, guild = await channel_for_member(tx, channel_id, user_id)
    if guild.owner_id != user_id:
        raise not_owner()
    return channel, guild


async def lock_guild(tx: Tx, guild_id: int) -> None:
    """Serialise read-then-write changes of one guild (channel count and positions).

    PostgreSQL: a row lock on the guild until commit. SQLite: a no-op, writers are
    already serialised."""
    if not tx.rt.db.is_sqlite:
        await tx.session.execute(select(Guild.id).where(Guild.id == guild_id).with_for_update())
