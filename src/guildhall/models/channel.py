from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.time import utcnow
from guildhall.models.user import BigId

# Channel types that hold messages: guild text channels and DMs (section 15).
DM_TYPES = ("dm", "group_dm")
MESSAGE_TYPES = ("text", *DM_TYPES)


class Channel(Base):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # NULL for direct messages (``type`` "dm" or "group_dm", section 15).
    guild_id: Mapped[int | None] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    # "" for a DM and for a group DM nobody named (shown as null).
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(16), default="text")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Indexed: deleting a category finds (and un-nests) its channels.
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="SET NULL"), default=None, index=True
    )
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Kept by database triggers (migration 0003), never written by the application.
    message_count: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # The newest message's id (0 when none), kept by triggers (migration 0008) on
    # every insert and delete: read states compare it with ``last_read_id``.
    last_message_id: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # The number of the channel's newest event (contract section 18), taken by the
    # transaction that writes the change (``replay.sequence``): 0 before any.
    seq: Mapped[int] = mapped_column(BigInteger, server_default="0")

    # Group DMs: the recipient who may add and remove others (section 15).
    owner_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # A one-to-one DM's pair, "<lower id>:<higher id>": unique, so two racing first
    # calls create one channel (the loser's insert conflicts and reads the winner's).
    dm_key: Mapped[str | None] = mapped_column(String(48), default=None)

    __table_args__ = (
        Index("ix_channels_guild_position", "guild_id", "position"),
        Index("uq_channels_dm_key", "dm_key", unique=True),
    )


class ChannelRecipient(Base):
    """Who is in a DM or group DM. Their sockets are in its room ``dm:<id>``."""

    __tablename__ = "channel_recipients"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed (with the channel): "my DM channels", and the users foreign key.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The channel's newest message id when the user was added: read states count
    # nothing older as unread (section 16), as members.read_baseline_id does.
    read_baseline_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    __table_args__ = (Index("ix_channel_recipients_user", "user_id", "channel_id"),)
