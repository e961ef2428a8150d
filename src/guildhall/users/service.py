"""Users as others see them (never their email), and their presence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid
from guildhall.events import ServerEvent, guild_room, user_room
from guildhall.files import storage
from guildhall.files.service import forget, square_copy
from guildhall.kit.confusables import name_skeleton
from guildhall.kit.validation import check_display_name, check_username, fold, username_ok
from guildhall.models import Friendship, Member, User
from guildhall.runtime import Runtime, Tx

SEARCH_MIN_CHARS = 2
SEARCH_MAX_RESULTS = 25


async def user_status(rt: Runtime, user_id: int) -> str:
    """``online`` while the user has a connected socket on any node."""
    return "online" if await rt.presence.is_online(user_id) else "offline"


async def statuses(rt: Runtime, user_ids: list[int]) -> dict[int, str]:
    """Presence of many users in one round trip."""
    if not user_ids:
        return dict.fromkeys(user_ids, "offline")
    online = await rt.presence.online_among(user_ids)
    return {uid: ("online" if uid in online else "offline") for uid in user_ids}


def public_user(
    user_id: int, username: str, avatar: str | None, display_name: str | None
) -> dict[str, Any]:
    """How one user appears inside another object (members, events)."""
    return {"id": user_id, "username": username, "display_name": display_name, "avatar": avatar}


def user_fields(user: User) -> dict[str, Any]:
    """``public_user`` of a loaded row."""
    return public_user(user.id, user.username, user.avatar, user.display_name)


async def list_users(tx: Tx, limit: int, offset: int) -> list[dict[str, Any]]:
    """Everyone, by username (case-insensitively: the folded key is indexed),
    with presence fetched for the whole page at once."""
    rows = (
        await tx.session.execute(
            select(User.id, User.username, User.avatar, User.display_name)
            .order_by(User.username_key, User.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    status = await statuses(tx.rt, [r.id for r in rows])
    return [
        {**public_user(r.id, r.username, r.avatar, r.display_name), "status": status[r.id]}
        for r in rows
    ]


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
        raise AppError(
            ErrorCode.INVALID_INPUT, 400, "Search needs at least 2 characters", {"field": "q"}
        )
    # Longer than any stored key, or a NUL (in no name; PostgreSQL text cannot hold
    # one): nothing can match.
    if len(key) > 64 or "\x00" in key:
        return []
    escaped = _like_escape(key)
    is_prefix = User.username_key.like(f"{escaped}%", escape="\\")
    rows = (
        await tx.session.execute(
            select(User.username, User.avatar, User.display_name)
            .where(User.username_key.like(f"%{escaped}%", escape="\\"))
            .order_by(case((is_prefix, 0), else_=1), User.username_key)
            .limit(SEARCH_MAX_RESULTS)
        )
    ).all()
    return [
        {"username": r.username, "display_name": r.display_name, "avatar": r.avatar} for r in rows
    ]


async def by_username(tx: Tx, username: str) -> User:
    """The user with this name (case-insensitive), else 404 ``USER_NOT_FOUND``."""
    user = None
    if username_ok(username):
        user = (
            await tx.session.execute(select(User).where(User.username_key == fold(username)))
        ).scalar_one_or_none()
    if user is None:
        raise AppError(ErrorCode.USER_NOT_FOUND, 404, "User not found")
    return user


def name_taken() -> AppError:
    return AppError(ErrorCode.USER_ALREADY_EXISTS, 400, "Username or email already taken")


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
    if ids:
        await tx.dialect.lock(tx.session, select(User.id).where(User.id.in_(ids)).order_by(User.id))


async def update_me(rt: Runtime, user_id: int, changes: dict[str, Any]) -> None:
    """``PUT /api/me``: change the username, display name and/or avatar (only the
    keys present in ``changes``; ``None`` removes a display name or avatar).

    Values are checked first; a new avatar's square copy is made and stored
    outside any transaction (Pillow work holds no lock), then one short unit of
    work applies everything under the user's row lock. The replaced avatar's
    file goes after commit; the new one is removed again if the unit fails.
    The change reaches the user's guilds and friends as ``user_updated``."""
    if "username" in changes:
        if changes["username"] is None:
            raise invalid("username", "username cannot be removed")
        check_username(changes["username"])
    if changes.get("display_name") is not None:
        changes["display_name"] = check_display_name(changes["display_name"])
    new_avatar: str | None = None
    if changes.get("avatar") is not None:
        new_avatar = await square_copy(rt, user_id, changes["avatar"], "avatar", "avatars", user_id)
        changes["avatar"] = new_avatar
    try:
        async with rt.transaction() as tx:
            await lock_users(tx, [user_id])
            user = await tx.session.get(User, user_id)
            assert user is not None  # the caller's session cascades with the user
            before = user_fields(user)
            old_avatar = user.avatar
            if "username" in changes and changes["username"] != user.username:
                # The register rule, the register function: one notion of "taken"
                # (case and look-alikes, UTS #39).
                key, look = await claim_username(tx, changes["username"], user_id=user_id)
                user.username = changes["username"]
                user.username_key, user.username_skeleton = key, look
            if "display_name" in changes:
                user.display_name = changes["display_name"]
            if "avatar" in changes:
                user.avatar = changes["avatar"]
            try:
                await tx.session.flush()
            except IntegrityError:  # a concurrent registration or rename took the name
                raise name_taken() from None
            after = user_fields(user)
            if old_avatar is not None and old_avatar != user.avatar:
                tx.on_commit(lambda: storage.delete_paths(tx.rt, [old_avatar.removeprefix("/")]))
            if after != before:
                await announce_user(tx, user_id, after)
    except BaseException:
        if new_avatar is not None:
            await forget(rt, new_avatar.removeprefix("/"))
        raise


async def announce_user(tx: Tx, user_id: int, fields: dict[str, Any]) -> None:
    """``user_updated`` to each of the user's guild rooms, and to the ``u:`` room
    of each friend who shares no guild with them (the guild rooms reach the
    others), and to the user's own sockets when they are in no guild."""
    guild_ids = (
        await tx.session.scalars(select(Member.guild_id).where(Member.user_id == user_id))
    ).all()
    mine = aliased(Member)
    theirs = aliased(Member)
    shares_a_guild = (
        select(mine.guild_id)
        .join(theirs, theirs.guild_id == mine.guild_id)
        .where(mine.user_id == user_id, theirs.user_id == Friendship.friend_id)
        .exists()
    )
    friend_ids = (
        await tx.session.scalars(
            select(Friendship.friend_id).where(Friendship.user_id == user_id, ~shares_a_guild)
        )
    ).all()
    rooms = [guild_room(g) for g in guild_ids] + [user_room(f) for f in friend_ids]
    if not guild_ids:
        rooms.append(user_room(user_id))
    for room in rooms:
        tx.emit(room, ServerEvent.USER_UPDATED, fields)
