"""All models, imported here so metadata (and Alembic) sees every table."""

from guildhall.models.channel import Channel
from guildhall.models.emoji import Emoji, Sticker
from guildhall.models.file import Upload
from guildhall.models.guild import Guild, Invite, Member
from guildhall.models.message import Attachment, Message, Reaction
from guildhall.models.poll import Poll, PollOption, PollVote
from guildhall.models.user import FriendRequest, Friendship, PasswordReset, Session, User

__all__ = [
    "Attachment",
    "Channel",
    "Emoji",
    "FriendRequest",
    "Friendship",
    "Guild",
    "Invite",
    "Member",
    "Message",
    "PasswordReset",
    "Poll",
    "PollOption",
    "PollVote",
    "Reaction",
    "Session",
    "Sticker",
    "Upload",
    "User",
]
