from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.time import utcnow

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer, "sqlite")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(254))
    # Uniqueness and look-ups are case-insensitive in any script (SQLite's lower()
    # is ASCII-only), so the folded forms are stored and indexed.
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    # The UTS #39 look-alike key (``kit/confusables.name_skeleton``): unique, so
    # ``аdmin`` with a Cyrillic ``а`` cannot join ``admin``. NULL only for accounts
    # that already collided when the key was introduced (migration 0005): the older
    # account holds the key, the newer keeps its name. 32 characters expand to at
    # most 576 (2304 bytes), under PostgreSQL's b-tree entry limit.
    username_skeleton: Mapped[str | None] = mapped_column(
        String(1024), unique=True, index=True, default=None
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    # A URL path (``/uploads/avatars/<user id>/<random>.<ext>``): the server's
    # square copy of an upload, served from the ``users`` row that names it.
    avatar: Mapped[str | None] = mapped_column(String(512), default=None)
    display_name: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Session(Base):
    """A server-side login: the token is stored only as its SHA-256."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Sessions idle longer than ``session_idle_days`` end. Refreshed at most once an
    # hour (``auth.service.TOUCH_EVERY``), so a request is not a write.
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FriendRequest(Base):
    __tablename__ = "friend_requests"

    from_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    to_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Friendship(Base):
    """Stored once per direction, so "my friends" is one index range."""

    __tablename__ = "friendships"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    friend_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PasswordReset(Base):
    """A password-reset token, stored only as its SHA-256; single use, short-lived.

    Rows stay after use or expiry for the per-account hourly request count
    (``(user_id, created_at)`` answers it) and are purged a day later."""

    __tablename__ = "password_resets"
    __table_args__ = (Index("ix_password_resets_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
