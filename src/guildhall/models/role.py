"""Roles, who holds them, and channel permission overwrites (contract section 13).

``@everyone`` is an ordinary row of ``roles`` with its own id (roles are numbered
apart from guilds), found by ``position = 0``: every guild has exactly one, made
with the guild (and by migration 0010 for guilds older than roles). Nobody holds
it through ``member_roles``: every member has it implicitly.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from guildhall.db import Base, UTCDateTime
from guildhall.kit.time import utcnow
from guildhall.models.user import BigId

EVERYONE_POSITION = 0


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    guild_id: Mapped[int] = mapped_column(ForeignKey("guilds.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # Discord's bits; the highest in use (1 << 40) needs 64 bits.
    permissions: Mapped[int] = mapped_column(BigInteger, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    color: Mapped[int] = mapped_column(Integer, default=0)
    hoist: Mapped[bool] = mapped_column(Boolean, default=False)
    mentionable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # (guild_id, position): the guild's roles in order, and its @everyone (position 0).
    __table_args__ = (Index("ix_roles_guild_position", "guild_id", "position"),)


class MemberRole(Base):
    __tablename__ = "member_roles"

    # The PK answers "this member's roles" (every permission check).
    guild_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    role_id: Mapped[int] = mapped_column(
        ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (
        # Leaving (or being removed from) the guild drops the member's roles.
        ForeignKeyConstraint(
            ["guild_id", "user_id"],
            ["members.guild_id", "members.user_id"],
            ondelete="CASCADE",
            name="fk_member_roles_member",
        ),
        # "Who holds this role" (role changes, deletion) and "all my roles" (the
        # visible channels of a user across guilds).
        Index("ix_member_roles_role_id", "role_id"),
        Index("ix_member_roles_user_id", "user_id"),
    )


class ChannelOverwrite(Base):
    __tablename__ = "channel_overwrites"

    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True
    )
    target_type: Mapped[str] = mapped_column(String(8), primary_key=True)  # 'role' | 'member'
    target_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    allow: Mapped[int] = mapped_column(BigInteger, default=0)
    deny: Mapped[int] = mapped_column(BigInteger, default=0)
