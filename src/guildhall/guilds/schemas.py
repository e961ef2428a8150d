from __future__ import annotations

from guildhall.auth.schemas import StrictBody


class GuildCreate(StrictBody):
    name: str


class InviteCreate(StrictBody):
    """Both optional: ``expires_hours`` 0 = never (max 168), ``max_uses`` 0 = unlimited."""

    expires_hours: int = 24
    max_uses: int = 0
