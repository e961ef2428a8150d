"""The one place that answers "may this member do this here?" (contract section 13).

Discord's algorithm (``permissions.compute``) over the member's roles and the
channel's overwrites. A single check is one statement: its inputs are sub-selects
of the row being authorized (``guilds.access``), so the send path pays no extra
round trip. Lists (visible channels, who may see a channel, who lost a channel)
are batch forms: two statements whatever the number of guilds, channels or roles.

Direct messages (section 15): a DM channel has no guild, so no role or overwrite
applies. ``guilds.access`` answers recipients with ``DM_PERMISSIONS`` and anyone
else with 403 ``NOT_CHANNEL_MEMBER``; who may open a DM, or still send in one, is
``may_message`` (friends, or a shared guild).

Timeout (section 14): a member whose ``communication_disabled_until`` is ahead
is refused sending, reacting, typing, pinning, voting, editing and inviting with
403 ``MEMBER_TIMED_OUT`` — by ``require_*`` for the permissions those actions use,
and by ``require_not_timed_out`` where no permission bit governs (one's own pin,
an edit, a vote, typing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, or_, select

from guildhall.codes import ErrorCode
from guildhall.errors import AppError
from guildhall.guilds.access import (
    ChannelAccess,
    channel_access,
    guild_for_member,
    message_access,
)
from guildhall.kit.time import utcnow
from guildhall.models import (
    EVERYONE_POSITION,
    Channel,
    ChannelOverwrite,
    ChannelRecipient,
    Friendship,
    Guild,
    Member,
    MemberRole,
    Role,
)
from guildhall.permissions.bits import ALL, Permission, name_of
from guildhall.permissions.compute import (
    DM_PERMISSIONS,
    MEMBER,
    ROLE,
    RoleInputs,
    channel_level,
    guild_level,
    parse_roles,
    roles_column,
)
from guildhall.runtime import Tx

# Above every role's position: the owner outranks everyone.
OWNER_POSITION = 1 << 62

# Permissions whose use a timed-out member loses (section 14).
TIMEOUT_GATED = (
    Permission.SEND_MESSAGES
    | Permission.ADD_REACTIONS
    | Permission.CREATE_INSTANT_INVITE
    | Permission.ATTACH_FILES
    | Permission.MANAGE_MESSAGES
)


def insufficient(perm: Permission, *, hierarchy: bool = False) -> AppError:
    """403 INSUFFICIENT_PERMISSIONS naming the permission (and the hierarchy when it refused)."""
    details: dict[str, str] = {"permission": name_of(perm)}
    if hierarchy:
        details["reason"] = "hierarchy"
    return AppError(
        ErrorCode.INSUFFICIENT_PERMISSIONS, 403, "Missing permission " + name_of(perm), details
    )


def timed_out() -> AppError:
    return AppError(ErrorCode.MEMBER_TIMED_OUT, 403, "You are timed out in this guild")


def is_timed_out(until: datetime | None) -> bool:
    """The timeout runs until a time still ahead. Who may be timed out (never the
    owner, only below the moderator's role) is moderation's rule, not this one."""
    return until is not None and until > utcnow()


def require_not_timed_out(found: ChannelAccess) -> None:
    """403 MEMBER_TIMED_OUT while the member's timeout runs."""
    if is_timed_out(found.timed_out_until):
        raise timed_out()


def check(found: ChannelAccess, perm: Permission) -> None:
    """Raise unless the member may use ``perm`` in the channel: VIEW_CHANNEL first
    (an invisible channel says so whatever was asked), then ``perm``, then the timeout."""
    for needed in (Permission.VIEW_CHANNEL, perm):
        if needed not in found.permissions:
            raise insufficient(needed)
    if perm & TIMEOUT_GATED:
        require_not_timed_out(found)


def guild_of(found: ChannelAccess, perm: Permission) -> Guild:
    """The guild of a channel the member holds ``perm`` in, for a permission a DM
    never grants (outside ``DM_PERMISSIONS``): a DM channel is refused as ``check``
    refuses it."""
    if found.guild is None:
        raise insufficient(perm)
    return found.guild


def no_dm_with() -> AppError:
    """A DM with someone who is neither a friend nor in a shared guild. No
    permission bit governs it, so ``details`` is empty (part two)."""
    return AppError(
        ErrorCode.INSUFFICIENT_PERMISSIONS,
        403,
        "You can only message friends and people who share a guild with you",
    )


def check_others_message(found: ChannelAccess, pin: bool) -> None:
    """Acting on someone else's message: MANAGE_MESSAGES in a guild channel. In a
    DM any recipient may pin; only the author edits or deletes (section 15)."""
    if found.guild is None and pin:
        return
    check(found, Permission.MANAGE_MESSAGES)


# -- inputs --------------------------------------------------------------------------


async def _role_inputs(tx: Tx, guild_id: int, user_id: int) -> RoleInputs:
    raw = await tx.session.scalar(
        select(roles_column(guild_id, bindparam("user_id"))), {"user_id": user_id}
    )
    return parse_roles(raw)


async def member_role_inputs(
    tx: Tx, guild_id: int, user_ids: Iterable[int]
) -> dict[int, RoleInputs]:
    """Each member's role inputs in one guild, in two statements (non-members left out)."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    everyone = await tx.session.execute(
        select(Role.id, Role.permissions).where(
            Role.guild_id == guild_id, Role.position == EVERYONE_POSITION
        )
    )
    ev = everyone.first()
    ev_id, ev_perms = (ev[0], ev[1]) if ev else (None, 0)
    rows = await tx.session.execute(
        select(Member.user_id, Role.id, Role.position, Role.permissions)
        .select_from(Member)
        .outerjoin(
            MemberRole,
            (MemberRole.guild_id == Member.guild_id) & (MemberRole.user_id == Member.user_id),
        )
        .outerjoin(Role, Role.id == MemberRole.role_id)
        .where(Member.guild_id == guild_id, Member.user_id.in_(ids))
    )
    held: dict[int, list[tuple[int, int, int]]] = {}
    for uid, rid, pos, perms in rows.all():
        lst = held.setdefault(uid, [])
        if rid is not None:
            lst.append((rid, pos, perms))
    out = {}
    for uid, lst in held.items():
        base, top, rids = ev_perms, 0, {ev_id} if ev_id is not None else set()
        for rid, pos, perms in lst:
            base |= perms
            top = max(top, pos)
            rids.add(rid)
        out[uid] = RoleInputs(ev_id, base, top, frozenset(rids))
    return out


# -- single checks -----------------------------------------------------------------


async def guild_permissions(tx: Tx, guild: Guild, user_id: int) -> Permission:
    """The member's guild-wide permissions (no channel overwrites)."""
    if guild.owner_id == user_id:
        return ALL
    return guild_level(False, (await _role_inputs(tx, guild.id, user_id)).base)


async def channel_permissions(
    tx: Tx, channel: Channel, guild: Guild | None, user_id: int
) -> Permission:
    """The member's permissions in one channel (a recipient's in a DM)."""
    if guild is not None and guild.owner_id == user_id:
        return ALL
    return (await channel_access(tx, channel.id, user_id)).permissions


async def require_guild_permission(tx: Tx, guild_id: int, user_id: int, perm: Permission) -> Guild:
    """The guild (404 GUILD_NOT_FOUND; 403 NOT_CHANNEL_MEMBER for a non-member), if
    the member holds ``perm`` (else 403 INSUFFICIENT_PERMISSIONS; MEMBER_TIMED_OUT
    for a timed-out member using a gated permission)."""
    guild = await guild_for_member(tx, guild_id, user_id)
    have = await guild_permissions(tx, guild, user_id)
    if perm not in have:
        raise insufficient(perm)
    if perm & TIMEOUT_GATED:
        until = await tx.session.scalar(
            select(Member.communication_disabled_until).where(
                Member.guild_id == guild_id, Member.user_id == user_id
            )
        )
        if is_timed_out(until):
            raise timed_out()
    return guild


async def require_channel_permission(
    tx: Tx, channel_id: int, user_id: int, perm: Permission
) -> tuple[Channel, Guild | None]:
    """The channel and its guild (404 / 403 NOT_CHANNEL_MEMBER), if the member holds
    ``perm`` there (VIEW_CHANNEL is always required too)."""
    found = await require_channel_access(tx, channel_id, user_id, perm)
    return found.channel, found.guild


async def require_channel_access(
    tx: Tx,
    channel_id: int,
    user_id: int,
    perm: Permission,
    with_author: bool = False,
    detached: bool = False,
) -> ChannelAccess:
    """As ``require_channel_permission``, answering the whole ``ChannelAccess``
    (permissions, timeout, and the author's name when asked) from one statement;
    ``detached`` as in ``channel_access`` (read-only copies, for the hot reads)."""
    found = await channel_access(tx, channel_id, user_id, with_author, detached)
    check(found, perm)
    if (
        perm & Permission.SEND_MESSAGES
        and found.channel.type == "dm"
        and not await _dm_partner_allowed(tx, found.channel.id, user_id)
    ):
        # The history stays readable; only sending stops (section 15).
        raise no_dm_with()
    return found


async def require_message_access(
    tx: Tx, message_id: int, user_id: int, perm: Permission = Permission.VIEW_CHANNEL
) -> ChannelAccess:
    """The message (``.message``) and the member's permissions in its channel, if
    they hold ``perm`` there (and VIEW_CHANNEL)."""
    found = await message_access(tx, message_id, user_id)
    check(found, perm)
    return found


# -- direct messages --------------------------------------------------------------


async def may_message(tx: Tx, user_id: int, other_id: int) -> bool:
    """Whether ``user_id`` may open (or keep sending in) a DM with ``other_id``:
    they are friends, or members of one guild. One statement."""
    mine, theirs = Member.__table__.alias("mine"), Member.__table__.alias("theirs")
    friends = exists().where(Friendship.user_id == user_id, Friendship.friend_id == other_id)
    shared = exists().where(
        mine.c.user_id == user_id,
        theirs.c.guild_id == mine.c.guild_id,
        theirs.c.user_id == other_id,
    )
    return bool(await tx.session.scalar(select(or_(friends, shared))))


async def _dm_partner_allowed(tx: Tx, channel_id: int, user_id: int) -> bool:
    other = await tx.session.scalar(
        select(ChannelRecipient.user_id).where(
            ChannelRecipient.channel_id == channel_id, ChannelRecipient.user_id != user_id
        )
    )
    # Alone in a DM (the other account is gone): nobody to send to.
    return other is not None and await may_message(tx, user_id, other)


async def friends_among(tx: Tx, user_id: int, user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` who are friends of ``user_id`` (group DMs: section 15)."""
    ids = list(set(user_ids))
    if not ids:
        return set()
    rows = await tx.session.scalars(
        select(Friendship.friend_id).where(
            Friendship.user_id == user_id, Friendship.friend_id.in_(ids)
        )
    )
    return set(rows.all())


async def dm_channel_ids(tx: Tx, user_id: int) -> set[int]:
    """The DM and group DM channels the user is a recipient of."""
    rows = await tx.session.scalars(
        select(ChannelRecipient.channel_id).where(ChannelRecipient.user_id == user_id)
    )
    return set(rows.all())


async def dm_recipient_ids(tx: Tx, channel_id: int) -> list[int]:
    """The recipients of a DM channel, earliest added first."""
    rows = await tx.session.scalars(
        select(ChannelRecipient.user_id)
        .where(ChannelRecipient.channel_id == channel_id)
        .order_by(ChannelRecipient.added_at, ChannelRecipient.user_id)
    )
    return list(rows.all())


# -- batch forms ----------------------------------------------------------------------


async def visible_channel_ids(
    tx: Tx, user_id: int, guild_id: int | None = None, need: Permission = Permission.VIEW_CHANNEL
) -> set[int]:
    """Ids of the guild channels the user may see (VIEW_CHANNEL, and ``need``), in
    one guild or all of theirs: two statements (roles per guild, channels with the
    overwrites that concern the user), then the algorithm in memory. Without a
    guild the user's DM channels are included (a recipient may do all of
    ``DM_PERMISSIONS`` there)."""
    allowed = (await channel_verdicts(tx, user_id, guild_id, need))[0]
    if guild_id is None and (Permission.VIEW_CHANNEL | need) in DM_PERMISSIONS:
        allowed |= await dm_channel_ids(tx, user_id)
    return allowed


async def channel_verdicts(
    tx: Tx, user_id: int, guild_id: int | None = None, need: Permission = Permission.VIEW_CHANNEL
) -> tuple[set[int], set[int]]:
    """(allowed, refused) channel ids of the user's guilds (or of one) for
    VIEW_CHANNEL | ``need``. The refused set is usually small: a search scopes by
    guild membership and leaves those out, rather than listing every allowed id."""
    member_guilds = select(Member.guild_id).where(Member.user_id == user_id)
    if guild_id is not None:
        member_guilds = member_guilds.where(Member.guild_id == guild_id)
    guild_rows = await tx.session.execute(
        select(Guild.id, Guild.owner_id, roles_column(Guild.id, bindparam("user_id"))).where(
            Guild.id.in_(member_guilds)
        ),
        {"user_id": user_id},
    )
    inputs: dict[int, tuple[bool, RoleInputs]] = {
        gid: (owner == user_id, parse_roles(raw)) for gid, owner, raw in guild_rows.all()
    }
    if not inputs:
        return set(), set()
    # Every role the user holds in any guild, and each guild's @everyone.
    my_roles = select(MemberRole.role_id).where(MemberRole.user_id == user_id)
    everyone_roles = select(Role.id).where(
        Role.guild_id.in_(member_guilds), Role.position == EVERYONE_POSITION
    )
    ow = ChannelOverwrite
    rows = await tx.session.execute(
        select(Channel.id, Channel.guild_id, ow.target_type, ow.target_id, ow.allow, ow.deny)
        .outerjoin(
            ow,
            and_(
                ow.channel_id == Channel.id,
                or_(
                    and_(ow.target_type == MEMBER, ow.target_id == user_id),
                    and_(
                        ow.target_type == ROLE,
                        or_(ow.target_id.in_(my_roles), ow.target_id.in_(everyone_roles)),
                    ),
                ),
            ),
        )
        .where(Channel.guild_id.in_(list(inputs)))
    )
    per_channel: dict[int, tuple[int, list[tuple[str, int, int, int]]]] = {}
    for cid, gid, kind, tid, allow, deny in rows.all():
        if gid is None:  # never: only guild channels were asked for
            continue
        entry = per_channel.setdefault(cid, (gid, []))
        if kind is not None:
            entry[1].append((kind, tid, allow, deny))
    wanted = Permission.VIEW_CHANNEL | need
    allowed, refused = set(), set()
    for cid, (gid, ows) in per_channel.items():
        is_owner, roles = inputs[gid]
        if wanted in channel_level(is_owner, roles, user_id, ows):
            allowed.add(cid)
        else:
            refused.add(cid)
    return allowed, refused


async def channel_overwrites(
    tx: Tx, channel_ids: Iterable[int]
) -> dict[int, list[tuple[str, int, int, int]]]:
    """Every overwrite of these channels, by channel."""
    ids = list(set(channel_ids))
    out: dict[int, list[tuple[str, int, int, int]]] = defaultdict(list)
    if not ids:
        return out
    ow = ChannelOverwrite
    rows = await tx.session.execute(
        select(ow.channel_id, ow.target_type, ow.target_id, ow.allow, ow.deny).where(
            ow.channel_id.in_(ids)
        )
    )
    for cid, kind, tid, allow, deny in rows.all():
        out[cid].append((kind, tid, allow, deny))
    return out


async def visibility(
    tx: Tx, guild: Guild, user_ids: Iterable[int], channel_ids: Iterable[int] | None = None
) -> dict[int, set[int]]:
    """For each member among ``user_ids``: the ids of the guild's channels (or of
    ``channel_ids``) they may see. Members with the same roles and no overwrite of
    their own share one computation, so a guild-wide change stays cheap."""
    roles = await member_role_inputs(tx, guild.id, user_ids)
    if channel_ids is None:
        cids = list(
            (await tx.session.scalars(select(Channel.id).where(Channel.guild_id == guild.id))).all()
        )
    else:
        cids = list(set(channel_ids))
    ows = await channel_overwrites(tx, cids)
    personal = {tid for lst in ows.values() for kind, tid, _, _ in lst if kind == MEMBER}
    shared: dict[tuple[int, frozenset[int]], set[int]] = {}
    out: dict[int, set[int]] = {}
    for uid, inputs in roles.items():
        is_owner = guild.owner_id == uid
        key = (inputs.base, inputs.role_ids)
        if not is_owner and uid not in personal and key in shared:
            out[uid] = shared[key]
            continue
        seen = {
            cid
            for cid in cids
            if Permission.VIEW_CHANNEL in channel_level(is_owner, inputs, uid, ows.get(cid, []))
        }
        out[uid] = seen
        if not is_owner and uid not in personal:
            shared[key] = seen
    return out


async def users_who_can_view(
    tx: Tx, channel: Channel, guild: Guild | None, user_ids: Iterable[int]
) -> set[int]:
    """Those of ``user_ids`` who are members and may see ``channel`` (recipients, in a DM)."""
    if guild is None:
        return set(await dm_recipient_ids(tx, channel.id)) & set(user_ids)
    seen = await visibility(tx, guild, user_ids, [channel.id])
    return {uid for uid, cids in seen.items() if channel.id in cids}


async def hidden_from(tx: Tx, guild: Guild, channel_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each of ``channel_ids``: the guild's members who may not see it (what a
    guild-wide event about the channel must skip). When @everyone has
    VIEW_CHANNEL and no overwrite of these channels denies it, nobody: answered
    without reading the member list."""
    cids = list(set(channel_ids))
    ows = await channel_overwrites(tx, cids)
    everyone = await tx.session.scalar(
        select(Role.permissions).where(
            Role.guild_id == guild.id, Role.position == EVERYONE_POSITION
        )
    )
    denies = any(deny & Permission.VIEW_CHANNEL for lst in ows.values() for *_, deny in lst)
    if everyone is not None and everyone & Permission.VIEW_CHANNEL and not denies:
        return {cid: set() for cid in cids}
    members = (
        await tx.session.scalars(select(Member.user_id).where(Member.guild_id == guild.id))
    ).all()
    seen = await visibility(tx, guild, members, cids)
    return {cid: {uid for uid, mine in seen.items() if cid not in mine} for cid in cids}


async def top_role_position(tx: Tx, guild: Guild, user_id: int) -> int:
    """The position of the member's highest role (the owner above all)."""
    if guild.owner_id == user_id:
        return OWNER_POSITION
    return (await _role_inputs(tx, guild.id, user_id)).top_position
