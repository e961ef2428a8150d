"""Users as others see them (never their email), and their presence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, or_, select

from guildhall.db import Tx
from guildhall.errors import AppError
from guildhall.kit.confusables import name_skeleton
from guildhall.kit.validation import fold, username_ok
from guildhall.models import User
from guildhall.runtime import Runtime

SEARCH_MIN_CHARS = 2
SEARCH_MAX_RESULTS = 25


async def user_status(rt: Runtime, user_id: int) -> str:
    """``online`` while the user has a connected socket on any node."""
    if rt.presence is None:
        return "offline"
    return "online" if await rt.presence.is_online(user_id) else "offline"


async def statuses(rt: Runtime, user_ids: list[int]) -> dict[int, str]:
    """Presence of many users in one round trip."""
    if rt.presence is None or not user_ids:
        return dict.fromkeys(user_ids, "offline")
    online = await rt.presence.online_among(user_ids)
    return {uid: ("online" if uid in online else "offline") for uid in user_ids}


def public_user(user_id: int, username: str, avatar: str | None) -> dict[str, Any]:
    """How one user appears inside another object (members, events)."""
    return {"id": user_id, "username": username, "avatar": avatar}


async def list_users(tx: Tx, limit: int, offset: int) -> list[dict[str, Any]]:
    """Everyone, by username (case-insensitively: the folded key is indexed),
    with presence fetched for the whole page at once."""
    rows = (
        await tx.session.execute(
            select(User.id, User.username, User.avatar)
            .order_by(User.username_key, User.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    status = await statuses(tx.rt, [r.id for r in rows])
    return [{**public_user(r.id, r.username, r.avatar), "status": status[r.id]} for r in rows]


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search_users(tx: Tx, query: str) -> list[dict[str, Any]]:
    """Case-insensitive substring match on the username, prefix matches first.

    Matching runs on ``username_key`` (the NFKC-casefolded name), so it is
    case-insensitive in any script on both engines (SQLite's ``lower`` and
    ``LIKE`` only fold ASCII)."""
    query = query.strip()
    key = fold(query)
    # As typed and as folded: folding can lengthen it ("ß" → "ss") or shorten it.
    if min(len(query), len(key)) < SEARCH_MIN_CHARS:
        raise AppError("INVALID_INPUT", 400, "Search needs at least 2 characters", {"field": "q"})
    # Longer than any stored key, or a NUL (in no name; PostgreSQL text cannot hold
    # one): nothing can match.
    if len(key) > 64 or "\x00" in key:
        return []
    escaped = _like_escape(key)
    is_prefix = User.username_key.like(f"{escaped}%", escape="\\")
    rows = (
        await tx.session.execute(
            select(User.username, User.avatar)
            .where(User.username_key.like(f"%{escaped}%", escape="\\"))
            .order_by(case((is_prefix, 0), else_=1), User.username_key)
            .limit(SEARCH_MAX_RESULTS)
        )
    ).all()
    return [{"username": r.username, "avatar": r.avatar} for r in rows]


async def by_username(tx: Tx, username: str) -> User:
    """The user with this name (case-insensitive), else 404 ``USER_NOT_FOUND``."""
    user = None
    if username_ok(username):
        user = (
            await tx.session.execute(select(User).where(User.username_key == fold(username)))
        ).scalar_one_or_none()
    if user is None:
        raise AppError("USER_NOT_FOUND", 404, "User not found")
    return user


def name_taken() -> AppError:
    return AppError("USER_ALREADY_EXISTS", 400, "Username or email already taken")


async def claim_username(
    tx: Tx, username: str, email: str | None = None, user_id: int | None = None
) -> tuple[str, str]:
    """The keys ``(username_key, username_skeleton)`` of a name a user may take.

    The one check every way of getting a name goes through (register; a username
    change passes its own ``user_id``): 400 ``USER_ALREADY_EXISTS`` when another
    account has the name in any case, or one that looks the same (UTS #39 skeleton:
    ``аdmin`` with a Cyrillic ``а`` against ``admin``), or the ``email``. Both keys
    are unique in the schema too, so a concurrent claim fails on insert instead.
    """
    key, look = fold(username), name_skeleton(username)
    taken = [User.username_key == key, User.username_skeleton == look]
    if email is not None:
        taken.append(User.email_key == fold(email))
    query = select(User.id).where(or_(*taken))
    if user_id is not None:
        query = query.where(User.id != user_id)
    if (await tx.session.execute(query.limit(1))).first() is not None:
        raise name_taken()
    return key, look


async def lock_users(tx: Tx, user_ids: Iterable[int]) -> None:
    """Serialise changes that read-then-write per user (limits, friend pairs).

    PostgreSQL: row locks in id order (no deadlock between two callers).
    SQLite: a no-op, writers are already serialised."""
    ids = sorted(set(user_ids))
    if ids and not tx.rt.db.is_sqlite:
        await tx.session.execute(
            select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update()
        )
