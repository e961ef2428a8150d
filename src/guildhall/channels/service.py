"""Channels of a guild: create, list, update, delete (MANAGE_CHANNELS but for
listing, which shows only the channels the caller may see).

Every change is pushed to the guild's room as ``channel_created`` /
``channel_updated`` / ``channel_deleted`` with the channel object, skipping the
members who may not see that channel (``emit_to_viewers``): a hidden channel's
existence, name and overwrites reach only those who can see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select

from guildhall.audit import service as audit
from guildhall.channels.schemas import CHANNEL_TYPES, ChannelUpdate
from guildhall.channels.serialize import Overwrites, channel_out, channel_view
from guildhall.codes import ErrorCode
from guildhall.dms import service as dms
from guildhall.errors import AppError, invalid
from guildhall.events import LEAVE_ROOMS, ServerEvent, channel_room, guild_room, user_room
from guildhall.files import service as files_service
from guildhall.files import storage
from guildhall.guilds.access import channel_access, guild_for_member, lock_guild
from guildhall.kit.validation import clean_text
from guildhall.models import Channel, ChannelOverwrite
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import (
    channel_overwrites,
    check,
    guild_of,
    hidden_from,
    require_channel_access,
    require_guild_permission,
    visible_channel_ids,
)
from guildhall.runtime import Tx

MAX_NAME = 100
# What the audit log records of a channel.
AUDITED = ("name", "type", "position", "category_id", "read_only")
MAX_POSITION = 2**31 - 1  # the column is a 32-bit integer
_DELETE_CHUNK = 500


def emit_to_viewers(
    tx: Tx, guild_id: int, name: str, view: dict[str, Any], skip_users: Iterable[int]
) -> None:
    """A guild-wide event about a channel: to ``g:<id>``, leaving out the sockets of
    ``skip_users`` (those who may not see it): one event, not one per viewer."""
    skip = tuple(user_room(uid) for uid in sorted(set(skip_users)))
    tx.emit(guild_room(guild_id), name, view, skip_rooms=skip)


async def _category(tx: Tx, guild_id: int, category_id: int) -> Channel:
    """A ``category`` channel of this guild, else 400 on ``category_id``."""
    found = None
    if 0 < category_id < 2**63:
        found = await tx.session.get(Channel, category_id)
    if found is None or found.guild_id != guild_id or found.type != "category":
        raise invalid("category_id", "category_id must name a category channel of this guild")
    return found


def _position(value: int) -> int:
    if not 0 <= value <= MAX_POSITION:
        raise invalid("position", f"position must be between 0 and {MAX_POSITION}")
    return value


async def create(
    tx: Tx, user_id: int, guild_id: int, name: str, type_: str, category_id: int | None
) -> dict[str, Any]:
    """Add a channel at the next free position (MANAGE_CHANNELS, at most
    ``max_channels_per_guild``). In a category it starts with the category's overwrites."""
    guild = await require_guild_permission(tx, guild_id, user_id, Permission.MANAGE_CHANNELS)
    name = clean_text(name, "name", 1, MAX_NAME)
    if type_ not in CHANNEL_TYPES:
        raise invalid("type", "type must be one of text, voice, category")
    if category_id is not None:
        if type_ == "category":
            raise invalid("category_id", "A category cannot be inside a category")
        await _category(tx, guild_id, category_id)
    # Count and next position are read then written: one creator at a time per guild.
    await lock_guild(tx, guild_id)
    count, top = (
        await tx.session.execute(
            select(func.count(), func.max(Channel.position)).where(Channel.guild_id == guild_id)
        )
    ).one()
    limit = tx.settings.max_channels_per_guild
    if count >= limit:
        raise AppError(ErrorCode.LIMIT_REACHED, 400, f"A guild can have at most {limit} channels")
    position = 0 if top is None else min(top + 1, MAX_POSITION)
    channel = Channel(
        guild_id=guild_id,
        name=name,
        type=type_,
        category_id=category_id,
        position=position,
        read_only=False,
    )
    tx.session.add(channel)
    await tx.session.flush()
    copied: Overwrites = []
    if category_id is not None:
        copied = (await channel_overwrites(tx, [category_id])).get(category_id, [])
        tx.session.add_all(
            ChannelOverwrite(
                channel_id=channel.id, target_type=kind, target_id=tid, allow=allow, deny=deny
            )
            for kind, tid, allow, deny in copied
        )
        await tx.session.flush()
    view = channel_view(channel, copied)
    await audit.record(
        tx, guild_id, user_id, "channel_create", channel.id, audit.created(view, AUDITED)
    )
    hidden = (await hidden_from(tx, guild, [channel.id]))[channel.id]
    emit_to_viewers(tx, guild_id, ServerEvent.CHANNEL_CREATED, view, hidden)
    return view


async def list_channels(tx: Tx, user_id: int, guild_id: int) -> list[dict[str, Any]]:
    """The guild's channels the caller may see (VIEW_CHANNEL), by position, then id
    (members only)."""
    await guild_for_member(tx, guild_id, user_id)
    visible = await visible_channel_ids(tx, user_id, guild_id)
    channels = [
        c
        for c in (
            await tx.session.execute(
                select(Channel)
                .where(Channel.guild_id == guild_id)
                .order_by(Channel.position, Channel.id)
            )
        ).scalars()
        if c.id in visible
    ]
    ows = await channel_overwrites(tx, visible)
    return [channel_view(c, ows.get(c.id, [])) for c in channels]


async def update(tx: Tx, user_id: int, channel_id: int, changes: ChannelUpdate) -> dict[str, Any]:
    """Change any of name, read_only, position, category_id (MANAGE_CHANNELS).
    A group DM is renamed by any recipient (section 15)."""
    found = await channel_access(tx, channel_id, user_id)
    if found.guild is None:
        return await dms.rename(tx, found, changes.name)
    check(found, Permission.MANAGE_CHANNELS)
    channel, guild = found.channel, found.guild
    given = changes.model_fields_set
    for field in ("name", "read_only", "position"):
        if field in given and getattr(changes, field) is None:
            raise invalid(field, f"{field} cannot be null")
    name = clean_text(changes.name, "name", 1, MAX_NAME) if changes.name is not None else None
    position = _position(changes.position) if changes.position is not None else None
    before = channel_view(channel)
    if "category_id" in given and changes.category_id is not None:
        if channel.type == "category":
            raise invalid("category_id", "A category cannot be inside a category")
        await _category(tx, guild.id, changes.category_id)
    if name is not None:
        channel.name = name
    if changes.read_only is not None:
        channel.read_only = changes.read_only
    if position is not None:
        channel.position = position
    if "category_id" in given:
        channel.category_id = changes.category_id
    await tx.session.flush()
    view = await channel_out(tx, channel)
    diff = audit.changes_between(before, view, AUDITED)
    if diff:
        await audit.record(tx, guild.id, user_id, "channel_update", channel.id, diff)
    if given:
        # Moving into a category copies nothing (section 13: only creation does), so
        # who may see the channel is what it was.
        hidden = (await hidden_from(tx, guild, [channel.id]))[channel.id]
        emit_to_viewers(tx, guild.id, ServerEvent.CHANNEL_UPDATED, view, hidden)
    return view


async def delete_channel(tx: Tx, user_id: int, channel_id: int) -> None:
    """Delete a channel with its messages and their files (MANAGE_CHANNELS).

    A deleted category's channels stay, out of any category (``channel_updated``
    for each)."""
    found = await require_channel_access(tx, channel_id, user_id, Permission.MANAGE_CHANNELS)
    channel, guild = found.channel, guild_of(found, Permission.MANAGE_CHANNELS)
    paths = await purge_message_files(tx, [channel.id])
    children: list[Channel] = []
    if channel.type == "category":
        children = list(
            (
                await tx.session.execute(
                    select(Channel).where(
                        Channel.guild_id == guild.id, Channel.category_id == channel.id
                    )
                )
            ).scalars()
        )
    view = await channel_out(tx, channel)
    # Who may not see them, read before the overwrites go with the channel.
    hidden = await hidden_from(tx, guild, [channel.id, *(c.id for c in children)])
    await tx.session.execute(delete(Channel).where(Channel.id == channel.id))
    await audit.record(
        tx, guild.id, user_id, "channel_delete", channel.id, audit.deleted(view, AUDITED)
    )
    if paths:
        tx.on_commit(lambda: storage.delete_paths(tx.rt, paths))
    child_ows = await channel_overwrites(tx, [c.id for c in children])
    for child in children:  # the foreign key set their category_id to NULL
        view_child = {**channel_view(child, child_ows.get(child.id, [])), "category_id": None}
        emit_to_viewers(tx, guild.id, ServerEvent.CHANNEL_UPDATED, view_child, hidden[child.id])
    emit_to_viewers(tx, guild.id, ServerEvent.CHANNEL_DELETED, view, hidden[channel.id])
    own_room = channel_room(guild.id, channel.id)
    tx.emit(own_room, LEAVE_ROOMS, {"rooms": [own_room]})


async def purge_message_files(tx: Tx, channel_ids: Sequence[int]) -> list[str]:
    """Before the messages of these channels are deleted: delete the uploads their
    attachments use (unless a message elsewhere still uses one) and return the
    paths, for the caller to delete from storage after commit."""
    if not channel_ids:
        return []
    ids = list(channel_ids)
    return await files_service.release_uploads(tx, lambda m: m.channel_id.in_(ids))
