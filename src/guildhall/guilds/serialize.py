"""The guild and member shapes (contract section 4): REST answers and the
``guild_*`` / ``member_*`` events.

``members_out`` builds any number of members in three round trips (members,
their roles, presence), never a query per member.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from guildhall.kit.time import iso
from guildhall.models import Guild, Member, MemberRole, Role, User
from guildhall.runtime import Tx
from guildhall.users.service import public_user, statuses


def guild_view(guild: Guild) -> dict[str, Any]:
    return {
        "id": guild.id,
        "name": guild.name,
        "owner_id": guild.owner_id,
        "icon": guild.icon,
        "description": guild.description,
        "created_at": iso(guild.created_at),
    }


def member_view(
    row: Any, roles: list[int], status: str | None = None, guild_id: int | None = None
) -> dict[str, Any]:
    """A member: the user, ``joined_at``, ``roles`` (ids, @everyone left out) and
    ``communication_disabled_until``; ``status`` and ``guild_id`` when given."""
    out = {
        **public_user(row.id, row.username, row.avatar, row.display_name),
        "joined_at": iso(row.joined_at),
        "roles": roles,
        "communication_disabled_until": (
            iso(row.communication_disabled_until) if row.communication_disabled_until else None
        ),
    }
    if status is not None:
        out["status"] = status
    if guild_id is not None:
        out["guild_id"] = guild_id
    return out


MEMBER_COLUMNS = (
    User.id,
    User.username,
    User.avatar,
    User.display_name,
    Member.joined_at,
    Member.communication_disabled_until,
)


async def member_roles(
    tx: Tx, guild_id: int, user_ids: list[int] | None = None
) -> dict[int, list[int]]:
    """Role ids of the guild's members (or of ``user_ids``), highest role first."""
    stmt = (
        select(MemberRole.user_id, MemberRole.role_id)
        .join(Role, Role.id == MemberRole.role_id)
        .where(MemberRole.guild_id == guild_id)
        .order_by(Role.position.desc())
    )
    if user_ids is not None:
        stmt = stmt.where(MemberRole.user_id.in_(user_ids))
    out: dict[int, list[int]] = {}
    for uid, rid in (await tx.session.execute(stmt)).all():
        out.setdefault(uid, []).append(rid)
    return out


async def members_out(tx: Tx, guild_id: int, user_ids: list[int]) -> list[dict[str, Any]]:
    """Members as ``member_updated`` carries them (with ``guild_id``): three round
    trips (members, roles, presence) whatever their number."""
    if not user_ids:
        return []
    rows = (
        await tx.session.execute(
            select(*MEMBER_COLUMNS)
            .join(Member, Member.user_id == User.id)
            .where(Member.guild_id == guild_id, Member.user_id.in_(user_ids))
            .order_by(User.id)
        )
    ).all()
    roles = await member_roles(tx, guild_id, user_ids)
    status = await statuses(tx.rt, [r.id for r in rows])
    return [member_view(r, roles.get(r.id, []), status[r.id], guild_id) for r in rows]


async def member_out(tx: Tx, guild_id: int, user_id: int) -> dict[str, Any]:
    """One member as ``member_updated`` carries it (with ``guild_id``)."""
    return (await members_out(tx, guild_id, [user_id]))[0]
