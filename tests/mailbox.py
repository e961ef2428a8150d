"""A real SMTP server for tests (aiosmtpd in its own thread) that keeps every mail."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import free_port

SMTP_USER = b"mailer"
SMTP_PASSWORD = b"p@ss word"


class Inbox:
    """An aiosmtpd handler that keeps every accepted mail; ``fail_next`` answers
    that many DATA commands with a transient 451 first."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.fail_next = 0
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail_next:
            self.fail_next -= 1
            return "451 Try again later"
        self.envelopes.append(envelope)
        parsed = email.message_from_bytes(envelope.original_content, policy=default_policy)
        self.mails.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        ok = auth_data.login == SMTP_USER and auth_data.password == SMTP_PASSWORD
        return AuthResult(success=ok)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """``(inbox, port)``: an SMTP server on loopback asking for a login."""
    handler = Inbox()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=handler.authenticate,
        auth_require_tls=False,  # a test server on loopback; real ones offer STARTTLS
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def smtp_settings(port: int, public_url: str) -> dict[str, Any]:
    """Settings that send mail to the test server (the password URL-encoded)."""
    return {
        "smtp_url": f"smtp://mailer:p%40ss%20word@127.0.0.1:{port}",
        "mail_from": "Guildhall <noreply@chat.example.org>",
        "public_url": public_url,
        "mail_retry_delays": "0.05,0.05",
        "smtp_timeout": 5,
    }
