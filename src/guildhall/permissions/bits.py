"""Permission bits (contract section 13): Discord's values, sent as decimal strings."""

from __future__ import annotations

import enum
from functools import reduce
from operator import or_


class Permission(enum.IntFlag):
    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    MANAGE_ROLES = 1 << 28
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    MODERATE_MEMBERS = 1 << 40


ALL = reduce(or_, Permission, Permission(0))

# What every member could do in sections 5-9 of the contract: @everyone's default.
EVERYONE_DEFAULT = (
    Permission.CREATE_INSTANT_INVITE
    | Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
)


def name_of(perm: Permission) -> str:
    """The contract's name of one bit (``details.permission``)."""
    return perm.name or str(int(perm))
