from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.time import utcnow
from guildhall.models.user import BigId


class Channel(Base):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
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

    __table_args__ = (Index("ix_channels_guild_position", "guild_id", "position"),)
