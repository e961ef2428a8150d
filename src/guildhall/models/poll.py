from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, ForeignKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.ids import new_string_id
from guildhall.kit.time import utcnow


class Poll(Base):
    __tablename__ = "polls"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_string_id)
    # One poll a message: the unique message_id enforces it under races too.
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    question: Mapped[str] = mapped_column(String(300))
    allow_multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PollOption(Base):
    __tablename__ = "poll_options"

    poll_id: Mapped[str] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(4), primary_key=True)  # "1", "2", ...
    position: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(String(100))


class PollVote(Base):
    __tablename__ = "poll_votes"

    poll_id: Mapped[str] = mapped_column(primary_key=True)
    option_id: Mapped[str] = mapped_column(String(4), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        ForeignKeyConstraint(
            ["poll_id", "option_id"],
            ["poll_options.poll_id", "poll_options.id"],
            ondelete="CASCADE",
        ),
    )
