"""Edit history (contract section 16): every edit keeps the version it replaces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from guildhall.guilds.access import message_for_member
from guildhall.kit.time import iso
from guildhall.models import MessageEdit
from guildhall.permissions import resolver
from guildhall.permissions.bits import Permission
from guildhall.runtime import Tx


def record(tx: Tx, message_id: int, previous: str, replaced_at: datetime) -> None:
    """Keep ``previous``, the content an edit at ``replaced_at`` replaces."""
    tx.session.add(MessageEdit(message_id=message_id, content=previous, edited_at=replaced_at))


async def history(tx: Tx, user_id: int, message_id: int) -> list[dict[str, Any]]:
    """Earlier versions, oldest first, for anyone who can read the message."""
    message, channel, guild = await message_for_member(tx, message_id, user_id)
    have = await resolver.channel_permissions(tx, channel, guild, user_id)
    for needed in (Permission.VIEW_CHANNEL, Permission.READ_MESSAGE_HISTORY):
        if needed not in have:
            raise resolver.insufficient(needed)
    rows = (
        await tx.session.execute(
            select(MessageEdit.content, MessageEdit.edited_at)
            .where(MessageEdit.message_id == message.id)
            .order_by(MessageEdit.id)
        )
    ).all()
    return [{"content": content, "edited_at": iso(at)} for content, at in rows]
