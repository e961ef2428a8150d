"""Answers of the audit log (documentation only: see ``kit/openapi.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from guildhall.kit.openapi import Read


class AuditChange(Read):
    key: str
    old: Any
    new: Any


class AuditEntryRead(Read):
    id: int
    guild_id: int
    action: str
    user_id: int | None  # the actor; null once their account is gone
    # The target's own id type: integer (user, channel, message, role) or string
    # (emoji, sticker, invite code).
    target_id: int | str | None
    changes: list[AuditChange]
    reason: str | None
    created_at: datetime


class AuditLogRead(Read):
    """Newest first."""

    entries: list[AuditEntryRead]
