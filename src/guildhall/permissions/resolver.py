"""The one place that answers "may this member do this here?" (contract section 13).

STAND-IN: until roles land, the owner has every permission and every other
member has @everyone's defaults. The signatures below are the interface every
service uses; the roles change replaces the bodies, not the callers.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from guildhall.db import Tx
from guildhall.errors import AppError
from guildhall.guilds.access import channel_for_member, guild_for_member
from guildhall.models import Channel, Guild, Member
from guildhall.permissions.bits import ALL, EVERYONE_DEFAULT, Permission, name_of

# Above every role's position: the owner outranks everyone.
OWNER_POSITION = 1 << 62


def insufficient(perm: Permission, *, hierarchy: bool = False) -> AppError:
    """403 INSUFFICIENT_PERMISSIONS naming the permission (and the hierarchy when it refused)."""
    details: dict[str, str] = {"permission": name_of(perm)}
    if hierarchy:
        details["reason"] = "hierarchy"
    return AppError("INSUFFICIENT_PERMISSIONS", 403, "Missing permission " + name_of(perm), details)


async def guild_permissions(tx: Tx, guild: Guild, user_id: int) -> Permission:
    """The member's guild-wide permissions (no channel overwrites)."""
    return ALL if guild.owner_id == user_id else EVERYONE_DEFAULT


async def channel_permissions(tx: Tx, channel: Channel, guild: Guild, user_id: int) -> Permission:
    """The member's permissions in one channel."""
    return await guild_permissions(tx, guild, user_id)


async def require_guild_permission(tx: Tx, guild_id: int, user_id: int, perm: Permission) -> Guild:
    """The guild (404 GUILD_NOT_FOUND; 403 NOT_CHANNEL_MEMBER for a non-member), if
    the member holds ``perm`` (else 403 INSUFFICIENT_PERMISSIONS)."""
    guild = await guild_for_member(tx, guild_id, user_id)
    if perm not in await guild_permissions(tx, guild, user_id):
        raise insufficient(perm)
    return guild


async def require_channel_permission(
    tx: Tx, channel_id: int, user_id: int, perm: Permission
) -> tuple[Channel, Guild]:
    """The channel and its guild (404 / 403 NOT_CHANNEL_MEMBER), if the member holds
    ``perm`` there (VIEW_CHANNEL is always required too)."""
    channel, guild = await channel_for_member(tx, channel_id, user_id)
    have = await channel_permissions(tx, channel, guild, user_id)
    for needed in (Permission.VIEW_CHANNEL, perm):
        if needed not in have:
            raise insufficient(needed)
    return channel, guild


async def visible_channel_ids(tx: Tx, user_id: int, guild_id: int | None = None) -> set[int]:
    """Ids of the guild channels the user may see (VIEW_CHANNEL), in one guild or all."""
    stmt = select(Channel.id).join(
        Member, (Member.guild_id == Channel.guild_id) & (Member.user_id == user_id)
    )
    if guild_id is not None:
        stmt = stmt.where(Channel.guild_id == guild_id)
    return set((await tx.session.scalars(stmt)).all())


async def users_who_can_view(
    tx: Tx, channel: Channel, guild: Guild, user_ids: Iterable[int]
) -> set[int]:
    """Those of ``user_ids`` who are members and may see ``channel``."""
    ids = set(user_ids)
    if not ids:
        return set()
    rows = await tx.session.scalars(
        select(Member.user_id).where(Member.guild_id == guild.id, Member.user_id.in_(ids))
    )
    return set(rows.all())


async def top_role_position(tx: Tx, guild: Guild, user_id: int) -> int:
    """The position of the member's highest role (the owner above all)."""
    return OWNER_POSITION if guild.owner_id == user_id else 0
