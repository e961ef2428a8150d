from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.time import utcnow
from guildhall.models.user import BigId


class Upload(Base):
    """A stored file: ``path`` is ``uploads/<unguessable>/<sanitized name>``."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    path: Mapped[str] = mapped_column(String(400), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    mimetype: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Indexed: the sweep of uploads never attached looks for old ones.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Decided at upload: an image a client may decode as a preview (at most 40
    # megapixels). Anything else is served and shown as a download.
    preview: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
