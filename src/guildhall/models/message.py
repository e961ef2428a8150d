from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.time import utcnow
from guildhall.models.user import BigId

# ``has=link`` in search: the content holds http:// or https:// (any case; SQLite's
# LIKE ignores ASCII case, PostgreSQL's ~* is the case-free regex match). The WHERE
# of the partial index below, and repeated verbatim by the search query: a planner
# uses a partial index only for a query that states its condition.
LINK_SQLITE = "(messages.content LIKE '%http://%' OR messages.content LIKE '%https://%')"
LINK_POSTGRES = "(messages.content ~* 'https?://')"


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    # NULL in a DM channel (section 15).
    guild_id: Mapped[int | None] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    nonce: Mapped[str | None] = mapped_column(String(64), default=None)
    # Section 16. No foreign key: deleting the original keeps the id, so the reply
    # shows ``{id, deleted: true}`` instead of losing its reference.
    reply_to_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # What the message shows (``mentions``, ``mention_roles``), kept on the row so
    # a history page costs no query for it; ``None`` when empty. The counting
    # indexes are ``message_mentions`` / ``message_role_mentions`` (messages/mentions.py).
    mention_user_ids: Mapped[list[int] | None] = mapped_column(JSON, default=None)
    mention_role_ids: Mapped[list[int] | None] = mapped_column(JSON, default=None)
    mention_everyone: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )

    __table_args__ = (
        # History, cursors and retention all walk (channel_id, id).
        Index("ix_messages_channel_id_id", "channel_id", "id"),
        # One author's messages in id order (search's author_id=; the users FK).
        Index("ix_messages_author_id_id", "author_id", "id"),
        # A search's time bound becomes an id bound with one seek.
        Index("ix_messages_created_at", "created_at"),
        # Deleting a guild cascades on messages.guild_id: without it PostgreSQL scans.
        Index("ix_messages_guild_id", "guild_id"),
        # A ban's delete_message_seconds: one author's recent messages in one guild.
        Index("ix_messages_author_guild_created", "author_id", "guild_id", "created_at"),
        # Pins of a channel (list, count against the cap) without walking its history.
        Index(
            "ix_messages_pinned",
            "channel_id",
            "id",
            sqlite_where=text("pinned = 1"),
            postgresql_where=text("pinned"),
        ),
        # Search's pinned=true over many channels: the pins newest first (0014).
        Index(
            "ix_messages_pinned_id",
            "id",
            "channel_id",
            sqlite_where=text("pinned = 1"),
            postgresql_where=text("pinned"),
        ),
        # has=link in search without scanning every message (migration 0006).
        Index(
            "ix_messages_links",
            "channel_id",
            "id",
            sqlite_where=text(LINK_SQLITE),
            postgresql_where=text(LINK_POSTGRES),
        ),
        # Read states count unread @everyone/@here messages of a channel from here.
        Index(
            "ix_messages_mention_everyone",
            "channel_id",
            "id",
            sqlite_where=text("mention_everyone = 1"),
            postgresql_where=text("mention_everyone"),
        ),
        # Idempotent sends: one message per (channel, author, nonce).
        UniqueConstraint("channel_id", "author_id", "nonce", name="uq_messages_nonce"),
    )


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    # Indexed: "is this upload attached elsewhere" when a guild or channel is deleted,
    # and the cascade from a deleted upload.
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)


class Reaction(Base):
    __tablename__ = "reactions"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    emoji: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
