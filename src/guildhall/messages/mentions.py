"""Mentions in message content, Discord's syntax (contract section 16).

``<@user_id>`` (also ``<@!user_id>``), ``<@&role_id>``, ``@everyone`` and ``@here``
are parsed on the server, kept on the message for display (``mentions``,
``mention_roles``, ``mention_everyone``) and indexed for read-state counts:
``message_mentions`` (one row per mentioned user, the replied-to author included)
and ``message_role_mentions``; ``@everyone`` is a flag with a partial index.
An edit re-parses and replaces all of it.

Roles (section 13) come in through two functions: ``qualifying_role_ids``
(which mentioned roles count) and ``member_role_ids`` (which roles a reader holds).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select

from guildhall.models import (
    EVERYONE_POSITION,
    Channel,
    Guild,
    MemberRole,
    Message,
    MessageMention,
    MessageRoleMention,
    Role,
)
from guildhall.permissions import resolver
from guildhall.permissions.bits import Permission
from guildhall.runtime import Tx

_MAX_ID = 2**63 - 1
_USER = re.compile(r"<@!?([1-9][0-9]{0,18})>", re.ASCII)
_ROLE = re.compile(r"<@&([1-9][0-9]{0,18})>", re.ASCII)
# Not inside a word or an e-mail address (a@everyone.org is no mention).
_EVERYONE = re.compile(r"(?<![\w@])@(?:everyone|here)\b")


@dataclass(slots=True)
class Parsed:
    """What the text asks for, before anyone is checked."""

    users: list[int] = field(default_factory=list)
    roles: list[int] = field(default_factory=list)
    everyone: bool = False

    def __bool__(self) -> bool:
        return bool(self.users or self.roles or self.everyone)


@dataclass(slots=True)
class Mentions:
    """What the message carries: users who can see the channel, qualifying roles,
    and ``@everyone``/``@here`` when the author may."""

    users: list[int] = field(default_factory=list)
    roles: list[int] = field(default_factory=list)
    everyone: bool = False


def _ids(pattern: re.Pattern[str], content: str) -> list[int]:
    seen: dict[int, None] = {}
    for match in pattern.finditer(content):
        value = int(match.group(1))
        if value <= _MAX_ID:
            seen.setdefault(value, None)
    return list(seen)


def parse(content: str) -> Parsed:
    """The ids and flags in ``content``, in order of first appearance, deduplicated."""
    if "@" not in content:  # the common case: no regex runs
        return Parsed()
    return Parsed(
        users=_ids(_USER, content),
        roles=_ids(_ROLE, content),
        everyone=_EVERYONE.search(content) is not None,
    )


async def qualifying_role_ids(
    tx: Tx, guild: Guild, role_ids: list[int], any_role: bool
) -> set[int]:
    """Of ``role_ids``, those that are roles of ``guild`` (never @everyone: that is
    ``@everyone``'s own syntax) and ``mentionable``, or any of them when
    ``any_role`` (the author has MENTION_EVERYONE)."""
    if not role_ids:
        return set()
    stmt = select(Role.id).where(
        Role.guild_id == guild.id, Role.id.in_(role_ids), Role.position != EVERYONE_POSITION
    )
    if not any_role:
        stmt = stmt.where(Role.mentionable)
    return set((await tx.session.scalars(stmt)).all())


async def member_role_ids(tx: Tx, user_id: int) -> set[int]:
    """Ids of every role the user holds, in all guilds (role ids are global), for
    counting role mentions (``member_roles`` is indexed by user)."""
    rows = await tx.session.scalars(select(MemberRole.role_id).where(MemberRole.user_id == user_id))
    return set(rows.all())


async def resolve(
    tx: Tx,
    channel: Channel,
    guild: Guild | None,
    author_id: int,
    content: str,
    reply_author_id: int | None = None,
) -> Mentions:
    """The message's mentions: parsed from ``content`` and checked against who may
    see the channel and what the author may mention. A reply adds the replied-to
    author (unless they reply to themselves)."""
    parsed = parse(content)
    wanted = list(parsed.users)
    if reply_author_id is not None and reply_author_id != author_id:
        if reply_author_id not in wanted:
            wanted.append(reply_author_id)
    if not wanted and not parsed.roles and not parsed.everyone:
        return Mentions()
    out = Mentions()
    if wanted:
        visible = await resolver.users_who_can_view(tx, channel, guild, wanted)
        out.users = [uid for uid in wanted if uid in visible]
    if parsed.roles or parsed.everyone:
        perms = await resolver.channel_permissions(tx, channel, guild, author_id)
        may_everyone = Permission.MENTION_EVERYONE in perms
        # Without the permission the text stays plain: no flag, nobody notified.
        out.everyone = parsed.everyone and may_everyone
        if parsed.roles and guild is not None:  # a DM has no roles
            kept = await qualifying_role_ids(tx, guild, parsed.roles, may_everyone)
            out.roles = [rid for rid in parsed.roles if rid in kept]
    return out


def apply(message: Message, mentions: Mentions) -> None:
    """Set the message's own columns (before its insert or an edit's flush)."""
    message.mention_user_ids = mentions.users or None
    message.mention_role_ids = mentions.roles or None
    message.mention_everyone = mentions.everyone


async def index(tx: Tx, message: Message, mentions: Mentions, replace: bool = False) -> None:
    """Write the counting rows of a stored message; ``replace`` drops the old ones
    first (an edit)."""
    if replace:
        for model in (MessageMention, MessageRoleMention):
            await tx.session.execute(delete(model).where(model.message_id == message.id))
    await _insert(tx, MessageMention, "user_id", mentions.users, message)
    await _insert(tx, MessageRoleMention, "role_id", mentions.roles, message)


async def _insert(tx: Tx, model: type, key: str, ids: Iterable[int], message: Message) -> None:
    rows = [{key: i, "channel_id": message.channel_id, "message_id": message.id} for i in ids]
    if rows:
        await tx.session.execute(insert(model), rows)


def fields(message: Message) -> dict[str, object]:
    """The message object's mention fields."""
    return {
        "mentions": list(message.mention_user_ids or ()),
        "mention_roles": list(message.mention_role_ids or ()),
        "mention_everyone": bool(message.mention_everyone),
    }
