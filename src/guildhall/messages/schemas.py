from __future__ import annotations

from datetime import datetime

from guildhall.files.schemas import UploadRead
from guildhall.kit.body import StrictBody
from guildhall.kit.openapi import Read
from guildhall.polls.schemas import PollRead


class MessageCreate(StrictBody):
    """``content`` 1-2000 characters after trimming (may be empty or absent when
    ``files`` is given); ``files`` at most 10 upload paths of the caller's own
    uploads; ``nonce`` up to 64 characters, deduplicating resends for 5 minutes;
    ``reply_to`` the id of a message of the same channel."""

    # Optional here: it may be empty when files are given; the service decides.
    content: str | None = None
    files: list[str] | None = None
    nonce: str | None = None
    reply_to: int | None = None


class MessageUpdate(StrictBody):
    content: str


# Answers (documentation only: see ``kit/openapi.py``).


class ReactionRead(Read):
    emoji: str  # a unicode emoji or :name: of a guild emoji
    count: int
    users: list[str]  # usernames, in the order they reacted


class ReplyRead(Read):
    """The replied-to message: ``{id, author_id, username, content}`` (content cut to
    100 characters), or ``{id, deleted: true}`` once it is gone."""

    id: int
    author_id: int | None = None
    username: str | None = None
    content: str | None = None
    deleted: bool | None = None


class MessageEditRead(Read):
    """An earlier version: its content and when it was replaced."""

    content: str
    edited_at: datetime


class MessageRead(Read):
    """The one message shape, in REST answers and socket events alike."""

    id: int
    channel_id: int
    guild_id: int | None  # null in a DM (section 15)
    author_id: int
    username: str
    display_name: str | None  # shown instead of the username where set
    avatar: str | None
    content: str
    timestamp: datetime
    edited_at: datetime | None
    pinned: bool
    files: list[UploadRead]
    reactions: list[ReactionRead]
    poll: PollRead | None
    nonce: str | None
    reply_to: ReplyRead | None
    mentions: list[int]  # mentioned users who can see the channel (a reply's author too)
    mention_roles: list[int]
    mention_everyone: bool  # @everyone / @here, when the author has MENTION_EVERYONE


class PagePagination(Read):
    """Page mode (``page``): page 1 holds the newest messages."""

    page: int
    limit: int
    total: int
    pages: int


class WindowPagination(Read):
    """Cursor mode (``before``/``after``)."""

    limit: int
    has_more: bool


class MessagePage(Read):
    """Messages oldest first within the page or window."""

    messages: list[MessageRead]
    pagination: PagePagination | WindowPagination
