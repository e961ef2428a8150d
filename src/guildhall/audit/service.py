"""The audit log: the one writer (:func:`record`), the read (:func:`entries`) and the
90-day retention (:func:`trim`).

``record`` runs inside the caller's unit of work, so an entry exists exactly
when its change committed. The reason is the request's ``X-Audit-Log-Reason``,
carried by the ``Tx`` (``audit.reason``), unless the caller names one.

Retention: every ``TRIM_EVERY``-th entry (by id, so counted across every node
sharing the database) schedules, after its commit, one bounded delete of
entries older than 90 days from the ``created_at`` index's oldest end, in its
own unit of work. Nodes racing to trim delete the same old rows; the loser
deletes fewer or none, nothing else waits on those rows, and a failed trim is
logged and redone by the next one. Reads also leave out anything past 90 days,
so the contract holds between trims even in a quiet database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from guildhall.audit.actions import ACTIONS
from guildhall.errors import invalid
from guildhall.kit.time import iso, utcnow
from guildhall.models import AuditLogEntry
from guildhall.permissions.bits import Permission
from guildhall.permissions.resolver import require_guild_permission
from guildhall.runtime import Runtime, Tx

log = logging.getLogger("guildhall.audit")

RETENTION = timedelta(days=90)
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
TRIM_EVERY = 256  # one trim per this many entries written
TRIM_BATCH = 1000  # at most this many entries deleted by one trim

# Pass as ``reason`` to record none even when the request carries one.
_FROM_REQUEST: Any = object()


def change(key: str, old: Any, new: Any) -> dict[str, Any]:
    return {"key": key, "old": old, "new": new}


def changes_between(
    before: Mapping[str, Any], after: Mapping[str, Any], keys: Iterable[str]
) -> list[dict[str, Any]]:
    """``[{key, old, new}]`` for each of ``keys`` whose value differs."""
    return [change(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def created(view: Mapping[str, Any], keys: Iterable[str]) -> list[dict[str, Any]]:
    """A new object's values (``old`` null), leaving out keys without a value."""
    return [change(k, None, view[k]) for k in keys if view.get(k) is not None]


def deleted(view: Mapping[str, Any], keys: Iterable[str]) -> list[dict[str, Any]]:
    """A deleted object's last values (``new`` null)."""
    return [change(k, view[k], None) for k in keys if view.get(k) is not None]


async def record(
    tx: Tx,
    guild_id: int | None,
    actor_id: int | None,
    action: str,
    target_id: int | str | None,
    changes: list[dict[str, Any]] | None = None,
    reason: str | None = _FROM_REQUEST,
) -> None:
    """Write one audit entry in ``tx`` (the change's own transaction).

    ``action`` is one of ``audit.actions.ACTIONS``; ``changes`` is ``[{key, old,
    new}]`` of JSON values; ``reason`` defaults to the request's
    ``X-Audit-Log-Reason``. Outside a guild (a pin in a DM) there is no log:
    nothing is written."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if guild_id is None:
        return
    entry = AuditLogEntry(
        guild_id=guild_id,
        user_id=actor_id,
        action=action,
        target_id=None if target_id is None else str(target_id),
        changes=changes or [],
        reason=tx.audit_reason if reason is _FROM_REQUEST else reason,
        created_at=utcnow(),
    )
    tx.session.add(entry)
    await tx.session.flush()
    if entry.id % TRIM_EVERY == 0:
        rt = tx.rt
        tx.on_commit(lambda: trim_in_background(rt))


async def trim_in_background(rt: Runtime) -> None:
    try:
        await trim(rt)
    except Exception:  # the next trim picks up what this one left
        log.exception("audit log trim failed")


async def trim(rt: Runtime, now: datetime | None = None) -> int:
    """Delete up to ``TRIM_BATCH`` entries older than 90 days, oldest first; the
    number deleted. Reads only the oldest end of ``ix_audit_log_created_at``."""
    cutoff = (now or utcnow()) - RETENTION
    async with rt.transaction() as tx:
        ids = list(
            (
                await tx.session.execute(
                    select(AuditLogEntry.id)
                    .where(AuditLogEntry.created_at < cutoff)
                    .order_by(AuditLogEntry.created_at)
                    .limit(TRIM_BATCH)
                )
            ).scalars()
        )
        if ids:
            await tx.session.execute(
                delete(AuditLogEntry)
                .where(AuditLogEntry.id.in_(ids))
                .execution_options(synchronize_session=False)
            )
    return len(ids)


def _target(action: str, raw: str | None) -> int | str | None:
    if raw is None:
        return None
    return int(raw) if ACTIONS.get(action) == "int" and raw.isdigit() else raw


def entry_view(entry: AuditLogEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "guild_id": entry.guild_id,
        "action": entry.action,
        "user_id": entry.user_id,
        "target_id": _target(entry.action, entry.target_id),
        "changes": entry.changes,
        "reason": entry.reason,
        "created_at": iso(entry.created_at),
    }


async def entries(
    tx: Tx,
    viewer_id: int,
    guild_id: int,
    *,
    limit: int = DEFAULT_LIMIT,
    before: int | None = None,
    user_id: int | None = None,
    action: str | None = None,
) -> list[dict[str, Any]]:
    """A guild's entries, newest first, for a member with VIEW_AUDIT_LOG.

    Each filter combination walks one ``(guild_id, [user_id | action,] id)``
    index backwards from ``before``."""
    await require_guild_permission(tx, guild_id, viewer_id, Permission.VIEW_AUDIT_LOG)
    if action is not None and action not in ACTIONS:
        raise invalid("action", "action must be one of " + ", ".join(sorted(ACTIONS)))
    stmt = (
        select(AuditLogEntry)
        .where(
            AuditLogEntry.guild_id == guild_id,
            AuditLogEntry.created_at >= utcnow() - RETENTION,
        )
        .order_by(AuditLogEntry.id.desc())
        .limit(limit)
    )
    if before is not None:
        stmt = stmt.where(AuditLogEntry.id < before)
    if user_id is not None:
        stmt = stmt.where(AuditLogEntry.user_id == user_id)
    if action is not None:
        stmt = stmt.where(AuditLogEntry.action == action)
    return [entry_view(e) for e in (await tx.session.execute(stmt)).scalars()]
