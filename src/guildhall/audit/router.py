"""The guild audit log over REST."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from guildhall.audit import service
from guildhall.audit.schemas import AuditLogRead
from guildhall.auth.deps import CurrentUser
from guildhall.deps import TxDep
from guildhall.kit import parse
from guildhall.kit.openapi import IdParam, QueryText, documented, int_query
from guildhall.kit.parse import bounded_int

router = APIRouter(prefix="/api", tags=["moderation"])

_MAX_ID = 2**63 - 1


@router.get("/guilds/{guild_id}/audit-log", **documented(AuditLogRead, errors=(400, 403, 404)))
async def audit_log(
    guild_id: IdParam,
    me: CurrentUser,
    tx: TxDep,
    limit: QueryText = int_query(
        description=f"Default {service.DEFAULT_LIMIT}; served within 1-{service.MAX_LIMIT}"
    ),
    before: QueryText = int_query(1, _MAX_ID, "Entries older than this entry id"),
    user_id: QueryText = int_query(1, _MAX_ID, "Only entries by this user"),
    action: QueryText = None,
) -> dict[str, Any]:
    gid = parse.guild_id(guild_id)
    size = bounded_int(limit, "limit", service.DEFAULT_LIMIT, 1, service.MAX_LIMIT, clamp=True)
    cursor = bounded_int(before, "before", 0, 1, _MAX_ID) if before else None
    actor = bounded_int(user_id, "user_id", 0, 1, _MAX_ID) if user_id else None
    entries = await service.entries(
        tx, me.user_id, gid, limit=size, before=cursor, user_id=actor, action=action or None
    )
    return {"entries": entries}
