"""Section 16: mention indexes, edit history and read states.

Read states are keyed by (user, channel) only, never by guild, so DM channels
(section 15) use the same table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.time import utcnow
from guildhall.models.user import BigId


class MessageMention(Base):
    """One mentioned user of a message (``<@id>`` or the replied-to author): the index
    a user's mention counts come from, by ``(user_id, channel_id, message_id)``."""

    __tablename__ = "message_mentions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )

    # The cascade from a deleted message, and an edit replacing its mentions.
    __table_args__ = (Index("ix_message_mentions_message_id", "message_id"),)


class MessageRoleMention(Base):
    """One mentioned role of a message. No foreign key to roles: the roles table is
    another change's; a deleted role's rows simply never match a member's roles."""

    __tablename__ = "message_role_mentions"

    role_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_message_role_mentions_message_id", "message_id"),)


class MessageEdit(Base):
    """A replaced version of a message: its content and when it was replaced."""

    __tablename__ = "message_edits"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_message_edits_message_id_id", "message_id", "id"),)


class ReadState(Base):
    """How far a user has read a channel. A row exists once the user acked or sent
    there; before that the membership's ``read_baseline_id`` stands in."""

    __tablename__ = "read_states"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_id: Mapped[int] = mapped_column(BigInteger, default=0)
