"""Accounts and sessions: register, log in, log out, change password."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from guildhall.auth.passwords import hash_password, verify_password
from guildhall.auth.principal import Principal
from guildhall.codes import ErrorCode
from guildhall.errors import AppError, invalid
from guildhall.events import DISCONNECT, user_room
from guildhall.kit.ids import hash_token, new_token
from guildhall.kit.time import utcnow
from guildhall.kit.validation import check_email, check_password, check_username, fold
from guildhall.models import Session, User
from guildhall.runtime import Runtime, Tx
from guildhall.users.service import claim_username, lock_users, name_taken

# A session's last use is written at most this often: idle expiry is counted in
# days, so an hour of slack costs nothing and keeps reads from becoming writes.
TOUCH_EVERY = timedelta(hours=1)

_TOO_MANY_FAILURES = "Too many failed sign-in attempts for this account; try again later"


# Built once: every REST request and socket sign-in runs it, and building the
# joined select cost more than SQLite running it (docs/decisions/write-path.md).
_SESSION_ROW = (
    select(Session.id, Session.csrf_token, Session.last_used_at, User.id, User.username)
    .join(User, User.id == Session.user_id)
    .where(
        Session.token_hash == bindparam("token_hash"),
        Session.last_used_at > bindparam("idle_since", type_=Session.last_used_at.type),
    )
)


async def principal_for_token(tx: Tx, token: str) -> Principal | None:
    """The caller behind a session token (cookie, bearer or socket alike), or None
    when the token is unknown or its session has been idle too long."""
    now = utcnow()
    params = {
        "token_hash": hash_token(token),
        "idle_since": now - timedelta(days=tx.settings.session_idle_days),
    }
    row = (await tx.rows(_SESSION_ROW, params)).first()
    if row is None:
        return None
    session_id, csrf, last_used_at, user_id, username = row
    if last_used_at <= now - TOUCH_EVERY:
        rt = tx.rt

        async def touch() -> None:
            await _touch_session(rt, session_id)

        # After the caller's unit of work, in a short write of its own: a GET's read
        # transaction stays read-only, and SQLite's writer lock is not held meanwhile.
        tx.on_commit(touch)
    return Principal(user_id, username, session_id, csrf)


async def _touch_session(rt: Runtime, session_id: int) -> None:
    now = utcnow()
    async with rt.transaction() as tx:
        # Conditional, so concurrent first requests of the hour write once.
        await tx.session.execute(
            update(Session)
            .where(Session.id == session_id, Session.last_used_at <= now - TOUCH_EVERY)
            .values(last_used_at=now)
        )


async def validate_registration(username: str, password: str, email: str) -> tuple[str, str, str]:
    """Check the rules and hash the password (before any transaction is open)."""
    check_username(username)
    email = check_email(email)
    check_password(password, username)
    return username, email, await hash_password(password)


async def register(tx: Tx, username: str, email: str, password_hash: str) -> User:
    username_key, username_skeleton = await claim_username(tx, username, email)
    user = User(
        username=username,
        email=email,
        username_key=username_key,
        username_skeleton=username_skeleton,
        email_key=fold(email),
        password_hash=password_hash,
    )
    tx.session.add(user)
    try:
        await tx.session.flush()
    except IntegrityError:  # a concurrent registration took it first
        raise name_taken() from None
    return user


async def find_login_user(tx: Tx, login: str) -> User | None:
    """The user named by username or email (case-insensitive)."""
    key = fold(login)
    if "\x00" in key:  # in no name or email; PostgreSQL text cannot even hold one
        return None
    return (
        await tx.session.execute(
            select(User).where(or_(User.username_key == key, User.email_key == key)).limit(1)
        )
    ).scalar_one_or_none()


def _failure_key(rt: Runtime, user: User | None, login: str) -> str:
    """Whose failures a login counts against: the account (by id, so its username and
    email share one counter), else the folded name typed, hashed to a fixed size.

    That hash is keyed with ``GUILDHALL_SECRET_KEY``: the limiter's storage (Redis,
    when scaled out) never holds a guessable digest of what someone typed as a
    name (people type their password there). Every node must share the key, or
    each would count an unknown name's failures apart.

    Unknown names are counted too, so a 429 never tells an existing account from a
    missing one. Their counters live in the limiter's expiring storage, and a
    failure is only recorded after a hash, which ``HASHING_SLOTS`` bounds: at most
    (hashes a second x the window) keys, each a few timestamps."""
    if user is not None:
        return f"user:{user.id}"
    secret = rt.settings.resolved_secret_key.encode()
    return "name:" + hmac.new(secret, fold(login).encode(), hashlib.sha256).hexdigest()[:32]


async def _verify_counting_failures(
    rt: Runtime, key: str, password_hash: str | None, password: str
) -> bool:
    """Verify a password against the per-account failure limit (contract section 19):
    once the window holds N failures, every attempt answers 429, right password
    included, and costs no hash."""
    limit = rt.limits.login_failure

    async def admit() -> None:
        await limit.refuse_if_spent(key, ErrorCode.RATE_LIMIT_EXCEEDED, _TOO_MANY_FAILURES)

    async def failed() -> None:
        await limit.hit(key)

    await admit()  # before queueing for a hashing slot: a spent account costs nothing
    return await verify_password(password_hash, password, admit=admit, failed=failed)


async def check_credentials(rt: Runtime, user: User | None, login: str, password: str) -> User:
    password_hash = user.password_hash if user else None
    ok = await _verify_counting_failures(rt, _failure_key(rt, user, login), password_hash, password)
    if not ok or user is None:
        raise AppError(ErrorCode.INVALID_CREDENTIALS, 401, "Invalid username or password")
    return user


async def create_session(tx: Tx, user_id: int) -> tuple[str, str]:
    """A fresh session for every login: (token, csrf token)."""
    await _make_room_for_session(tx, user_id)
    token, csrf = new_token(), new_token()
    tx.session.add(Session(token_hash=hash_token(token), csrf_token=csrf, user_id=user_id))
    await tx.session.flush()
    return token, csrf


async def _make_room_for_session(tx: Tx, user_id: int) -> None:
    """End the user's idle sessions, then the oldest ones past the cap (contract
    section 19: at most ``max_sessions_per_user``, the oldest ends first)."""
    # Two concurrent logins of one user must not both see room for one more.
    await lock_users(tx, [user_id])
    idle_since = utcnow() - timedelta(days=tx.settings.session_idle_days)
    await tx.session.execute(
        delete(Session).where(Session.user_id == user_id, Session.last_used_at <= idle_since)
    )
    oldest = (
        (
            await tx.session.execute(
                select(Session.id)
                .where(Session.user_id == user_id)
                .order_by(Session.id.desc())
                .offset(tx.settings.max_sessions_per_user - 1)
            )
        )
        .scalars()
        .all()
    )
    if oldest:
        await tx.session.execute(delete(Session).where(Session.id.in_(oldest)))
        tx.emit(user_room(user_id), DISCONNECT, {"session_ids": list(oldest)})


async def end_session(tx: Tx, principal: Principal) -> None:
    await tx.session.execute(delete(Session).where(Session.id == principal.session_id))
    tx.emit(user_room(principal.user_id), DISCONNECT, {"session_ids": [principal.session_id]})


async def change_password(
    tx: Tx, principal: Principal, old_password: str, new_password: str
) -> tuple[str, str]:
    """Replace the password and end every session of the user; returns a fresh one."""
    user = await tx.session.get(User, principal.user_id)
    assert user is not None  # the session row cascades with the user
    # The same counter as logins: a stolen session must not become a guessing oracle.
    key = _failure_key(tx.rt, user, user.username)
    if not await _verify_counting_failures(tx.rt, key, user.password_hash, old_password):
        raise invalid("old_password", "Old password is incorrect")
    check_password(new_password, user.username, field="new_password")
    user.password_hash = await hash_password(new_password)
    await end_all_sessions(tx, user.id)
    return await create_session(tx, user.id)


async def end_all_sessions(tx: Tx, user_id: int) -> None:
    """End every session of the user and, after commit, disconnect their sockets."""
    ended = (
        (await tx.session.execute(select(Session.id).where(Session.user_id == user_id)))
        .scalars()
        .all()
    )
    await tx.session.execute(delete(Session).where(Session.user_id == user_id))
    tx.emit(user_room(user_id), DISCONNECT, {"session_ids": list(ended)})
