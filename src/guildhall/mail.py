"""Outgoing mail over SMTP (aiosmtplib), sent in the background after commit.

``GUILDHALL_SMTP_URL`` names the server: ``smtp://user:pass@host:587`` upgrades
to TLS with STARTTLS whenever the server offers it; ``smtps://user:pass@host:465``
speaks TLS from the first byte. A send runs as a background task: the request
that caused it never waits for the mail server. A transient failure (the server
unreachable or gone, a timeout, a 4xx answer) is retried after each of
``GUILDHALL_MAIL_RETRY_DELAYS`` seconds; a permanent one (5xx) is logged and
dropped. Mails are not persisted: a process that stops while one is waiting for
its retry loses it (the user asks again).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from guildhall.config import Settings
from guildhall.runtime import Runtime

log = logging.getLogger("guildhall.mail")


@dataclass(frozen=True, slots=True)
class SmtpServer:
    hostname: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool


def smtp_server(settings: Settings) -> SmtpServer:
    """The server of ``GUILDHALL_SMTP_URL`` (configured: see ``mail_configured``)."""
    assert settings.smtp_url is not None
    url = urlsplit(settings.smtp_url.get_secret_value())
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise ValueError("GUILDHALL_SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://")
    implicit = url.scheme == "smtps"
    return SmtpServer(
        hostname=url.hostname,
        port=url.port or (465 if implicit else 587),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        implicit_tls=implicit,
    )


def sender(settings: Settings) -> str:
    """``GUILDHALL_MAIL_FROM``, else ``Guildhall <noreply@<public host>>``."""
    if settings.mail_from:
        return settings.mail_from
    host = urlsplit(settings.public_url or "").hostname or "localhost"
    return formataddr(("Guildhall", f"noreply@{host}"))


def build(settings: Settings, to: str, subject: str, text: str, html: str) -> EmailMessage:
    """A multipart/alternative mail: plain text first, HTML preferred by readers."""
    message = EmailMessage()
    message["From"] = sender(settings)
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=urlsplit(settings.public_url or "").hostname)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _transient(exc: BaseException) -> bool:
    import aiosmtplib

    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return 400 <= exc.code < 500
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(400 <= r.code < 500 for r in exc.recipients)
    return isinstance(exc, aiosmtplib.SMTPException | OSError | TimeoutError)


async def send_now(settings: Settings, message: EmailMessage) -> None:
    """One attempt at delivering ``message``."""
    # Imported here, when a mail is sent: the client and the e-mail header parser it
    # loads cost every process's start-up, mail configured or not.
    import aiosmtplib

    server = smtp_server(settings)
    kwargs: dict[str, Any] = {
        "hostname": server.hostname,
        "port": server.port,
        "username": server.username,
        "password": server.password,
        "timeout": settings.smtp_timeout,
    }
    if server.implicit_tls:
        kwargs["use_tls"] = True
    else:
        kwargs["start_tls"] = None  # STARTTLS exactly when the server offers it
    await aiosmtplib.send(message, **kwargs)


async def _deliver(settings: Settings, message: EmailMessage) -> None:
    delays = settings.mail_retry_delay_list
    for attempt in range(len(delays) + 1):
        try:
            await send_now(settings, message)
            return
        except Exception as exc:
            if not _transient(exc) or attempt == len(delays):
                log.error("mail to %s not sent: %s", message["To"], exc)
                return
            delay = delays[attempt]
            log.warning("mail to %s failed (%s); retrying in %ss", message["To"], exc, delay)
            await asyncio.sleep(delay)


def send_later(rt: Runtime, message: EmailMessage) -> None:
    """Deliver ``message`` in the background (call it after commit)."""
    task = asyncio.get_running_loop().create_task(_deliver(rt.settings, message))
    rt.mail.add(task)  # a strong reference until it ends (the loop keeps only weak ones)
    task.add_done_callback(rt.mail.discard)


async def drain(rt: Runtime) -> None:
    """Wait for every mail being sent (tests, shutdown)."""
    tasks = list(rt.mail)
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
