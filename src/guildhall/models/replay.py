"""The replay log: each channel's recent numbered events (contract section 18)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.time import utcnow


class ChannelEvent(Base):
    """One numbered event of a channel, as delivered (``data`` is its JSON, ``seq``
    included). ``data`` is NULL once its message is deleted: the slot then replays
    as ``message_deleted``, and the content is gone from the log too."""

    __tablename__ = "channel_events"

    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(32))
    # The message the event is about: found again when the message is deleted.
    message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    data: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        PrimaryKeyConstraint("channel_id", "seq"),
        # The age trim deletes from the oldest end without a full scan.
        Index("ix_channel_events_created_at", "created_at"),
    )
