"""Discord's permission algorithm (contract section 13) as pure functions, and the
SQL that fetches its inputs in the same statement as the row being authorized.

The inputs travel as two short strings built by the database (``group_concat`` on
SQLite, ``string_agg`` on PostgreSQL): the member's roles (``id:position:perms``,
@everyone included) and the channel's overwrites that concern the member
(``type:id:allow:deny``). One correlated sub-select each, so a channel check stays
one round trip however many roles the member holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, func, literal, or_, select

from guildhall.models import EVERYONE_POSITION, ChannelOverwrite, MemberRole, Role
from guildhall.permissions.bits import ALL, Permission

ROLE = "role"
MEMBER = "member"
NO_OVERWRITE = (0, 0)


@dataclass(frozen=True, slots=True)
class RoleInputs:
    """The member's roles in one guild."""

    everyone_id: int | None
    base: int  # @everyone | every held role
    top_position: int  # the highest held role (0: only @everyone)
    role_ids: frozenset[int]  # held roles, @everyone included


def parse_roles(raw: str | None) -> RoleInputs:
    everyone_id, base, top, ids = None, 0, 0, set()
    for item in (raw or "").split(","):
        if not item:
            continue
        rid_s, pos_s, perms_s = item.split(":")
        rid, pos = int(rid_s), int(pos_s)
        ids.add(rid)
        base |= int(perms_s)
        top = max(top, pos)
        if pos == EVERYONE_POSITION:
            everyone_id = rid
    return RoleInputs(everyone_id, base, top, frozenset(ids))


def parse_overwrites(raw: str | None) -> list[tuple[str, int, int, int]]:
    out = []
    for item in (raw or "").split(","):
        if item:
            kind, tid, allow, deny = item.split(":")
            out.append((kind, int(tid), int(allow), int(deny)))
    return out


# What a recipient may do in a DM or group DM (section 15): there is no guild, so
# no role or overwrite applies; being a recipient is the whole rule. Not
# MANAGE_MESSAGES (authors alone edit and delete theirs) nor MENTION_EVERYONE.
DM_PERMISSIONS = (
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.ADD_REACTIONS
    | Permission.ATTACH_FILES
)


def guild_level(is_owner: bool, base: int) -> Permission:
    """Guild-wide permissions: the owner and ADMINISTRATOR have all."""
    if is_owner or base & Permission.ADMINISTRATOR:
        return ALL
    return Permission(base & ALL)


def channel_level(
    is_owner: bool,
    roles: RoleInputs,
    user_id: int,
    overwrites: list[tuple[str, int, int, int]],
) -> Permission:
    """Section 13's order: base; ADMINISTRATOR → all (overwrites ignored); then the
    @everyone overwrite, the union of the member's roles' overwrites, the member's
    own overwrite, each applied deny first, then allow."""
    base = guild_level(is_owner, roles.base)
    if base == ALL:
        return ALL
    perms = int(base)
    everyone = NO_OVERWRITE
    role_allow = role_deny = 0
    member = NO_OVERWRITE
    for kind, tid, allow, deny in overwrites:
        if kind == ROLE and tid == roles.everyone_id:
            everyone = (allow, deny)
        elif kind == ROLE and tid in roles.role_ids:
            role_allow |= allow
            role_deny |= deny
        elif kind == MEMBER and tid == user_id:
            member = (allow, deny)
    perms = (perms & ~everyone[1]) | everyone[0]
    perms = (perms & ~role_deny) | role_allow
    perms = (perms & ~member[1]) | member[0]
    return Permission(perms & ALL)


# -- SQL: the inputs as columns of any statement -------------------------------------


def _text(col: Any) -> ColumnElement[str]:
    return cast(col, String)


def held_role_ids(guild_id: Any, user_id: Any) -> Any:
    # Nested two levels below the statement that holds ``guild_id``'s table: only
    # an explicit correlation reaches it (SQLAlchemy auto-correlates one level),
    # else that table joins in here uncorrelated, a scan of all its rows.
    return (
        select(MemberRole.role_id)
        .where(MemberRole.guild_id == guild_id, MemberRole.user_id == user_id)
        .correlate_except(MemberRole)
    )


def _held(guild_id: Any, user_id: Any) -> ColumnElement[bool]:
    """Roles of the guild the member holds, @everyone included."""
    return and_(
        Role.guild_id == guild_id,
        or_(Role.position == EVERYONE_POSITION, Role.id.in_(held_role_ids(guild_id, user_id))),
    )


def roles_column(guild_id: Any, user_id: Any) -> Any:
    """``id:position:permissions`` of every role the member holds, comma separated."""
    item = _text(Role.id) + literal(":") + _text(Role.position) + literal(":")
    item = item + _text(Role.permissions)
    return (
        select(func.aggregate_strings(item, ","))
        .where(_held(guild_id, user_id))
        .scalar_subquery()
        .label("perm_roles")
    )


def overwrites_column(channel_id: Any, guild_id: Any, user_id: Any) -> Any:
    """``type:id:allow:deny`` of the channel's overwrites that concern the member."""
    ow = ChannelOverwrite
    item = ow.target_type + literal(":") + _text(ow.target_id) + literal(":")
    item = item + _text(ow.allow) + literal(":") + _text(ow.deny)
    mine = select(Role.id).where(_held(guild_id, user_id)).correlate_except(Role)
    return (
        select(func.aggregate_strings(item, ","))
        .where(
            ow.channel_id == channel_id,
            or_(
                and_(ow.target_type == MEMBER, ow.target_id == user_id),
                and_(ow.target_type == ROLE, ow.target_id.in_(mine)),
            ),
        )
        .scalar_subquery()
        .label("perm_overwrites")
    )
