"""Every audited action (contract section 14) and the kind of id its target has.

``target_id`` in an entry has the type of the target's id (contract section 1):
an integer for users, channels, messages and roles; a string for emojis,
stickers and invite codes. Branches that add an audited change call
``audit.service.record`` with one of these names.
"""

from __future__ import annotations

from typing import Literal

TargetKind = Literal["int", "str", "none"]

ACTIONS: dict[str, TargetKind] = {
    "guild_update": "int",  # the guild
    "channel_create": "int",  # the channel
    "channel_update": "int",
    "channel_delete": "int",
    "channel_overwrite_update": "int",  # the channel
    "role_create": "int",  # the role
    "role_update": "int",
    "role_delete": "int",
    "member_role_update": "int",  # the member's user id
    "member_kick": "int",  # the user
    "member_ban_add": "int",
    "member_ban_remove": "int",
    "member_timeout": "int",
    "message_delete": "int",  # the message
    "message_pin": "int",
    "message_unpin": "int",
    "invite_create": "str",  # the invite code
    "invite_delete": "str",
    "emoji_create": "str",  # the emoji id
    "emoji_delete": "str",
    "sticker_create": "str",  # the sticker id
    "sticker_delete": "str",
}
