"""Password reset by mail (contract section 20), end to end against a real SMTP
server (aiosmtpd) started by the test: request, read the mail, follow the link."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import update

from guildhall import mail
from guildhall.auth.recovery import language
from guildhall.kit.time import utcnow
from guildhall.models import PasswordReset
from tests.conftest import PASSWORD, assert_error
from tests.mailbox import Inbox, inbox, smtp_settings

__all__ = ["inbox"]  # the fixture, used by this module's tests

PUBLIC_URL = "https://chat.example.org"
ANSWER = {"message": "If that email is registered, a reset link has been sent"}
NEW_PASSWORD = "a brand new secret"


@pytest.fixture
def settings_overrides(inbox: tuple[Inbox, int]) -> dict[str, Any]:
    return smtp_settings(inbox[1], PUBLIC_URL + "/")


async def ask(client: Any, address: str, lang: str | None = None) -> Any:
    headers = {"Accept-Language": lang} if lang else {}
    r = await client.post("/api/password-reset", json={"email": address}, headers=headers)
    assert r.status_code == 202, r.text
    assert r.json() == ANSWER
    return r


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def token_of(message: EmailMessage) -> str:
    text, html = parts(message)
    found = re.search(re.escape(PUBLIC_URL) + r"/reset-password\?token=([A-Za-z0-9_\-]+)", text)
    assert found, text
    assert f"{PUBLIC_URL}/reset-password?token={found.group(1)}" in html
    return found.group(1)


async def confirm(client: Any, token: Any, password: str = NEW_PASSWORD) -> Any:
    return await client.post(
        "/api/password-reset/confirm", json={"token": token, "new_password": password}
    )


async def login(anon: Any, password: str) -> Any:
    return await anon().post("/api/login", json={"username": "alice", "password": password})


class TestPasswordReset:
    async def test_end_to_end(self, rt, inbox, alice, anon):
        box, _ = inbox
        other_session = anon()
        assert (await login(lambda: other_session, PASSWORD)).status_code == 200
        await ask(anon(), "ALICE@example.com", "en-US,en;q=0.9")
        await mail.drain(rt)
        assert len(box.mails) == 1
        message = box.mails[0]
        assert message["To"] == "alice@example.com"
        assert message["From"] == "Guildhall <noreply@chat.example.org>"
        assert message["Subject"] == "Reset your Guildhall password"
        assert box.envelopes[0].rcpt_tos == ["alice@example.com"]
        assert box.logins == [(b"mailer", b"p@ss word")]
        text, html = parts(message)
        assert "Hello, alice!" in text and "<a href=" in html
        token = token_of(message)

        r = await confirm(anon(), token)
        assert r.status_code == 200 and r.json() == {"message": "Password changed"}
        # Every session ended, the old password is gone, the new one works.
        for client in (alice, other_session):
            assert_error(await client.get("/api/me"), 401, "AUTH_REQUIRED")
        assert_error(await login(anon, PASSWORD), 401, "INVALID_CREDENTIALS")
        assert (await login(anon, NEW_PASSWORD)).status_code == 200
        # Single use.
        assert_error(await confirm(anon(), token, "yet another one"), 400, "INVALID_INPUT", "token")
        assert (await login(anon, NEW_PASSWORD)).status_code == 200

    async def test_unknown_email_gets_the_same_answer_and_no_mail(self, rt, inbox, alice, anon):
        box, _ = inbox
        await ask(anon(), "nobody@example.com")
        await mail.drain(rt)
        assert box.mails == []

    async def test_russian_by_accept_language(self, rt, inbox, alice, anon):
        box, _ = inbox
        await ask(anon(), "alice@example.com", "ru-RU,ru;q=0.9,en;q=0.8")
        await mail.drain(rt)
        text, html = parts(box.mails[0])
        assert box.mails[0]["Subject"] == "Сброс пароля Guildhall"
        assert "Здравствуйте, alice!" in text
        assert 'lang="ru"' in html and "Задать новый пароль" in html

    async def test_at_most_three_an_hour_same_answer_beyond(self, rt, inbox, alice, anon):
        box, _ = inbox
        for _ in range(5):
            await ask(anon(), "alice@example.com")
        await mail.drain(rt)
        assert len(box.mails) == 3

    async def test_an_expired_token_is_refused(self, rt, inbox, alice, anon):
        box, _ = inbox
        await ask(anon(), "alice@example.com")
        await mail.drain(rt)
        token = token_of(box.mails[0])
        async with rt.transaction() as tx:
            await tx.session.execute(
                update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1))
            )
        assert_error(await confirm(anon(), token), 400, "INVALID_INPUT", "token")
        assert (await login(anon, PASSWORD)).status_code == 200

    async def test_using_one_link_kills_the_others(self, rt, inbox, alice, anon):
        box, _ = inbox
        await ask(anon(), "alice@example.com")
        await ask(anon(), "alice@example.com")
        await mail.drain(rt)
        first, second = (token_of(m) for m in box.mails)
        assert first != second
        assert (await confirm(anon(), second)).status_code == 200
        assert_error(await confirm(anon(), first, "other password"), 400, "INVALID_INPUT")

    @pytest.mark.parametrize("token", ["forged", "", "x" * 5000, "nul\x00byte"])
    async def test_forged_tokens_are_invalid_input(self, inbox, alice, anon, token):
        assert_error(await confirm(anon(), token), 400, "INVALID_INPUT", "token")

    async def test_wrong_types_and_missing_fields(self, inbox, anon):
        client = anon()
        r = await client.post("/api/password-reset/confirm", json={"token": 5, "new_password": 6})
        assert_error(r, 400, "INVALID_INPUT")
        r = await client.post("/api/password-reset/confirm", json={"new_password": NEW_PASSWORD})
        assert_error(r, 400, "MISSING_REQUIRED_FIELD", "token")
        r = await client.post("/api/password-reset", json={})
        assert_error(r, 400, "MISSING_REQUIRED_FIELD", "email")
        r = await client.post("/api/password-reset", json={"email": "not-an-email"})
        assert_error(r, 400, "INVALID_EMAIL", "email")

    async def test_a_weak_password_leaves_the_link_usable(self, rt, inbox, alice, anon):
        box, _ = inbox
        await ask(anon(), "alice@example.com")
        await mail.drain(rt)
        token = token_of(box.mails[0])
        for weak in ("short", "alice", "x" * 129):
            r = await confirm(anon(), token, weak)
            assert_error(r, 400, "WEAK_PASSWORD", "new_password")
        assert (await confirm(anon(), token)).status_code == 200

    async def test_needs_no_session_and_no_csrf(self, rt, inbox, alice):
        # A signed-in browser without the CSRF header (a cross-site form could
        # do this) still only gets the generic answer: nothing here needs a session.
        r = await alice.post(
            "/api/password-reset",
            json={"email": "alice@example.com"},
            headers={"X-CSRF-Token": ""},
        )
        assert r.status_code == 202 and r.json() == ANSWER

    async def test_a_transient_failure_is_retried_in_the_background(self, rt, inbox, alice, anon):
        box, _ = inbox
        box.fail_next = 2
        await ask(anon(), "alice@example.com")
        await mail.drain(rt)
        assert len(box.mails) == 1
        assert (await confirm(anon(), token_of(box.mails[0]))).status_code == 200

    async def test_the_web_client_serves_the_reset_page(self, anon):
        r = await anon().get("/reset-password?token=abc")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")


class TestWithoutSmtp:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {}

    async def test_503_saying_mail_is_not_configured(self, alice, anon):
        r = await anon().post("/api/password-reset", json={"email": "alice@example.com"})
        assert_error(r, 503, "INTERNAL_ERROR")
        assert "not configured" in r.json()["error"].lower()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("ru", "ru"),
        ("ru-RU,ru;q=0.9,en-US;q=0.8", "ru"),
        ("en-GB,en;q=0.9,ru;q=0.8", "en"),
        ("de-DE,de;q=0.9,ru;q=0.5", "ru"),
        ("fr, *;q=0.1", "en"),
        ("ru;q=0, en;q=0.1", "en"),
        ("ru;q=bogus", "en"),
    ],
)
def test_language_from_accept_language(header, expected):
    assert language(header) == expected
