"""Friend requests and friendships.

A friendship is stored once per direction (``Friendship(user, friend)`` and its
mirror) so "my friends" is one index range. A pending request is one
``FriendRequest(from, to)`` row. Every change is pushed to both users' rooms;
events carry ``from``/``to`` (the direction of the request, or who removed whom)
and ``username`` (the other party, from the receiving user's point of view).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Delete, and_, delete, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from guildhall.codes import ErrorCode
from guildhall.errors import AppError
from guildhall.events import ServerEvent, user_room
from guildhall.kit.sql import affected
from guildhall.kit.validation import fold
from guildhall.models import FriendRequest, Friendship, User
from guildhall.runtime import Tx
from guildhall.users.service import by_username, lock_users, user_fields

SENT = "Friend request sent"
ACCEPTED = "Friend request accepted"
DECLINED = "Friend request declined"
CANCELLED = "Friend request cancelled"
REMOVED = "Friend removed"


def _conflict(message: str) -> AppError:
    return AppError(ErrorCode.CONFLICT, 409, message)


async def _other(tx: Tx, me: User | int, username: str, field: str) -> tuple[User, User]:
    """(me, the named user): the named user must exist and not be me."""
    me_user = me if isinstance(me, User) else await tx.session.get(User, me)
    assert me_user is not None  # the caller's session cascades with the user
    if fold(username) == me_user.username_key:
        raise AppError(
            ErrorCode.INVALID_INPUT, 400, "You cannot do this with yourself", {"field": field}
        )
    other = await by_username(tx, username)
    await lock_users(tx, (me_user.id, other.id))
    return me_user, other


def _between(
    one: InstrumentedAttribute[int], other: InstrumentedAttribute[int], a: int, b: int
) -> ColumnElement[bool]:
    """The rows linking ``a`` and ``b`` in either direction (``one``/``other`` the two
    user columns): a friendship's two rows, or a request from either side."""
    return or_(and_(one == a, other == b), and_(one == b, other == a))


async def _delete_or_refuse(
    tx: Tx, statement: Delete, refusal: str, field: str, event: str, me: User, other: User
) -> None:
    """Run ``statement``; when it removed nothing, the 400 ``refusal`` on ``field``,
    else ``event`` to both sides (``me`` the one who acted)."""
    if await affected(tx.session, statement) == 0:
        raise AppError(ErrorCode.INVALID_INPUT, 400, refusal, {"field": field})
    _emit_both(tx, event, me, other)


async def _are_friends(tx: Tx, a: int, b: int) -> bool:
    return await tx.session.get(Friendship, (a, b)) is not None


async def _friend_count(tx: Tx, user_id: int) -> int:
    return (
        await tx.session.execute(
            select(func.count()).select_from(Friendship).where(Friendship.user_id == user_id)
        )
    ).scalar_one()


def _emit_both(tx: Tx, name: str, sender: User, recipient: User) -> None:
    """One event to each side: ``from``/``to`` as given, ``username`` the other one."""
    pair = {"from": sender.username, "to": recipient.username}
    tx.emit(user_room(recipient.id), name, {**pair, "username": sender.username})
    tx.emit(user_room(sender.id), name, {**pair, "username": recipient.username})


async def _befriend(tx: Tx, requester: User, accepter: User) -> None:
    """Turn ``requester``'s pending request into a friendship (both directions)."""
    limit = tx.settings.max_friends
    for user in (accepter, requester):
        if await _friend_count(tx, user.id) >= limit:
            who = "You have" if user is accepter else f"{user.username} has"
            raise AppError(
                ErrorCode.LIMIT_REACHED, 400, f"{who} reached the limit of {limit} friends"
            )
    await tx.session.execute(
        delete(FriendRequest).where(
            _between(FriendRequest.from_id, FriendRequest.to_id, requester.id, accepter.id)
        )
    )
    tx.session.add_all(
        [
            Friendship(user_id=requester.id, friend_id=accepter.id),
            Friendship(user_id=accepter.id, friend_id=requester.id),
        ]
    )
    await tx.session.flush()
    _emit_both(tx, ServerEvent.FRIEND_ACCEPTED, requester, accepter)


async def send_request(tx: Tx, me_id: int, to: str) -> str:
    """Ask ``to`` to be friends; if they already asked us, accept instead.

    Every attempt counts against the friend-request rate limit (so the limit also
    bounds probing usernames)."""
    await tx.rt.limits.friend_request.check(
        me_id, ErrorCode.TOO_MANY_FRIEND_REQUESTS, "Too many friend requests, try again later"
    )
    me, other = await _other(tx, me_id, to, "to")
    if await _are_friends(tx, me.id, other.id):
        raise _conflict("You are already friends")
    if await tx.session.get(FriendRequest, (me.id, other.id)) is not None:
        raise _conflict("Friend request already sent")
    if await tx.session.get(FriendRequest, (other.id, me.id)) is not None:
        await _befriend(tx, requester=other, accepter=me)
        return ACCEPTED
    if await _friend_count(tx, me.id) >= tx.settings.max_friends:
        limit = tx.settings.max_friends
        raise AppError(
            ErrorCode.LIMIT_REACHED, 400, f"You have reached the limit of {limit} friends"
        )
    tx.session.add(FriendRequest(from_id=me.id, to_id=other.id))
    await tx.session.flush()
    _emit_both(tx, ServerEvent.FRIEND_REQUEST, me, other)
    return SENT


async def _incoming(tx: Tx, me_id: int, username: str) -> tuple[User, User]:
    """(me, requester) for accept/decline: a pending request from them is required."""
    me, other = await _other(tx, me_id, username, "from")
    if await _are_friends(tx, me.id, other.id):
        raise _conflict("You are already friends")
    if await tx.session.get(FriendRequest, (other.id, me.id)) is None:
        raise AppError(
            ErrorCode.INVALID_INPUT,
            400,
            "No pending friend request from this user",
            {"field": "from"},
        )
    return me, other


async def accept(tx: Tx, me_id: int, username: str) -> str:
    """Accept the pending request from ``username``."""
    me, other = await _incoming(tx, me_id, username)
    await _befriend(tx, requester=other, accepter=me)
    return ACCEPTED


async def decline(tx: Tx, me_id: int, username: str) -> str:
    """Refuse the pending request from ``username``; both sides are told."""
    me, other = await _incoming(tx, me_id, username)
    await tx.session.execute(
        delete(FriendRequest).where(FriendRequest.from_id == other.id, FriendRequest.to_id == me.id)
    )
    _emit_both(tx, ServerEvent.FRIEND_REQUEST_DECLINED, other, me)
    return DECLINED


async def cancel(tx: Tx, me_id: int, username: str) -> str:
    """Withdraw our pending request to ``username``; both sides are told."""
    me, other = await _other(tx, me_id, username, "to")
    await _delete_or_refuse(
        tx,
        delete(FriendRequest).where(
            FriendRequest.from_id == me.id, FriendRequest.to_id == other.id
        ),
        "No pending friend request to this user",
        "to",
        ServerEvent.FRIEND_REQUEST_CANCELLED,
        me,
        other,
    )
    return CANCELLED


async def remove(tx: Tx, me_id: int, username: str) -> str:
    """End a friendship (both directions); both sides are told."""
    me, other = await _other(tx, me_id, username, "username")
    await _delete_or_refuse(
        tx,
        delete(Friendship).where(
            _between(Friendship.user_id, Friendship.friend_id, me.id, other.id)
        ),
        "You are not friends",
        "username",
        ServerEvent.FRIEND_REMOVED,
        me,
        other,
    )
    return REMOVED


async def status(tx: Tx, me_id: int) -> dict[str, Any]:
    """Friends and pending requests both ways, as usernames sorted case-insensitively;
    added: ``friend_users``, the friends as user shapes (their ids open DMs)."""

    async def usernames(
        other_id: InstrumentedAttribute[int], where: ColumnElement[bool]
    ) -> list[str]:
        """Usernames of the users ``other_id`` points at, in rows matching ``where``."""
        rows = await tx.session.execute(
            select(User.username)
            .join(other_id.class_, other_id == User.id)
            .where(where)
            .order_by(User.username_key)
        )
        return list(rows.scalars())

    friends = (
        await tx.session.execute(
            select(User)
            .join(Friendship, Friendship.friend_id == User.id)
            .where(Friendship.user_id == me_id)
            .order_by(User.username_key)
        )
    ).scalars()
    friend_users = [user_fields(u) for u in friends]
    return {
        "friends": [u["username"] for u in friend_users],
        "friend_users": friend_users,
        "pending_in": await usernames(FriendRequest.from_id, FriendRequest.to_id == me_id),
        "pending_out": await usernames(FriendRequest.to_id, FriendRequest.from_id == me_id),
    }
