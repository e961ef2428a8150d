"""Moderation records: bans and the audit log (contract section 14)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.time import utcnow
from guildhall.models.user import BigId


class Ban(Base):
    """A user kept out of a guild; the key answers both "is X banned here" (invite
    join) and "the guild's bans" (the list)."""

    __tablename__ = "bans"

    guild_id: Mapped[int] = mapped_column(
        ForeignKey("guilds.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed: deleting a user cascades here.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    reason: Mapped[str | None] = mapped_column(String(512), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditLogEntry(Base):
    """One moderation or settings change, written in the change's own transaction."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    # The actor. A deleted account keeps its entries (the history is the guild's).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    action: Mapped[str] = mapped_column(String(40))
    # Text: targets are users, channels, messages, roles (integer ids) and emojis,
    # stickers, invites (string ids); the action says which (audit.actions).
    target_id: Mapped[str | None] = mapped_column(String(64), default=None)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(String(512), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # Newest first per guild, paged by ``before=<id>`` (also the guild cascade).
        Index("ix_audit_log_guild_id_id", "guild_id", "id"),
        # The ``user_id`` and ``action`` filters, each still newest first.
        Index("ix_audit_log_guild_user_id", "guild_id", "user_id", "id"),
        Index("ix_audit_log_guild_action_id", "guild_id", "action", "id"),
        # The 90-day trim takes the oldest entries from this end.
        Index("ix_audit_log_created_at", "created_at"),
        # Deleting a user sets its entries' actor to NULL: without it, a full scan.
        Index("ix_audit_log_user_id", "user_id"),
    )
