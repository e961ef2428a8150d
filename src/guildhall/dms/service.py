"""Direct messages and group DMs (contract section 15).

A DM channel is a ``channels`` row without a guild (``type`` "dm" or
"group_dm") and its ``channel_recipients``. Its messages go through the
messages service like any channel's; authorization is the resolver's (a
recipient may do ``DM_PERMISSIONS``, anyone else is ``NOT_CHANNEL_MEMBER``).

Delivery: every socket of every recipient is in the room ``dm:<id>`` (the
realtime layer enters it at sign-in; ``JOIN_ROOMS`` / ``LEAVE_ROOMS`` here, in
the change's own after-commit batch, on every node), so a DM's events are one
event to one room, like a guild channel's. See docs/decisions/dms.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid, missing
from guildhall.events import JOIN_ROOMS, LEAVE_ROOMS, ServerEvent, dm_room, user_room
from guildhall.files import service as files_service
from guildhall.guilds.access import ChannelAccess
from guildhall.kit.time import iso, utcnow
from guildhall.kit.validation import clean_text
from guildhall.models import Channel, ChannelRecipient, Message, User
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import (
    dm_recipient_ids,
    friends_among,
    may_message,
    no_dm_with,
    require_channel_access,
)
from guildhall.runtime import Tx
from guildhall.users.service import public_user

MAX_GROUP_SIZE = 10  # people in a group DM, the owner included
MAX_NAME = 100
_MAX_ID = 2**63 - 1


def _user_id(raw: Any, field: str) -> int:
    if raw is None:
        raise missing(field)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= _MAX_ID:
        raise invalid(field, f"{field} must be a user id")
    return raw


def not_a_group() -> AppError:
    return invalid("channel_id", "Only a group DM has recipients to add or remove, or a name")


def _pair_key(a: int, b: int) -> str:
    lo, hi = sorted((a, b))
    return f"{lo}:{hi}"


# --- views ------------------------------------------------------------------------


async def _recipients(tx: Tx, channel_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each channel's recipients as user shapes, earliest added first (one query)."""
    out: dict[int, list[dict[str, Any]]] = {cid: [] for cid in channel_ids}
    if not channel_ids:
        return out
    rows = await tx.session.execute(
        select(ChannelRecipient.channel_id, User.id, User.username, User.avatar, User.display_name)
        .join(User, User.id == ChannelRecipient.user_id)
        .where(ChannelRecipient.channel_id.in_(channel_ids))
        .order_by(ChannelRecipient.added_at, ChannelRecipient.user_id)
    )
    for cid, uid, username, avatar, display_name in rows.all():
        out[cid].append(public_user(uid, username, avatar, display_name))
    return out


def _view(
    channel: Channel, recipients: list[dict[str, Any]], last_at: datetime | None = None
) -> dict[str, Any]:
    """The DM channel shape (section 15); ``recipients`` holds everyone in it, the
    caller included, so one payload serves every recipient. Added:
    ``last_activity_at``, when its newest message was sent (else its creation)."""
    return {
        "id": channel.id,
        "type": channel.type,
        "name": channel.name or None,
        "owner_id": channel.owner_id,
        "recipients": recipients,
        "last_message_id": channel.last_message_id,
        "guild_id": None,
        "created_at": iso(channel.created_at),
        "last_activity_at": iso(last_at or channel.created_at),
    }


async def _last_times(tx: Tx, channels: list[Channel]) -> dict[int, datetime]:
    """When each channel's newest message was sent (primary-key reads)."""
    ids = [c.last_message_id for c in channels if c.last_message_id]
    if not ids:
        return {}
    rows = await tx.session.execute(
        select(Message.channel_id, Message.created_at).where(Message.id.in_(ids))
    )
    return dict(rows.tuples().all())


async def channel_view(tx: Tx, channel: Channel) -> dict[str, Any]:
    recipients = (await _recipients(tx, [channel.id]))[channel.id]
    return _view(channel, recipients, (await _last_times(tx, [channel])).get(channel.id))


async def list_channels(tx: Tx, user_id: int) -> list[dict[str, Any]]:
    """The caller's DM and group channels, most recent activity first (the highest
    ``last_message_id``, then the newest channel)."""
    channels = list(
        (
            await tx.session.execute(
                select(Channel)
                .join(ChannelRecipient, ChannelRecipient.channel_id == Channel.id)
                .where(ChannelRecipient.user_id == user_id)
                .order_by(Channel.last_message_id.desc(), Channel.id.desc())
            )
        ).scalars()
    )
    recipients = await _recipients(tx, [c.id for c in channels])
    last = await _last_times(tx, channels)
    return [_view(c, recipients[c.id], last.get(c.id)) for c in channels]


# --- creation ----------------------------------------------------------------------


async def _existing_users(tx: Tx, user_ids: list[int]) -> set[int]:
    rows = await tx.session.scalars(select(User.id).where(User.id.in_(user_ids)))
    return set(rows.all())


def _announce_created(tx: Tx, view: dict[str, Any], user_ids: list[int]) -> None:
    """Put the recipients' sockets in the room (every node), then tell each of them."""
    room = dm_room(view["id"])
    for uid in user_ids:
        tx.emit(user_room(uid), JOIN_ROOMS, {"rooms": [room]})
    for uid in user_ids:  # one payload: delivered once to the union of the rooms
        tx.emit(user_room(uid), ServerEvent.DM_CHANNEL_CREATED, view)


async def open_dm(tx: Tx, user_id: int, raw_recipient: Any) -> dict[str, Any]:
    """The DM between the caller and the recipient, created on first use.

    Friends or people who share a guild only (else 403). Two racing first calls
    make one channel: ``dm_key`` is unique, the loser's insert fails inside a
    savepoint and it reads the winner's row (committed by then: PostgreSQL makes
    the second insert wait for the first transaction; SQLite serialises writers)."""
    other = _user_id(raw_recipient, "recipient_id")
    if other == user_id:
        raise invalid("recipient_id", "You cannot open a DM with yourself")
    if not await _existing_users(tx, [other]):
        raise AppError(ErrorCode.USER_NOT_FOUND, 404, "User not found")
    if not await may_message(tx, user_id, other):
        raise no_dm_with()
    key = _pair_key(user_id, other)
    found = await tx.session.scalar(select(Channel).where(Channel.dm_key == key))
    if found is not None:
        return await channel_view(tx, found)
    channel = Channel(guild_id=None, name="", type="dm", position=0, dm_key=key)
    try:
        async with tx.session.begin_nested():
            tx.session.add(channel)
            await tx.session.flush()
            now = utcnow()
            tx.session.add_all(
                ChannelRecipient(channel_id=channel.id, user_id=uid, added_at=now)
                for uid in sorted((user_id, other))
            )
            await tx.session.flush()
    except IntegrityError:
        winner = await tx.session.scalar(select(Channel).where(Channel.dm_key == key))
        if winner is None:
            raise
        return await channel_view(tx, winner)
    view = await channel_view(tx, channel)
    _announce_created(tx, view, sorted((user_id, other)))
    return view


def _recipient_ids(raw: Any) -> list[int]:
    if raw is None:
        raise missing("recipient_ids")
    if not isinstance(raw, list):
        raise invalid("recipient_ids", "recipient_ids must be a list of user ids")
    ids: list[int] = []
    for item in raw:
        uid = _user_id(item, "recipient_ids")
        if uid not in ids:
            ids.append(uid)
    return ids


async def create_group(tx: Tx, user_id: int, raw_ids: Any) -> dict[str, Any]:
    """A new group DM with the caller as owner and 1-9 of their friends."""
    others = _recipient_ids(raw_ids)
    if user_id in others:
        raise invalid("recipient_ids", "recipient_ids lists the others, not yourself")
    if not 1 <= len(others) <= MAX_GROUP_SIZE - 1:
        raise invalid("recipient_ids", f"A group DM has 1-{MAX_GROUP_SIZE - 1} others")
    if len(await _existing_users(tx, others)) != len(others):
        raise AppError(ErrorCode.USER_NOT_FOUND, 404, "User not found")
    if len(await friends_among(tx, user_id, others)) != len(others):
        raise no_dm_with()
    channel = Channel(guild_id=None, name="", type="group_dm", position=0, owner_id=user_id)
    tx.session.add(channel)
    await tx.session.flush()
    now = utcnow()
    # The owner first: when they leave, the earliest remaining recipient inherits.
    members = [user_id, *others]
    tx.session.add_all(
        ChannelRecipient(channel_id=channel.id, user_id=uid, added_at=now) for uid in members
    )
    await tx.session.flush()
    view = await channel_view(tx, channel)
    _announce_created(tx, view, members)
    return view


# --- group changes --------------------------------------------------------------------


async def _lock(tx: Tx, channel_id: int) -> None:
    """Serialise changes of one group's recipients (PostgreSQL; SQLite already does)."""
    await tx.dialect.lock(tx.session, select(Channel.id).where(Channel.id == channel_id))


def _changed(tx: Tx, view: dict[str, Any]) -> None:
    tx.emit(dm_room(view["id"]), ServerEvent.DM_CHANNEL_UPDATED, view)


async def add_recipient(tx: Tx, user_id: int, channel_id: int, raw_target: Any) -> dict[str, Any]:
    """Add a friend of the owner (owner only), at most ``MAX_GROUP_SIZE`` people;
    adding someone already there changes nothing."""
    found = await require_channel_access(tx, channel_id, user_id, Permission.VIEW_CHANNEL)
    channel = found.channel
    if channel.type != "group_dm":
        raise not_a_group()
    target = _user_id(raw_target, "user_id")
    if channel.owner_id != user_id:
        raise AppError(
            ErrorCode.INSUFFICIENT_PERMISSIONS, 403, "Only the group's owner adds people"
        )
    await _lock(tx, channel.id)
    current = await dm_recipient_ids(tx, channel.id)
    if target in current:
        return await channel_view(tx, channel)
    if not await _existing_users(tx, [target]):
        raise AppError(ErrorCode.USER_NOT_FOUND, 404, "User not found")
    if not await friends_among(tx, user_id, [target]):
        raise no_dm_with()
    if len(current) >= MAX_GROUP_SIZE:
        raise AppError(
            ErrorCode.LIMIT_REACHED, 400, f"At most {MAX_GROUP_SIZE} people in a group DM"
        )
    tx.session.add(
        ChannelRecipient(
            channel_id=channel.id,
            user_id=target,
            added_at=utcnow(),
            read_baseline_id=channel.last_message_id,
        )
    )
    await tx.session.flush()
    view = await channel_view(tx, channel)
    _changed(tx, view)  # before the newcomer joins the room: they get the creation
    _announce_created(tx, view, [target])
    return view


async def remove_recipient(
    tx: Tx, user_id: int, channel_id: int, raw_target: Any
) -> dict[str, Any]:
    """Remove someone (owner) or leave (anyone). The owner's leaving passes the
    group to the earliest remaining recipient; the last one out deletes it.

    The removed user's sockets leave ``dm:<id>`` on every node in this change's
    after-commit batch, before any later event of the channel is delivered."""
    found = await require_channel_access(tx, channel_id, user_id, Permission.VIEW_CHANNEL)
    channel = found.channel
    if channel.type != "group_dm":
        raise not_a_group()
    target = _user_id(raw_target, "user_id")
    if target != user_id and channel.owner_id != user_id:
        raise AppError(
            ErrorCode.INSUFFICIENT_PERMISSIONS, 403, "Only the group's owner removes people"
        )
    await _lock(tx, channel.id)
    current = await dm_recipient_ids(tx, channel.id)
    if target not in current:
        raise AppError(ErrorCode.USER_NOT_FOUND, 404, "That user is not in this group")
    await tx.session.execute(
        delete(ChannelRecipient).where(
            ChannelRecipient.channel_id == channel.id, ChannelRecipient.user_id == target
        )
    )
    room = dm_room(channel.id)
    tx.emit(user_room(target), LEAVE_ROOMS, {"rooms": [room]})
    remaining = [uid for uid in current if uid != target]
    if not remaining:
        files_service.delete_after_commit(
            tx, await files_service.release_uploads(tx, lambda m: m.channel_id == channel.id)
        )
        view = _view(channel, [])
        await tx.session.execute(delete(Channel).where(Channel.id == channel.id))
        tx.emit(user_room(target), ServerEvent.DM_CHANNEL_DELETED, view)
        return view
    if channel.owner_id == target:
        channel.owner_id = remaining[0]
    await tx.session.flush()
    view = await channel_view(tx, channel)
    tx.emit(user_room(target), ServerEvent.DM_CHANNEL_DELETED, view)
    _changed(tx, view)
    return view


async def rename(tx: Tx, found: ChannelAccess, raw_name: Any) -> dict[str, Any]:
    """Rename a group (any recipient); an empty name clears it."""
    channel = found.channel
    if channel.type != "group_dm":
        raise not_a_group()
    if raw_name is None:
        raise missing("name")
    if not isinstance(raw_name, str):
        raise invalid("name", "name must be a string")
    channel.name = clean_text(raw_name, "name", 0, MAX_NAME)
    await tx.session.flush()
    view = await channel_view(tx, channel)
    _changed(tx, view)
    return view
