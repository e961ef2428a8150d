from __future__ import annotations

from guildhall.auth.schemas import StrictBody


class MessageCreate(StrictBody):
    # Optional here: it may be empty when files are given; the service decides.
    content: str | None = None
    files: list[str] | None = None
    nonce: str | None = None


class MessageUpdate(StrictBody):
    content: str
