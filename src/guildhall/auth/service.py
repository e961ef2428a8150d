"""Accounts and sessions: register, log in, log out, change password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from guildhall.auth.passwords import hash_password, verify_password
from guildhall.db import Tx
from guildhall.errors import AppError, invalid
from guildhall.events import DISCONNECT, user_room
from guildhall.kit.ids import hash_token, new_token
from guildhall.kit.validation import check_email, check_password, check_username, fold
from guildhall.models import Session, User

if TYPE_CHECKING:
    from guildhall.auth.deps import Principal


async def principal_for_token(tx: Tx, token: str) -> Principal | None:
    from guildhall.auth.deps import Principal

    row = (
        await tx.session.execute(
            select(Session.id, Session.csrf_token, User.id, User.username)
            .join(User, User.id == Session.user_id)
            .where(Session.token_hash == hash_token(token))
        )
    ).first()
    if row is None:
        return None
    session_id, csrf, user_id, username = row
    return Principal(user_id, username, session_id, csrf)


async def validate_registration(username: str, password: str, email: str) -> tuple[str, str, str]:
    """Check the rules and hash the password (before any transaction is open)."""
    check_username(username)
    email = check_email(email)
    check_password(password, username)
    return username, email, await hash_password(password)


def already_exists() -> AppError:
    return AppError("USER_ALREADY_EXISTS", 400, "Username or email already taken")


async def check_available(
    tx: Tx, username: str, email: str | None = None, except_user_id: int | None = None
) -> None:
    """400 ``USER_ALREADY_EXISTS`` when the username (or the email) is taken by
    another user, case-insensitively: the one uniqueness rule of register and of
    a username change (``PUT /api/me``), so both refuse the same names."""
    taken_by = User.username_key == fold(username)
    if email is not None:
        taken_by = or_(taken_by, User.email_key == fold(email))
    stmt = select(User.id).where(taken_by)
    if except_user_id is not None:
        stmt = stmt.where(User.id != except_user_id)
    if (await tx.session.execute(stmt.limit(1))).first() is not None:
        raise already_exists()


async def register(tx: Tx, username: str, email: str, password_hash: str) -> User:
    await check_available(tx, username, email)
    user = User(
        username=username,
        email=email,
        username_key=fold(username),
        email_key=fold(email),
        password_hash=password_hash,
    )
    tx.session.add(user)
    try:
        await tx.session.flush()
    except IntegrityError:  # a concurrent registration took it first
        raise already_exists() from None
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


async def check_credentials(user: User | None, password: str) -> User:
    if not await verify_password(user.password_hash if user else None, password) or user is None:
        raise AppError("INVALID_CREDENTIALS", 401, "Invalid username or password")
    return user


async def create_session(tx: Tx, user_id: int) -> tuple[str, str]:
    """A fresh session for every login: (token, csrf token)."""
    token, csrf = new_token(), new_token()
    tx.session.add(Session(token_hash=hash_token(token), csrf_token=csrf, user_id=user_id))
    await tx.session.flush()
    return token, csrf


async def end_session(tx: Tx, principal: Principal) -> None:
    await tx.session.execute(delete(Session).where(Session.id == principal.session_id))
    tx.emit(user_room(principal.user_id), DISCONNECT, {"session_ids": [principal.session_id]})


async def change_password(
    tx: Tx, principal: Principal, old_password: str, new_password: str
) -> tuple[str, str]:
    """Replace the password and end every session of the user; returns a fresh one."""
    user = await tx.session.get(User, principal.user_id)
    if user is None or not await verify_password(user.password_hash, old_password):
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
