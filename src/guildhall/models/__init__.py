"""All models, imported here so metadata (and Alembic) sees every table."""

from guildhall.models.channel import Channel, ChannelRecipient
from guildhall.models.emoji import Emoji, Sticker
from guildhall.models.file import Upload
from guildhall.models.guild import Guild, Invite, Member
from guildhall.models.message import Attachment, Message, Reaction
from guildhall.models.moderation import AuditLogEntry, Ban
from guildhall.models.poll import Poll, PollOption, PollVote
from guildhall.models.readstate import MessageEdit, MessageMention, MessageRoleMention, ReadState
from guildhall.models.replay import ChannelEvent
from guildhall.models.role import EVERYONE_POSITION, ChannelOverwrite, MemberRole, Role
from guildhall.models.user import FriendRequest, Friendship, PasswordReset, Session, User

__all__ = [
    "EVERYONE_POSITION",
    "Attachment",
    "AuditLogEntry",
    "Ban",
    "Channel",
    "ChannelEvent",
    "ChannelOverwrite",
    "ChannelRecipient",
    "Emoji",
    "FriendRequest",
    "Friendship",
    "Guild",
    "Invite",
    "Member",
    "MemberRole",
    "Message",
    "MessageEdit",
    "MessageMention",
    "MessageRoleMention",
    "PasswordReset",
    "Poll",
    "PollOption",
    "PollVote",
    "Reaction",
    "ReadState",
    "Role",
    "Session",
    "Sticker",
    "Upload",
    "User",
]
