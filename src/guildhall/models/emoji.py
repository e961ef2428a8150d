from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.ids import new_string_id
from guildhall.kit.time import utcnow


class Emoji(Base):
    __tablename__ = "emojis"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_string_id)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(32))
    file_path: Mapped[str] = mapped_column(String(400))
    animated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("guild_id", "name", name="uq_emojis_guild_name"),)


class Sticker(Base):
    __tablename__ = "stickers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_string_id)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    file_path: Mapped[str] = mapped_column(String(400))
    description: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
