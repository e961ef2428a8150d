from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.time import utcnow
from guildhall.models.user import BigId


class Guild(Base):
    __tablename__ = "guilds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # A URL path (``/uploads/icons/<guild id>/<random>.<ext>``), as a user's avatar.
    icon: Mapped[str | None] = mapped_column(String(512), default=None)
    description: Mapped[str | None] = mapped_column(String(300), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Member(Base):
    __tablename__ = "members"

    guild_id: Mapped[int] = mapped_column(
        ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True
    )
    # (user_id, guild_id) answers "my guilds"; the PK answers "its members".
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Timeout (section 14): until then the member may read but not send, react,
    # type, pin, vote, edit or invite (403 MEMBER_TIMED_OUT, enforced by the resolver).
    communication_disabled_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The newest message id of the whole database when the member joined (set by a
    # trigger, migration 0008): messages up to it count as read in every channel of
    # the guild, so joining a busy guild shows nothing unread (readstates/).
    read_baseline_id: Mapped[int] = mapped_column(BigInteger, server_default="0")


class Invite(Base):
    __tablename__ = "invites"
    # The guild's list, in order and paged by (created_at, code).
    __table_args__ = (Index("ix_invites_guild_created", "guild_id", "created_at", "code"),)

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"), index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    max_uses: Mapped[int] = mapped_column(Integer, default=0)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
