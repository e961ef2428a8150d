"""Roles, who holds them, and channel overwrites: the rules of contract section 13.

Who may: MANAGE_ROLES, and the hierarchy — the owner may do anything; anyone else
only on roles strictly below their own highest role, and never grants a bit they
do not hold themselves (403 INSUFFICIENT_PERMISSIONS naming it; ``reason:
"hierarchy"`` when the hierarchy refused).

Positions stay unique and contiguous from 0 (@everyone). Changes that can take
VIEW_CHANNEL away compare who saw which channel before and after, in the same
transaction, and emit ``LEAVE_ROOMS`` for the losers' sockets in the same
after-commit batch, so no event of that room reaches them once the change is
answered. A member who loses sight of a channel gets ``channel_deleted`` for it,
one who gains it ``channel_created`` (to ``u:<id>``); ``channel_updated`` for an
overwrite change goes only to those who see the channel before and after.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select, update

from guildhall.audit import service as audit
from guildhall.channels.serialize import channel_out, channels_out
from guildhall.channels.service import emit_to_viewers
from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid
from guildhall.events import LEAVE_ROOMS, ServerEvent, channel_room, guild_room, user_room
from guildhall.guilds.access import guild_for_member, lock_guild
from guildhall.guilds.serialize import member_out, members_out
from guildhall.kit.validation import clean_text
from guildhall.models import (
    EVERYONE_POSITION,
    ChannelOverwrite,
    Guild,
    Member,
    MemberRole,
    Role,
)
from guildhall.permissions.bits import ALL, Permission
from guildhall.permissions.compute import MEMBER, ROLE
from guildhall.permissions.resolver import (
    OWNER_POSITION,
    guild_of,
    guild_permissions,
    hidden_from,
    insufficient,
    require_channel_access,
    require_guild_permission,
    top_role_position,
    visibility,
)
from guildhall.roles.schemas import OverwriteIn, RoleCreate, RoleUpdate
from guildhall.roles.serialize import role_view
from guildhall.runtime import Tx

MAX_ROLES = 250  # @everyone included
MAX_NAME = 100
MAX_COLOR = 0xFFFFFF
# A channel event for at most this many members goes to each one's u:<id>.
_PER_USER_UP_TO = 20
_DIGITS = re.compile(r"[0-9]{1,20}")


# A role's audited fields (contract section 14: role_create / role_update / role_delete).
AUDITED = ("name", "permissions", "position", "color", "hoist", "mentionable")


def role_not_found() -> AppError:
    return AppError(ErrorCode.ROLE_NOT_FOUND, 404, "Role not found")


def parse_permissions(raw: Any, field: str) -> int:
    """A decimal string of digits → the known bits it sets (unknown bits are dropped,
    as Discord does). Anything else (a JSON number, a sign, spaces) is 400."""
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw):
        raise invalid(field, f"{field} must be a string of decimal digits")
    value = int(raw)
    if value >= 2**63:
        raise invalid(field, f"{field} is out of range")
    return value & int(ALL)


def _color(value: int) -> int:
    if not 0 <= value <= MAX_COLOR:
        raise invalid("color", "color must be an RGB integer 0-16777215")
    return value


def _first_missing(bits: int) -> Permission:
    """The lowest named bit of ``bits`` (for ``details.permission``)."""
    for perm in Permission:
        if bits & perm:
            return perm
    return Permission.ADMINISTRATOR


class Actor:
    """The caller in one guild: their permissions and their highest role."""

    def __init__(self, guild: Guild, user_id: int, perms: Permission, top: int) -> None:
        self.guild, self.user_id, self.perms, self.top = guild, user_id, perms, top

    @property
    def is_owner(self) -> bool:
        return self.top == OWNER_POSITION

    def above(self, role: Role, perm: Permission = Permission.MANAGE_ROLES) -> None:
        """403 unless ``role`` is strictly below the caller's highest role."""
        if not role.position < self.top:
            raise insufficient(perm, hierarchy=True)

    def may_grant(self, bits: int) -> None:
        """403 naming the first bit of ``bits`` the caller does not hold."""
        missing = bits & ~int(self.perms)
        if missing:
            raise insufficient(_first_missing(missing))


async def _actor(tx: Tx, guild_id: int, user_id: int) -> Actor:
    guild = await require_guild_permission(tx, guild_id, user_id, Permission.MANAGE_ROLES)
    perms = await guild_permissions(tx, guild, user_id)
    return Actor(guild, user_id, perms, await top_role_position(tx, guild, user_id))


async def _role(tx: Tx, guild_id: int, role_id: int) -> Role:
    role = await tx.session.get(Role, role_id)
    if role is None or role.guild_id != guild_id:
        raise role_not_found()
    return role


async def _role_below_actor(
    tx: Tx, guild_id: int, user_id: int, role_id: int, everyone: str | None = None
) -> tuple[Actor, Role]:
    """(the caller as MANAGE_ROLES actor, the guild's role ``role_id``), the role below
    the caller's top role. ``everyone``: the 400 when the role is @everyone (which
    the action cannot touch); None where @everyone may be the target."""
    actor = await _actor(tx, guild_id, user_id)
    role = await _role(tx, guild_id, role_id)
    if everyone is not None and role.position == EVERYONE_POSITION:
        raise invalid("role_id", everyone)
    actor.above(role)
    return actor, role


async def _roles(tx: Tx, guild_id: int) -> list[Role]:
    return list(
        (
            await tx.session.execute(
                select(Role).where(Role.guild_id == guild_id).order_by(Role.position, Role.id)
            )
        ).scalars()
    )


# -- visibility bookkeeping -----------------------------------------------------------


async def _holders(tx: Tx, guild: Guild, role: Role) -> list[int]:
    """Who a change of this role reaches: every member for @everyone."""
    if role.position == EVERYONE_POSITION:
        stmt = select(Member.user_id).where(Member.guild_id == guild.id)
    else:
        stmt = select(MemberRole.user_id).where(MemberRole.role_id == role.id)
    return list((await tx.session.scalars(stmt)).all())


async def _emit_changes(
    tx: Tx, guild_id: int, before: dict[int, set[int]], after: dict[int, set[int]]
) -> set[int]:
    """The sockets of each member who lost sight of a channel leave its room and
    hear ``channel_deleted``; who gained one hears ``channel_created``. Answers who
    gained any."""
    lost: dict[int, set[int]] = defaultdict(set)  # channel -> members
    gained: dict[int, set[int]] = defaultdict(set)
    for uid, seen in before.items():
        now = after.get(uid, set())
        gone = seen - now
        if gone:
            rooms = [channel_room(guild_id, cid) for cid in sorted(gone)]
            tx.emit(user_room(uid), LEAVE_ROOMS, {"rooms": rooms})
        for cid in gone:
            lost[cid].add(uid)
        for cid in now - seen:
            gained[cid].add(uid)
    views = await channels_out(tx, lost.keys() | gained.keys())
    members: set[int] | None = None
    for name, by_channel in (
        (ServerEvent.CHANNEL_DELETED, lost),
        (ServerEvent.CHANNEL_CREATED, gained),
    ):
        for cid in sorted(by_channel):
            uids = by_channel[cid]
            # An @everyone change reaches most of a guild: then one event to g:<id>
            # skipping the others is shorter than one per member.
            if len(uids) > _PER_USER_UP_TO:
                if members is None:
                    members = set(
                        (
                            await tx.session.scalars(
                                select(Member.user_id).where(Member.guild_id == guild_id)
                            )
                        ).all()
                    )
                rest = members - uids
                if len(rest) < len(uids):
                    emit_to_viewers(tx, guild_id, name, views[cid], rest)
                    continue
            for uid in sorted(uids):
                tx.emit(user_room(uid), name, views[cid])
    return {uid for uids in gained.values() for uid in uids}


class _Watch:
    """Visibility of some members (in some channels) before a change; ``done``
    compares with after and emits the losses and gains (``gained``: who gained)."""

    def __init__(
        self, tx: Tx, guild: Guild, users: Iterable[int], channels: Iterable[int] | None = None
    ) -> None:
        self.tx, self.guild = tx, guild
        self.users = list(users)
        self.channels = list(channels) if channels is not None else None
        self.before: dict[int, set[int]] = {}
        self.gained: set[int] = set()

    async def start(self) -> _Watch:
        if self.users:
            self.before = await visibility(self.tx, self.guild, self.users, self.channels)
        return self

    async def done(self) -> None:
        await self.tx.session.flush()  # the change itself, whoever it reaches
        if not self.users:
            return
        after = await visibility(self.tx, self.guild, self.users, self.channels)
        self.gained = await _emit_changes(self.tx, self.guild.id, self.before, after)


def _emit_role(tx: Tx, name: str, role: Role) -> None:
    tx.emit(guild_room(role.guild_id), name, role_view(role))


async def _emit_moved(tx: Tx, guild_id: int, old: dict[int, int], skip: int | None) -> None:
    """``role_updated`` for every role whose position a change shifted."""
    for role in await _roles(tx, guild_id):
        if role.id != skip and old.get(role.id) != role.position:
            _emit_role(tx, ServerEvent.ROLE_UPDATED, role)


# -- roles ------------------------------------------------------------------------------


async def list_roles(tx: Tx, user_id: int, guild_id: int) -> list[dict[str, Any]]:
    """The guild's roles by position (members)."""
    await guild_for_member(tx, guild_id, user_id)
    return [role_view(r) for r in await _roles(tx, guild_id)]


async def create_role(tx: Tx, user_id: int, guild_id: int, body: RoleCreate) -> dict[str, Any]:
    """A new role at position 1; every other role above @everyone moves up one."""
    actor = await _actor(tx, guild_id, user_id)
    name = clean_text(body.name, "name", 1, MAX_NAME)
    perms = 0
    if body.permissions is not None:
        perms = parse_permissions(body.permissions, "permissions")
    color = _color(body.color) if body.color is not None else 0
    actor.may_grant(perms)
    # The new role lands at 1 and the caller's roles move up: only a caller holding
    # some role above @everyone stays strictly above it.
    if not actor.is_owner and actor.top <= EVERYONE_POSITION:
        raise insufficient(Permission.MANAGE_ROLES, hierarchy=True)
    await lock_guild(tx, guild_id)  # count and positions: one writer per guild
    count = await tx.session.scalar(
        select(func.count()).select_from(Role).where(Role.guild_id == guild_id)
    )
    if (count or 0) >= MAX_ROLES:
        raise AppError(ErrorCode.LIMIT_REACHED, 400, f"A guild can have at most {MAX_ROLES} roles")
    old = {r.id: r.position for r in await _roles(tx, guild_id)}
    await tx.session.execute(
        update(Role)
        .where(Role.guild_id == guild_id, Role.position >= 1)
        .values(position=Role.position + 1)
        .execution_options(synchronize_session="fetch")
    )
    role = Role(
        guild_id=guild_id,
        name=name,
        permissions=perms,
        position=1,
        color=color,
        hoist=bool(body.hoist),
        mentionable=bool(body.mentionable),
    )
    tx.session.add(role)
    await tx.session.flush()
    view = role_view(role)
    await audit.record(tx, guild_id, user_id, "role_create", role.id, audit.created(view, AUDITED))
    _emit_role(tx, ServerEvent.ROLE_CREATED, role)
    await _emit_moved(tx, guild_id, old, skip=role.id)
    return view


async def update_role(
    tx: Tx, user_id: int, guild_id: int, role_id: int, body: RoleUpdate
) -> dict[str, Any]:
    """Change a role's fields; ``position`` moves it and shifts the roles between."""
    actor, role = await _role_below_actor(tx, guild_id, user_id, role_id)
    before = role_view(role)
    given = body.model_fields_set
    for field in ("name", "permissions", "color", "hoist", "mentionable", "position"):
        if field in given and getattr(body, field) is None:
            raise invalid(field, f"{field} cannot be null")
    everyone = role.position == EVERYONE_POSITION
    if everyone and (body.name is not None or body.position is not None):
        raise invalid(
            "name" if body.name is not None else "position", "@everyone keeps its name and place"
        )
    name = clean_text(body.name, "name", 1, MAX_NAME) if body.name is not None else None
    perms = (
        parse_permissions(body.permissions, "permissions") if body.permissions is not None else None
    )
    color = _color(body.color) if body.color is not None else None
    if perms is not None:
        actor.may_grant(perms & ~role.permissions)  # only what is added is granted
    watch = None
    if perms is not None and perms != role.permissions:
        guild = actor.guild
        watch = await _Watch(tx, guild, await _holders(tx, guild, role)).start()
    old: dict[int, int] = {}
    if body.position is not None:
        await lock_guild(tx, guild_id)
        old = {r.id: r.position for r in await _roles(tx, guild_id)}
        await tx.session.refresh(role)
        highest = max(old.values())
        target = body.position
        if not 1 <= target <= highest:
            raise invalid("position", f"position must be between 1 and {highest}")
        if not actor.is_owner and target >= actor.top:
            raise insufficient(Permission.MANAGE_ROLES, hierarchy=True)
        current = role.position
        if target != current:
            lo, hi, step = (
                (current + 1, target, -1) if target > current else (target, current - 1, 1)
            )
            await tx.session.execute(
                update(Role)
                .where(Role.guild_id == guild_id, Role.position.between(lo, hi))
                .values(position=Role.position + step)
                .execution_options(synchronize_session="fetch")
            )
            role.position = target
    if name is not None:
        role.name = name
    if perms is not None:
        role.permissions = perms
    if color is not None:
        role.color = color
    if body.hoist is not None:
        role.hoist = body.hoist
    if body.mentionable is not None:
        role.mentionable = body.mentionable
    await tx.session.flush()
    if watch is not None:
        await watch.done()
    view = role_view(role)
    diff = audit.changes_between(before, view, AUDITED)
    if diff:
        await audit.record(tx, guild_id, user_id, "role_update", role.id, diff)
    if given:
        _emit_role(tx, ServerEvent.ROLE_UPDATED, role)
    if old:
        await _emit_moved(tx, guild_id, old, skip=role.id)
    return view


async def delete_role(tx: Tx, user_id: int, guild_id: int, role_id: int) -> None:
    """Delete a role (not @everyone): its holders lose it, its overwrites go, the
    roles above move down one."""
    actor, role = await _role_below_actor(
        tx, guild_id, user_id, role_id, "@everyone cannot be deleted"
    )
    await lock_guild(tx, guild_id)
    holders = await _holders(tx, actor.guild, role)
    watch = await _Watch(tx, actor.guild, holders).start()
    view = role_view(role)
    old = {r.id: r.position for r in await _roles(tx, guild_id)}
    # The overwrites name the role by id with no foreign key (a target is a role or
    # a user): they go here; member_roles go by cascade.
    await tx.session.execute(
        delete(ChannelOverwrite).where(
            ChannelOverwrite.target_type == ROLE, ChannelOverwrite.target_id == role.id
        )
    )
    await tx.session.execute(delete(MemberRole).where(MemberRole.role_id == role.id))
    await tx.session.execute(delete(Role).where(Role.id == role.id))
    tx.session.expunge(role)
    await tx.session.execute(
        update(Role)
        .where(Role.guild_id == guild_id, Role.position > view["position"])
        .values(position=Role.position - 1)
        .execution_options(synchronize_session="fetch")
    )
    await watch.done()
    await audit.record(tx, guild_id, user_id, "role_delete", role_id, audit.deleted(view, AUDITED))
    tx.emit(guild_room(guild_id), ServerEvent.ROLE_DELETED, view)
    await _emit_moved(tx, guild_id, old, skip=None)
    for member in await members_out(tx, guild_id, holders):
        tx.emit(guild_room(guild_id), ServerEvent.MEMBER_UPDATED, member)


# -- member roles -----------------------------------------------------------------------


async def _target_member(tx: Tx, guild_id: int, user_id: int) -> None:
    if await tx.session.get(Member, (guild_id, user_id)) is None:
        raise AppError(ErrorCode.USER_NOT_FOUND, 404, "No such member in this guild")


async def give_role(
    tx: Tx, user_id: int, guild_id: int, target_id: int, role_id: int
) -> dict[str, Any]:
    """Give a member a role (idempotent); ``member_updated`` when it is new."""
    actor, role = await _role_below_actor(
        tx, guild_id, user_id, role_id, "Every member holds @everyone"
    )
    actor.may_grant(role.permissions)  # handing out a role grants its bits
    await _target_member(tx, guild_id, target_id)
    held = await tx.session.get(MemberRole, (guild_id, target_id, role_id))
    if held is None:
        # A role can take a channel away too (its overwrite may deny VIEW_CHANNEL).
        watch = await _Watch(tx, actor.guild, [target_id]).start()
        tx.session.add(MemberRole(guild_id=guild_id, user_id=target_id, role_id=role_id))
        await watch.done()
        await _audit_member_role(tx, guild_id, user_id, target_id, "$add", role)
        member = await member_out(tx, guild_id, target_id)
        tx.emit(guild_room(guild_id), ServerEvent.MEMBER_UPDATED, member)
        return member
    return await member_out(tx, guild_id, target_id)


async def _audit_member_role(
    tx: Tx, guild_id: int, actor_id: int, target_id: int, key: str, role: Role
) -> None:
    """``member_role_update``: ``$add`` or ``$remove`` with the role (as Discord)."""
    new = [{"id": role.id, "name": role.name}]
    await audit.record(
        tx, guild_id, actor_id, "member_role_update", target_id, [audit.change(key, None, new)]
    )


async def take_role(
    tx: Tx, user_id: int, guild_id: int, target_id: int, role_id: int
) -> dict[str, Any]:
    """Take a role from a member (idempotent); their sockets leave the rooms of the
    channels they no longer see."""
    actor, role = await _role_below_actor(
        tx, guild_id, user_id, role_id, "Every member holds @everyone"
    )
    await _target_member(tx, guild_id, target_id)
    held = await tx.session.get(MemberRole, (guild_id, target_id, role_id))
    if held is None:
        return await member_out(tx, guild_id, target_id)
    watch = await _Watch(tx, actor.guild, [target_id]).start()
    await tx.session.delete(held)
    await watch.done()
    await _audit_member_role(tx, guild_id, user_id, target_id, "$remove", role)
    member = await member_out(tx, guild_id, target_id)
    tx.emit(guild_room(guild_id), ServerEvent.MEMBER_UPDATED, member)
    return member


# -- channel overwrites -----------------------------------------------------------------


async def _emit_overwrites_changed(
    tx: Tx, guild: Guild, view: dict[str, Any], watch: _Watch
) -> None:
    """``channel_updated`` to those who see the channel now and saw it before (who
    gained it heard ``channel_created``, who lost it ``channel_deleted``)."""
    hidden = (await hidden_from(tx, guild, [view["id"]]))[view["id"]]
    emit_to_viewers(tx, guild.id, ServerEvent.CHANNEL_UPDATED, view, hidden | watch.gained)


def _kind(raw: Any) -> str:
    if raw not in (ROLE, MEMBER):
        raise invalid("type", "type must be role or member")
    return str(raw)


async def _overwrite_target(tx: Tx, guild: Guild, kind: str, target_id: int) -> list[int]:
    """Check the target exists in the guild; answer the members it concerns."""
    if kind == ROLE:
        role = await _role(tx, guild.id, target_id)
        return await _holders(tx, guild, role)
    await _target_member(tx, guild.id, target_id)
    return [target_id]


def _overwrite_view(kind: str, target_id: int, allow: int, deny: int) -> dict[str, Any]:
    return {"id": target_id, "type": kind, "allow": str(allow), "deny": str(deny)}


async def _audit_overwrite(
    tx: Tx,
    guild_id: int,
    actor_id: int,
    channel_id: int,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> None:
    """``channel_overwrite_update`` on the channel: the overwrite before and after
    (null when it was created or removed)."""
    await audit.record(
        tx,
        guild_id,
        actor_id,
        "channel_overwrite_update",
        channel_id,
        [audit.change("overwrite", old, new)],
    )


async def set_overwrite(
    tx: Tx, user_id: int, channel_id: int, target_id: int, body: OverwriteIn
) -> dict[str, Any]:
    """Create or replace one overwrite (MANAGE_ROLES in the channel; only bits the
    caller holds there may change)."""
    found = await require_channel_access(tx, channel_id, user_id, Permission.MANAGE_ROLES)
    kind = _kind(body.type)
    allow = parse_permissions(body.allow, "allow") if body.allow is not None else 0
    deny = parse_permissions(body.deny, "deny") if body.deny is not None else 0
    channel, guild = found.channel, guild_of(found, Permission.MANAGE_ROLES)
    users = await _overwrite_target(tx, guild, kind, target_id)
    existing = await tx.session.get(ChannelOverwrite, (channel.id, kind, target_id))
    old_allow, old_deny = (existing.allow, existing.deny) if existing else (0, 0)
    changed = (allow ^ old_allow) | (deny ^ old_deny)
    missing = changed & ~int(found.permissions)
    if missing:
        raise insufficient(_first_missing(missing))
    watch = await _Watch(tx, guild, users, [channel.id]).start()
    if existing is None:
        tx.session.add(
            ChannelOverwrite(
                channel_id=channel.id, target_type=kind, target_id=target_id, allow=allow, deny=deny
            )
        )
    else:
        existing.allow, existing.deny = allow, deny
    await tx.session.flush()
    await watch.done()
    view = await channel_out(tx, channel)
    if changed or existing is None:
        old_view = (
            None if existing is None else _overwrite_view(kind, target_id, old_allow, old_deny)
        )
        new_view = _overwrite_view(kind, target_id, allow, deny)
        await _audit_overwrite(tx, guild.id, user_id, channel.id, old_view, new_view)
        await _emit_overwrites_changed(tx, guild, view, watch)
    return view


async def delete_overwrite(
    tx: Tx, user_id: int, channel_id: int, target_id: int, kind: Any
) -> dict[str, Any]:
    """Remove one overwrite (idempotent); the same rules as setting it to nothing."""
    found = await require_channel_access(tx, channel_id, user_id, Permission.MANAGE_ROLES)
    if kind is None or kind == "":
        raise AppError(ErrorCode.MISSING_REQUIRED_FIELD, 400, "type is required", {"field": "type"})
    kind = _kind(kind)
    channel, guild = found.channel, guild_of(found, Permission.MANAGE_ROLES)
    existing = await tx.session.get(ChannelOverwrite, (channel.id, kind, target_id))
    if existing is not None:
        missing = (existing.allow | existing.deny) & ~int(found.permissions)
        if missing:
            raise insufficient(_first_missing(missing))
        users: list[int] = []
        if kind == ROLE:
            role = await tx.session.get(Role, target_id)
            if role is not None:
                users = await _holders(tx, guild, role)
        elif await tx.session.get(Member, (guild.id, target_id)) is not None:
            users = [target_id]
        watch = await _Watch(tx, guild, users, [channel.id]).start()
        gone = _overwrite_view(kind, target_id, existing.allow, existing.deny)
        await tx.session.delete(existing)
        await watch.done()
        await _audit_overwrite(tx, guild.id, user_id, channel.id, gone, None)
    view = await channel_out(tx, channel)
    if existing is not None:
        await _emit_overwrites_changed(tx, guild, view, watch)
    return view
