"""Kick, ban and timeout (contract section 14).

Each needs its permission and follows the role hierarchy: the actor's highest
role must be strictly above the target's, and nobody acts on the owner or on
themselves (403 INSUFFICIENT_PERMISSIONS, ``details.reason: "hierarchy"``).
Each writes its audit entry in its own transaction. A removed member leaves
through ``guilds.service.remove_member``, the same path as leaving, so their
sockets leave the guild's rooms on every node after the events they should hear.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from guildhall.audit import service as audit
from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid
from guildhall.events import ServerEvent, guild_room
from guildhall.guilds.access import is_member
from guildhall.guilds.serialize import member_out
from guildhall.guilds.service import remove_member
from guildhall.kit.sql import affected
from guildhall.kit.time import iso, utcnow
from guildhall.kit.validation import clean_text
from guildhall.messages.service import delete_many
from guildhall.models import Ban, Guild, Member, Message, User
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import insufficient, require_guild_permission, top_role_position
from guildhall.runtime import Tx
from guildhall.users.service import lock_users, public_user

MAX_DELETE_MESSAGE_SECONDS = 7 * 24 * 3600
MAX_TIMEOUT = timedelta(days=28)
# A client's "28 days from now" reaches us a little later, or from a clock a little ahead.
TIMEOUT_SKEW = timedelta(minutes=1)
MAX_REASON = 512


def _member_not_found() -> AppError:
    return AppError(ErrorCode.USER_NOT_FOUND, 404, "Member not found")


async def _check_hierarchy(
    tx: Tx, guild: Guild, actor_id: int, target_id: int, perm: Permission, *, member: bool
) -> None:
    """Refuse acting on oneself, on the owner, or on a member whose highest role is
    not strictly below the actor's. A non-member (a ban) holds no roles."""
    if target_id in (actor_id, guild.owner_id):
        raise insufficient(perm, hierarchy=True)
    if member and await top_role_position(tx, guild, actor_id) <= await top_role_position(
        tx, guild, target_id
    ):
        raise insufficient(perm, hierarchy=True)


async def kick(tx: Tx, actor_id: int, guild_id: int, target_id: int) -> None:
    """Remove a member (KICK_MEMBERS); they may come back with an invite."""
    guild = await require_guild_permission(tx, guild_id, actor_id, Permission.KICK_MEMBERS)
    if not await is_member(tx, guild_id, target_id):
        raise _member_not_found()
    await _check_hierarchy(tx, guild, actor_id, target_id, Permission.KICK_MEMBERS, member=True)
    if not await remove_member(tx, guild_id, target_id, removed=True):
        raise _member_not_found()  # left meanwhile
    await audit.record(tx, guild_id, actor_id, "member_kick", target_id)


def _ban_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    return clean_text(reason, "reason", 0, MAX_REASON) or None


async def ban(
    tx: Tx,
    actor_id: int,
    guild_id: int,
    target_id: int,
    reason: str | None = None,
    delete_message_seconds: int | None = 0,
) -> None:
    """Ban a user (BAN_MEMBERS), member or not: the membership ends at once, their
    messages in the guild from the last ``delete_message_seconds`` are deleted, and
    invites refuse them (USER_BANNED) until the ban is removed. Banning a user
    already banned changes nothing."""
    seconds = delete_message_seconds or 0
    if not 0 <= seconds <= MAX_DELETE_MESSAGE_SECONDS:
        raise invalid(
            "delete_message_seconds",
            f"delete_message_seconds must be 0 to {MAX_DELETE_MESSAGE_SECONDS}",
        )
    reason = _ban_reason(reason)
    guild = await require_guild_permission(tx, guild_id, actor_id, Permission.BAN_MEMBERS)
    if await tx.session.get(User, target_id) is None:
        raise AppError(ErrorCode.USER_NOT_FOUND, 404, "User not found")
    # The user's row lock orders this ban against their invite joins (which take
    # it too): a join either commits first and is removed here, or sees the ban.
    await lock_users(tx, [target_id])
    member = await is_member(tx, guild_id, target_id)
    await _check_hierarchy(tx, guild, actor_id, target_id, Permission.BAN_MEMBERS, member=member)
    if not await tx.dialect.insert_ignore(
        tx.session, Ban, guild_id=guild_id, user_id=target_id, reason=reason or tx.audit_reason
    ):
        return  # already banned
    await remove_member(tx, guild_id, target_id, removed=True)
    if seconds:
        cutoff = utcnow() - timedelta(seconds=seconds)
        victims = (
            await tx.session.execute(
                select(Message.id, Message.guild_id, Message.channel_id)
                .where(
                    Message.author_id == target_id,
                    Message.guild_id == guild_id,
                    Message.created_at >= cutoff,
                )
                .order_by(Message.id)
            )
        ).all()
        await delete_many(tx, [(r.id, r.guild_id, r.channel_id) for r in victims])
    await audit.record(
        tx,
        guild_id,
        actor_id,
        "member_ban_add",
        target_id,
        [audit.change("delete_message_seconds", None, seconds)] if seconds else [],
        reason=tx.audit_reason or reason,
    )


async def unban(tx: Tx, actor_id: int, guild_id: int, target_id: int) -> None:
    """Remove a ban (BAN_MEMBERS); 404 BAN_NOT_FOUND when there is none."""
    await require_guild_permission(tx, guild_id, actor_id, Permission.BAN_MEMBERS)
    result = await affected(
        tx.session, delete(Ban).where(Ban.guild_id == guild_id, Ban.user_id == target_id)
    )
    if not result:
        raise AppError(ErrorCode.BAN_NOT_FOUND, 404, "This user is not banned from this guild")
    await audit.record(tx, guild_id, actor_id, "member_ban_remove", target_id)


async def bans(tx: Tx, viewer_id: int, guild_id: int) -> list[dict[str, Any]]:
    """The guild's bans, oldest first (BAN_MEMBERS)."""
    await require_guild_permission(tx, guild_id, viewer_id, Permission.BAN_MEMBERS)
    rows = (
        await tx.session.execute(
            select(
                Ban.user_id,
                Ban.reason,
                Ban.created_at,
                User.username,
                User.avatar,
                User.display_name,
            )
            .join(User, User.id == Ban.user_id)
            .where(Ban.guild_id == guild_id)
            .order_by(Ban.created_at, Ban.user_id)
        )
    ).all()
    return [
        {
            "user": public_user(r.user_id, r.username, r.avatar, r.display_name),
            "reason": r.reason,
            "created_at": iso(r.created_at),
        }
        for r in rows
    ]


def parse_until(raw: str | None) -> datetime | None:
    """A timeout's end: ``None`` (lift it) or an RFC 3339 time with its zone, in
    the future and at most 28 days ahead (else 400 INVALID_INPUT)."""
    if raw is None:
        return None
    field = "communication_disabled_until"
    try:
        until = datetime.fromisoformat(raw)
    except ValueError:
        example = "2024-01-01T00:00:00Z"
        raise invalid(field, f"{field} must be an RFC 3339 time, e.g. {example}") from None
    if until.tzinfo is None:
        raise invalid(field, f"{field} must carry its time zone, e.g. Z")
    now = utcnow()
    if until <= now:
        raise invalid(field, f"{field} must be in the future (null lifts a timeout)")
    if until > now + MAX_TIMEOUT + TIMEOUT_SKEW:
        raise invalid(field, f"{field} must be at most 28 days ahead")
    return until


async def timeout(
    tx: Tx, actor_id: int, guild_id: int, target_id: int, until_raw: str | None
) -> dict[str, Any]:
    """Set or lift a member's timeout (MODERATE_MEMBERS); ``member_updated`` to the guild."""
    guild = await require_guild_permission(tx, guild_id, actor_id, Permission.MODERATE_MEMBERS)
    until = parse_until(until_raw)
    member = await tx.session.get(Member, (guild_id, target_id))
    if member is None:
        raise _member_not_found()
    await _check_hierarchy(tx, guild, actor_id, target_id, Permission.MODERATE_MEMBERS, member=True)
    old = iso(member.communication_disabled_until)
    member.communication_disabled_until = until
    await tx.session.flush()
    view = await member_out(tx, guild_id, target_id)  # the members list's shape, guild_id too
    new = view["communication_disabled_until"]
    if new != old:  # lifting a timeout that was never set changes nothing: no entry
        await audit.record(
            tx,
            guild_id,
            actor_id,
            "member_timeout",
            target_id,
            [audit.change("communication_disabled_until", old, new)],
        )
    tx.emit(guild_room(guild_id), ServerEvent.MEMBER_UPDATED, view)
    return view
