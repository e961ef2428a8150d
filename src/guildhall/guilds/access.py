"""Authorization on guild objects, in one place.

A resource the caller cannot see because they are not a member answers 403
``NOT_CHANNEL_MEMBER``; an id that does not exist answers 404. Every router and
socket handler goes through these before touching a guild's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, select

from guildhall.codes import ErrorCode
from guildhall.errors import AppError
from guildhall.kit.detached import column_keys, columns, copy_row
from guildhall.models import Channel, ChannelRecipient, Guild, Member, Message, User
from guildhall.permissions.bits import Permission
from guildhall.permissions.compute import (
    DM_PERMISSIONS,
    channel_level,
    overwrites_column,
    parse_overwrites,
    parse_roles,
    roles_column,
)
from guildhall.runtime import Tx


def not_member() -> AppError:
    return AppError(ErrorCode.NOT_CHANNEL_MEMBER, 403, "You are not a member of this guild")


def not_recipient() -> AppError:
    return AppError(ErrorCode.NOT_CHANNEL_MEMBER, 403, "You are not a recipient of this channel")


def not_owner() -> AppError:
    return AppError(ErrorCode.NOT_GUILD_OWNER, 403, "Only the guild owner can do this")


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
        raise AppError(ErrorCode.GUILD_NOT_FOUND, 404, "Guild not found")
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


@dataclass(slots=True)
class ChannelAccess:
    """A channel as one member meets it: the rows, and the member's permissions
    there, all read by one statement (the permission inputs are sub-selects).
    A DM channel (section 15) has no guild: ``guild`` is None and the permissions
    are ``DM_PERMISSIONS`` for a recipient."""

    channel: Channel
    guild: Guild | None
    user_id: int
    permissions: Permission
    timed_out_until: datetime | None
    username: str | None = None
    avatar: str | None = None
    display_name: str | None = None
    message: Message | None = None


def _access(row: Sequence[Any], user_id: int, offset: int) -> ChannelAccess:
    """Build from a row laid out as (…, Channel, Guild, member id, timeout, roles,
    overwrites, recipient id, …) starting at ``offset``."""
    channel, guild, member, until, roles_raw, ows_raw, recipient = row[offset : offset + 7]
    if channel.guild_id is None:
        if recipient is None:
            raise not_recipient()
        return ChannelAccess(channel, None, user_id, DM_PERMISSIONS, None)
    if member is None:
        raise not_member()
    roles = parse_roles(roles_raw)
    perms = channel_level(guild.owner_id == user_id, roles, user_id, parse_overwrites(ows_raw))
    return ChannelAccess(channel, guild, user_id, perms, until)


def _with_permission_inputs(stmt: Any, channel_id: Any, guild_id: Any) -> Any:
    """The member's timeout, roles and overwrites, then whether the user is a
    recipient (a DM channel): the primary key of ``channel_recipients``."""
    user: BindParameter[int] = bindparam("user_id")
    return stmt.add_columns(
        Member.communication_disabled_until,
        roles_column(guild_id, user),
        overwrites_column(channel_id, guild_id, user),
        ChannelRecipient.user_id,
    ).outerjoin(
        ChannelRecipient,
        (ChannelRecipient.channel_id == channel_id) & (ChannelRecipient.user_id == user),
    )


# Built once: on the hottest paths (every send, every history page) building the
# statement and its cache key cost more than running it on SQLite. The member's
# permission inputs ride along, so authorizing a send costs no extra round trip.
_CHANNEL_ROW = _with_permission_inputs(
    select(Channel, Guild, Member.user_id)
    .outerjoin(Guild, Guild.id == Channel.guild_id)
    .outerjoin(Member, (Member.guild_id == Guild.id) & (Member.user_id == bindparam("user_id")))
    .where(Channel.id == bindparam("channel_id")),
    Channel.id,
    Channel.guild_id,
)
# The caller's own username, avatar and display name (a non-member is a 403 anyway).
_CHANNEL_ROW_WITH_AUTHOR = _CHANNEL_ROW.outerjoin(
    User, User.id == bindparam("user_id")
).add_columns(User.username, User.avatar, User.display_name)

# The same rows as plain columns, for ``detached`` copies (Tx.rows; on SQLite past
# SQLAlchemy's execution, sqlite_direct): the channel's, the guild's, then the rest.
_CHANNEL_KEYS = column_keys(Channel)
_GUILD_KEYS = column_keys(Guild)
_ENTITY_COLUMNS = [*columns(Channel), *columns(Guild)]
# (An entity's columns are selected one by one already: the rest follow them.)
_CHANNEL_COLUMNS = {
    stmt: stmt.with_only_columns(
        *_ENTITY_COLUMNS, *list(stmt.selected_columns)[len(_ENTITY_COLUMNS) :]
    )
    for stmt in (_CHANNEL_ROW, _CHANNEL_ROW_WITH_AUTHOR)
}


def _entities(row: Any) -> tuple[Any, ...]:
    """A plain-columns row as the entity row's layout: (Channel, Guild or None, …)."""
    n, m = len(_CHANNEL_KEYS), len(_GUILD_KEYS)
    channel = copy_row(Channel, _CHANNEL_KEYS, row[:n])
    guild_values = tuple(row[n : n + m])
    guild = None if guild_values[0] is None else copy_row(Guild, _GUILD_KEYS, guild_values)
    return (channel, guild, *row[n + m :])


async def channel_access(
    tx: Tx, channel_id: int, user_id: int, with_author: bool = False, detached: bool = False
) -> ChannelAccess:
    """The channel, its guild and the member's permissions there (404, then 403
    NOT_CHANNEL_MEMBER for a non-member); with the member's names and avatar if asked.

    ``detached``: the channel and guild as read-only copies the session does not
    track, built from plain columns (the hot reads: a send, a socket's join and
    first page), where loading them as ORM objects cost more than the lookup.
    Not for a caller that changes them: a change to a copy is stored nowhere."""
    stmt = _CHANNEL_ROW_WITH_AUTHOR if with_author else _CHANNEL_ROW
    params = {"channel_id": channel_id, "user_id": user_id}
    if detached:
        plain = (await tx.rows(_CHANNEL_COLUMNS[stmt], params)).first()
        row = None if plain is None else _entities(plain)
    else:
        row = (await tx.session.execute(stmt, params)).first()
    if row is None:
        raise AppError(ErrorCode.CHANNEL_NOT_FOUND, 404, "Channel not found")
    found = _access(row, user_id, 0)
    if with_author:
        found.username, found.avatar, found.display_name = row[7], row[8], row[9]
    return found


_MESSAGE_ROW = _with_permission_inputs(
    select(Message, Channel, Guild, Member.user_id)
    .join(Channel, Channel.id == Message.channel_id)
    .outerjoin(Guild, Guild.id == Message.guild_id)
    .outerjoin(Member, (Member.guild_id == Guild.id) & (Member.user_id == bindparam("user_id")))
    .where(Message.id == bindparam("message_id")),
    Channel.id,
    Channel.guild_id,
)


async def message_access(tx: Tx, message_id: int, user_id: int) -> ChannelAccess:
    """The message (``.message``), its channel, guild and the member's permissions
    there: 404 MESSAGE_NOT_FOUND, then 403 NOT_CHANNEL_MEMBER."""
    params = {"message_id": message_id, "user_id": user_id}
    row = (await tx.session.execute(_MESSAGE_ROW, params)).first()
    if row is None:
        raise AppError(ErrorCode.MESSAGE_NOT_FOUND, 404, "Message not found")
    found = _access(row, user_id, 1)
    found.message = row[0]
    return found


async def message_for_member(
    tx: Tx, message_id: int, user_id: int
) -> tuple[Message, Channel, Guild | None]:
    """The message, its channel and guild, if it exists (404) and the user is a member."""
    found = await message_access(tx, message_id, user_id)
    assert found.message is not None
    return found.message, found.channel, found.guild


async def lock_guild(tx: Tx, guild_id: int) -> None:
    """Serialise read-then-write changes of one guild (channel count and positions).

    PostgreSQL: a row lock on the guild until commit. SQLite: a no-op, writers are
    already serialised."""
    await tx.dialect.lock(tx.session, select(Guild.id).where(Guild.id == guild_id))
