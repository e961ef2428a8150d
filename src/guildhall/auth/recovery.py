"""Password reset by mail (contract section 20).

* ``request_reset``: the answer never says whether the email is registered.
  For a registered one, at most ``password_resets_per_hour`` tokens an hour are
  made (counted in the database, so across nodes); past that the request is
  answered the same and nothing is sent. The token (256 random bits) is stored
  only as its SHA-256, valid one hour, and mailed after the commit.
* ``confirm_reset``: the new password follows the register rules; the token is
  consumed by one conditional UPDATE (two racing confirmations cannot both
  win), every other open token of the user dies with it, and every session of
  the user ends (their sockets are disconnected).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import quote

from sqlalchemy import delete, func, select, update

from guildhall import mail
from guildhall.auth.passwords import hash_password
from guildhall.auth.service import end_all_sessions
from guildhall.codes import ErrorCode
from guildhall.errors import AppError
from guildhall.kit.ids import hash_token, new_token
from guildhall.kit.sql import affected
from guildhall.kit.time import utcnow
from guildhall.kit.validation import check_email, check_password, fold
from guildhall.models import PasswordReset, User
from guildhall.runtime import Runtime, Tx
from guildhall.users.service import lock_users

TOKEN_LIFETIME = timedelta(hours=1)
RATE_WINDOW = timedelta(hours=1)
# Used and expired tokens are kept this long for the hourly count, then purged.
KEEP = timedelta(days=1)
LANGUAGES = ("en", "ru")


def mail_not_configured() -> AppError:
    return AppError(
        ErrorCode.INTERNAL_ERROR,
        503,
        "Mail is not configured on this server (GUILDHALL_SMTP_URL, GUILDHALL_PUBLIC_URL)",
    )


def bad_token() -> AppError:
    return AppError(
        ErrorCode.INVALID_INPUT,
        400,
        "The reset link is invalid, used or expired",
        {"field": "token"},
    )


def language(accept_language: str | None) -> str:
    """``ru`` or ``en`` (the default) from an ``Accept-Language`` header, by
    quality and then order."""
    best, best_q = "en", -1.0
    for item in (accept_language or "").split(","):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES and primary != "*":
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if primary == "*":
            primary = "en"
        # Equal quality: the earlier tag wins (the user's own order).
        if q > 0 and q > best_q:
            best, best_q = primary, q
    return best


@dataclass(frozen=True, slots=True)
class _Texts:
    subject: str
    greeting: str
    body: str
    button: str
    ignore: str


_TEXTS = {
    "en": _Texts(
        subject="Reset your Guildhall password",
        greeting="Hello, {name}!",
        body="Someone asked to reset the password of your Guildhall account. "
        "To choose a new password, open this link within an hour:",
        button="Choose a new password",
        ignore="If it was not you, ignore this mail: your password stays as it is.",
    ),
    "ru": _Texts(
        subject="Сброс пароля Guildhall",
        greeting="Здравствуйте, {name}!",
        body="Кто-то запросил сброс пароля вашей учётной записи Guildhall. "
        "Чтобы задать новый пароль, откройте эту ссылку в течение часа:",
        button="Задать новый пароль",
        ignore="Если это были не вы, просто проигнорируйте это письмо: пароль останется прежним.",
    ),
}


def reset_mail(rt: Runtime, to: str, username: str, token: str, lang: str) -> EmailMessage:
    texts = _TEXTS[lang]
    base = (rt.settings.public_url or "").rstrip("/")
    link = f"{base}/reset-password?token={quote(token)}"
    greeting = texts.greeting.format(name=username)
    text = f"{greeting}\n\n{texts.body}\n\n{link}\n\n{texts.ignore}\n"
    e = html.escape
    body = (
        f'<!doctype html><html lang="{lang}"><body>'
        f"<p>{e(greeting)}</p><p>{e(texts.body)}</p>"
        f'<p><a href="{e(link)}">{e(texts.button)}</a></p>'
        f"<p>{e(link)}</p><p>{e(texts.ignore)}</p></body></html>"
    )
    return mail.build(rt.settings, to, texts.subject, text, body)


async def request_reset(tx: Tx, email: str, lang: str) -> None:
    """Make and mail a reset token when ``email`` is registered (within the
    hourly limit); do nothing otherwise. The caller answers the same either way."""
    key = fold(check_email(email))  # bad input is 400 whether or not mail is set up
    if not tx.settings.mail_configured:
        raise mail_not_configured()
    user = await tx.session.scalar(select(User).where(User.email_key == key))
    if user is None:
        return
    # Serialise requests for one account, so racing ones cannot pass the limit.
    await lock_users(tx, [user.id])
    now = utcnow()
    await tx.session.execute(
        delete(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.created_at < now - KEEP
        )
    )
    recent = await tx.session.scalar(
        select(func.count())
        .select_from(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.created_at > now - RATE_WINDOW)
    )
    if (recent or 0) >= tx.settings.password_resets_per_hour:
        return
    token = new_token()
    tx.session.add(
        PasswordReset(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + TOKEN_LIFETIME,
        )
    )
    message = reset_mail(tx.rt, user.email, user.username, token, lang)

    async def send() -> None:
        mail.send_later(tx.rt, message)

    tx.on_commit(send)


async def _live_token(tx: Tx, token_hash: str) -> tuple[int, int, str]:
    row = (
        await tx.session.execute(
            select(PasswordReset.id, User.id, User.username)
            .join(User, User.id == PasswordReset.user_id)
            .where(
                PasswordReset.token_hash == token_hash,
                PasswordReset.used_at.is_(None),
                PasswordReset.expires_at > utcnow(),
            )
        )
    ).first()
    if row is None:
        raise bad_token()
    return row[0], row[1], row[2]


async def confirm_reset(rt: Runtime, token: str, new_password: str) -> None:
    """Set the new password with a live token; ends every session of the user."""
    token_hash = hash_token(token)
    async with rt.transaction(write=False) as tx:
        _, _, username = await _live_token(tx, token_hash)
    # Checked before the token is spent: a weak password leaves the link usable.
    check_password(new_password, username, field="new_password")
    password_hash = await hash_password(new_password)  # slow: outside any transaction
    async with rt.transaction() as tx:
        reset_id, user_id, username = await _live_token(tx, token_hash)
        check_password(new_password, username, field="new_password")  # renamed meanwhile?
        now = utcnow()
        spent = await affected(
            tx.session,
            update(PasswordReset)
            .where(PasswordReset.id == reset_id, PasswordReset.used_at.is_(None))
            .values(used_at=now),
        )
        if spent != 1:
            raise bad_token()
        # Any other link still in a mailbox dies with this one.
        await tx.session.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
        )
        await tx.session.execute(
            update(User).where(User.id == user_id).values(password_hash=password_hash)
        )
        await end_all_sessions(tx, user_id)
