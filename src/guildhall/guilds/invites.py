"""Invites: create, list, preview, join, delete.

A use is counted by one conditional ``UPDATE`` whose ``WHERE`` re-checks the
limits, so racing joins for the last use cannot both win on any engine
(PostgreSQL re-evaluates the condition after waiting for the row lock).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from guildhall.audit import service as audit
from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid
from guildhall.guilds.access import guild_for_member, is_member, lock_guild
from guildhall.guilds.service import add_member, check_guild_limit
from guildhall.kit.ids import new_invite_code
from guildhall.kit.sql import affected
from guildhall.kit.time import iso, utcnow
from guildhall.models import Ban, Guild, Invite, Member
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import require_guild_permission
from guildhall.runtime import Tx
from guildhall.users.service import lock_users

MAX_EXPIRES_HOURS = 168
MAX_USES = 1000
DEFAULT_PAGE = 100
MAX_PAGE = 1000
_MAX_CODE = 32
# What the audit log records of an invite.
AUDITED = ("code", "max_uses", "expires_at")


def invite_view(invite: Invite) -> dict[str, Any]:
    return {
        "code": invite.code,
        "expires_at": iso(invite.expires_at),
        "max_uses": invite.max_uses,
        "uses": invite.uses,
        "guild_id": invite.guild_id,
        "creator_id": invite.creator_id,
        "created_at": iso(invite.created_at),
    }


def _not_found() -> AppError:
    return AppError(ErrorCode.INVITE_NOT_FOUND, 404, "Invite not found")


def _expired() -> AppError:
    return AppError(ErrorCode.INVITE_EXPIRED, 404, "Invite expired or used up")


def _usable(invite: Invite, now: datetime) -> bool:
    return (invite.max_uses == 0 or invite.uses < invite.max_uses) and (
        invite.expires_at is None or invite.expires_at > now
    )


async def _invite(tx: Tx, code: str) -> Invite:
    """The invite with this code, else 404 (codes are alphanumeric)."""
    found = None
    if 0 < len(code) <= _MAX_CODE and code.isascii() and code.isalnum():
        found = await tx.session.get(Invite, code)
    if found is None:
        raise _not_found()
    return found


async def create(
    tx: Tx, user_id: int, guild_id: int, expires_hours: int, max_uses: int
) -> dict[str, Any]:
    """A new invite to the guild (CREATE_INSTANT_INVITE)."""
    await require_guild_permission(tx, guild_id, user_id, Permission.CREATE_INSTANT_INVITE)
    if not 0 <= expires_hours <= MAX_EXPIRES_HOURS:
        raise invalid("expires_hours", f"expires_hours must be 0 (never) to {MAX_EXPIRES_HOURS}")
    if not 0 <= max_uses <= MAX_USES:
        raise invalid("max_uses", f"max_uses must be 0 (unlimited) to {MAX_USES}")
    await _make_room(tx, guild_id)
    code = new_invite_code()
    while await tx.session.get(Invite, code) is not None:  # ~59 bits: practically never
        code = new_invite_code()
    invite = Invite(
        code=code,
        guild_id=guild_id,
        creator_id=user_id,
        max_uses=max_uses,
        uses=0,
        expires_at=utcnow() + timedelta(hours=expires_hours) if expires_hours else None,
    )
    tx.session.add(invite)
    await tx.session.flush()
    view = invite_view(invite)
    await audit.record(
        tx, guild_id, user_id, "invite_create", invite.code, audit.created(view, AUDITED)
    )
    return view


async def _make_room(tx: Tx, guild_id: int) -> None:
    """At most ``max_invites_per_guild`` invites: at the cap, the guild's dead ones
    (expired or used up) go first; if that frees nothing, 400 ``LIMIT_REACHED``."""
    cap = tx.settings.max_invites_per_guild
    await lock_guild(tx, guild_id)  # concurrent creations cannot both take the last slot
    count = select(func.count()).select_from(Invite).where(Invite.guild_id == guild_id)
    if (await tx.session.scalar(count) or 0) < cap:
        return
    now = utcnow()
    await tx.session.execute(
        delete(Invite).where(
            Invite.guild_id == guild_id,
            or_(
                Invite.expires_at <= now,
                (Invite.max_uses > 0) & (Invite.uses >= Invite.max_uses),
            ),
        )
    )
    if (await tx.session.scalar(count) or 0) >= cap:
        raise AppError(ErrorCode.LIMIT_REACHED, 400, f"At most {cap} invites a guild; delete some")


async def list_invites(
    tx: Tx, user_id: int, guild_id: int, limit: int | None = None, before: str | None = None
) -> list[dict[str, Any]]:
    """The guild's invites, oldest first, expired ones included (members only).

    Unpaged: all of them (at most ``max_invites_per_guild``). Paged (``limit``,
    ``before``): the ``limit`` newest invites older than the invite ``before``
    (a code of this guild; else 400), still oldest first, from the
    ``(guild_id, created_at, code)`` index."""
    await guild_for_member(tx, guild_id, user_id)
    query = select(Invite).where(Invite.guild_id == guild_id)
    if limit is None:
        rows = await tx.session.execute(query.order_by(Invite.created_at, Invite.code))
        return [invite_view(i) for i in rows.scalars()]
    if before is not None:
        cursor = await tx.session.get(Invite, before) if before.isalnum() else None
        if cursor is None or cursor.guild_id != guild_id:
            raise invalid("before", "before must be the code of an invite of this guild")
        query = query.where(
            tuple_(Invite.created_at, Invite.code) < tuple_(cursor.created_at, cursor.code)
        )
    rows = await tx.session.execute(
        query.order_by(Invite.created_at.desc(), Invite.code.desc()).limit(limit)
    )
    return [invite_view(i) for i in reversed(rows.scalars().all())]


async def preview(tx: Tx, code: str) -> dict[str, Any]:
    """What a (possibly signed-out) visitor sees before joining."""
    invite = await _invite(tx, code)
    if not _usable(invite, utcnow()):
        raise _expired()
    guild_name, member_count = (
        await tx.session.execute(
            select(
                Guild.name,
                select(func.count()).where(Member.guild_id == Guild.id).scalar_subquery(),
            ).where(Guild.id == invite.guild_id)
        )
    ).one()
    return {
        "code": invite.code,
        "guild_id": invite.guild_id,
        "guild_name": guild_name,
        "member_count": member_count,
        "expires_at": iso(invite.expires_at),
        "max_uses": invite.max_uses,
        "uses": invite.uses,
    }


async def join(tx: Tx, user_id: int, code: str) -> int:
    """Join the invite's guild; returns its id. A member joining again counts no use."""
    invite = await _invite(tx, code)
    guild_id = invite.guild_id
    # One join of this user at a time (PostgreSQL), so the membership and guild
    # count read below stay true until commit.
    await lock_users(tx, [user_id])
    if await is_member(tx, guild_id, user_id):
        return guild_id
    # Read after the user's lock: a ban committing meanwhile (it takes the same
    # lock) is seen here, so a join never slips in past a ban.
    if await tx.session.get(Ban, (guild_id, user_id)) is not None:
        raise AppError(ErrorCode.USER_BANNED, 403, "You are banned from this guild")
    now = utcnow()
    if not _usable(invite, now):
        raise _expired()
    await check_guild_limit(tx, user_id)
    counted = await affected(
        tx.session,
        update(Invite)
        .where(
            Invite.code == invite.code,
            or_(Invite.max_uses == 0, Invite.uses < Invite.max_uses),
            or_(Invite.expires_at.is_(None), Invite.expires_at > now),
        )
        .values(uses=Invite.uses + 1)
        .execution_options(synchronize_session=False),
    )
    if counted != 1:
        raise _expired()
    try:
        await add_member(tx, guild_id, user_id)
    except IntegrityError:  # the guild was deleted meanwhile
        raise _not_found() from None
    return guild_id


async def delete_invite(tx: Tx, user_id: int, code: str) -> None:
    """Delete an invite: its creator, or MANAGE_GUILD for anyone else's."""
    invite = await _invite(tx, code)
    if invite.creator_id != user_id:
        await require_guild_permission(tx, invite.guild_id, user_id, Permission.MANAGE_GUILD)
    view = invite_view(invite)
    await tx.session.execute(delete(Invite).where(Invite.code == invite.code))
    await audit.record(
        tx, invite.guild_id, user_id, "invite_delete", invite.code, audit.deleted(view, AUDITED)
    )
