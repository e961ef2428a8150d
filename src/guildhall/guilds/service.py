"""Guilds and their members: create, list, show, delete, members, leave.

Membership changes keep live sockets in step: the realtime layer gets
``JOIN_ROOMS`` / ``LEAVE_ROOMS`` control events for the user's (or the guild's)
sockets, after the ``member_*`` / ``guild_deleted`` events those sockets should
still hear.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from guildhall.audit import service as audit
from guildhall.channels.service import purge_message_files
from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid
from guildhall.events import JOIN_ROOMS, LEAVE_ROOMS, ServerEvent, guild_room, user_room
from guildhall.files import storage
from guildhall.files.service import forget, square_copy
from guildhall.guilds.access import guild_for_member, guild_for_owner
from guildhall.guilds.serialize import MEMBER_COLUMNS, guild_view, member_roles, member_view
from guildhall.kit.sql import affected
from guildhall.kit.validation import clean_text
from guildhall.models import (
    EVERYONE_POSITION,
    Channel,
    Emoji,
    Guild,
    Member,
    Role,
    Sticker,
    User,
)
from guildhall.permissions.bits import EVERYONE_DEFAULT, Permission
from guildhall.permissions.resolver import require_guild_permission
from guildhall.runtime import Runtime, Tx
from guildhall.users.service import lock_users, statuses, user_fields

MAX_NAME = 100
MAX_DESCRIPTION = 300


def everyone_role(guild_id: int) -> Role:
    """A new guild's @everyone: a role row of its own, found by position 0 (see
    models/role.py), with the defaults of a member of sections 5-9."""
    return Role(
        guild_id=guild_id,
        name="@everyone",
        permissions=int(EVERYONE_DEFAULT),
        position=EVERYONE_POSITION,
        color=0,
        hoist=False,
        mentionable=False,
    )


async def check_guild_limit(tx: Tx, user_id: int) -> None:
    """400 ``LIMIT_REACHED`` when the user is already in ``max_guilds_per_user``
    guilds. Call it with the user's row locked (``lock_users``) so racing joins
    and creates of one user cannot overshoot."""
    count = (
        await tx.session.execute(
            select(func.count()).select_from(Member).where(Member.user_id == user_id)
        )
    ).scalar_one()
    limit = tx.settings.max_guilds_per_user
    if count >= limit:
        raise AppError(ErrorCode.LIMIT_REACHED, 400, f"You can be in at most {limit} guilds")


async def add_member(tx: Tx, guild_id: int, user_id: int) -> None:
    """Make the user a member and tell the guild; the user's sockets join its room."""
    tx.session.add(Member(guild_id=guild_id, user_id=user_id))
    await tx.session.flush()
    user = await tx.session.get(User, user_id)
    assert user is not None
    tx.emit(
        guild_room(guild_id),
        ServerEvent.MEMBER_JOINED,
        {"guild_id": guild_id, "user": user_fields(user)},
    )
    tx.emit(user_room(user_id), JOIN_ROOMS, {"rooms": [guild_room(guild_id)]})


async def create(tx: Tx, user_id: int, name: str) -> dict[str, Any]:
    """A new guild owned by the caller, who becomes its first member."""
    name = clean_text(name, "name", 1, MAX_NAME)
    await lock_users(tx, [user_id])
    await check_guild_limit(tx, user_id)
    guild = Guild(name=name, owner_id=user_id)
    tx.session.add(guild)
    await tx.session.flush()
    tx.session.add(Member(guild_id=guild.id, user_id=user_id))
    tx.session.add(everyone_role(guild.id))
    await tx.session.flush()
    tx.emit(user_room(user_id), JOIN_ROOMS, {"rooms": [guild_room(guild.id)]})
    return guild_view(guild)


async def list_mine(tx: Tx, user_id: int) -> list[dict[str, Any]]:
    """The caller's guilds, by id."""
    guilds = (
        await tx.session.execute(
            select(Guild)
            .join(Member, Member.guild_id == Guild.id)
            .where(Member.user_id == user_id)
            .order_by(Guild.id)
        )
    ).scalars()
    return [guild_view(g) for g in guilds]


async def get(tx: Tx, user_id: int, guild_id: int) -> dict[str, Any]:
    return guild_view(await guild_for_member(tx, guild_id, user_id))


async def delete_guild(tx: Tx, user_id: int, guild_id: int) -> None:
    """Delete a guild (owner only) with everything in it, files included.

    Rows go by foreign-key cascades; files are collected first (emoji and sticker
    images, message attachments' uploads) and deleted after commit."""
    await guild_for_owner(tx, guild_id, user_id)
    channel_ids = list(
        (await tx.session.execute(select(Channel.id).where(Channel.guild_id == guild_id))).scalars()
    )
    paths = await purge_message_files(tx, channel_ids)
    for model in (Emoji, Sticker):
        paths += (
            await tx.session.execute(select(model.file_path).where(model.guild_id == guild_id))
        ).scalars()
    icon = await tx.session.scalar(select(Guild.icon).where(Guild.id == guild_id))
    if icon is not None:
        paths.append(icon.removeprefix("/"))
    await tx.session.execute(delete(Guild).where(Guild.id == guild_id))
    if paths:
        tx.on_commit(lambda: storage.delete_paths(tx.rt, paths))
    room = guild_room(guild_id)
    tx.emit(room, ServerEvent.GUILD_DELETED, {"id": guild_id})
    tx.emit(room, LEAVE_ROOMS, {"rooms": [room], "prefixes": [f"g:{guild_id}:"]})


async def members(tx: Tx, user_id: int, guild_id: int) -> list[dict[str, Any]]:
    """Members with presence (one presence round trip) and roles (one statement),
    in the order they joined."""
    await guild_for_member(tx, guild_id, user_id)
    rows = (
        await tx.session.execute(
            select(*MEMBER_COLUMNS)
            .join(Member, Member.user_id == User.id)
            .where(Member.guild_id == guild_id)
            .order_by(Member.joined_at, User.id)
        )
    ).all()
    status = await statuses(tx.rt, [r.id for r in rows])
    roles = await member_roles(tx, guild_id)
    return [member_view(r, roles.get(r.id, []), status[r.id]) for r in rows]


async def leave(tx: Tx, user_id: int, guild_id: int) -> None:
    """Leave a guild; the owner cannot (they delete it instead)."""
    guild = await guild_for_member(tx, guild_id, user_id)
    if guild.owner_id == user_id:
        raise AppError(
            ErrorCode.INVALID_INPUT, 400, "The owner cannot leave the guild; delete it instead", {}
        )
    await remove_member(tx, guild_id, user_id)


async def remove_member(tx: Tx, guild_id: int, user_id: int, *, removed: bool = False) -> bool:
    """End a membership (leave, kick, ban); False when there was none.

    The guild hears ``member_left``; a member ``removed`` by a moderator also gets
    ``guild_removed`` on their own sockets. Then every node takes the user's
    sockets out of the guild's room and its channels' rooms (``LEAVE_ROOMS``),
    after the events those sockets should still hear."""
    result = await affected(
        tx.session, delete(Member).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    if not result:
        return False
    user = await tx.session.get(User, user_id)
    assert user is not None
    room = guild_room(guild_id)
    tx.emit(
        room,
        ServerEvent.MEMBER_LEFT,
        {
            "guild_id": guild_id,
            "user_id": user.id,
            "username": user.username,
            "user": user_fields(user),
        },
    )
    if removed:
        tx.emit(user_room(user_id), ServerEvent.GUILD_REMOVED, {"guild_id": guild_id})
    tx.emit(
        user_room(user_id),
        LEAVE_ROOMS,
        {"rooms": [room], "prefixes": [f"g:{guild_id}:c:"]},
    )
    return True


async def update(
    rt: Runtime, user_id: int, guild_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """``PUT /api/guilds/{id}``: name, icon and/or description (``MANAGE_GUILD``).

    The permission is checked before an icon's image is touched (nobody makes
    the server decode images for a guild they may not change) and again in the
    unit of work that applies the change. The icon is a square copy, made and
    stored outside any transaction, like an avatar (``users.service.update_me``)."""
    if "name" in changes:
        if changes["name"] is None:
            raise invalid("name", "name cannot be removed")
        changes["name"] = clean_text(changes["name"], "name", 1, MAX_NAME)
    if changes.get("description") is not None:
        # Several lines are fine (newlines and tabs pass); empty means none.
        text = clean_text(changes["description"], "description", 0, MAX_DESCRIPTION)
        changes["description"] = text or None
    new_icon: str | None = None
    if changes.get("icon") is not None:
        async with rt.transaction(write=False) as tx:
            await require_guild_permission(tx, guild_id, user_id, Permission.MANAGE_GUILD)
        new_icon = await square_copy(rt, user_id, changes["icon"], "icon", "icons", guild_id)
        changes["icon"] = new_icon
    try:
        async with rt.transaction() as tx:
            guild = await require_guild_permission(tx, guild_id, user_id, Permission.MANAGE_GUILD)
            # Two editors: the old icon is deleted exactly once.
            await tx.dialect.lock_loaded(tx.session, guild)
            old_icon = guild.icon
            before = guild_view(guild)
            for key in ("name", "icon", "description"):
                if key in changes:
                    setattr(guild, key, changes[key])
            await tx.session.flush()
            view = guild_view(guild)
            if old_icon is not None and old_icon != guild.icon:
                tx.on_commit(lambda: storage.delete_paths(tx.rt, [old_icon.removeprefix("/")]))
            if diff := audit.changes_between(before, view, ("name", "icon", "description")):
                await audit.record(tx, guild_id, user_id, "guild_update", guild_id, diff)
                tx.emit(guild_room(guild_id), ServerEvent.GUILD_UPDATED, view)
    except BaseException:
        if new_icon is not None:
            await forget(rt, new_icon.removeprefix("/"))
        raise
    return view
