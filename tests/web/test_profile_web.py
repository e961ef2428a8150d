"""Profiles, server settings and account recovery (section 20), by clicking: an avatar
and a display name seen in another browser, a renamed server with an icon, and a
forgotten password reset through the mailed link."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import free_port
from tests.mailbox import Inbox, inbox  # noqa: F401  (fixture)
from tests.web.helpers import PASSWORD, club, login, png_bytes, register

pytestmark = pytest.mark.e2e


def test_avatar_and_display_name_reach_another_browser(live, new_context, tmp_path):
    path = club(live.url)
    alice = login(new_context(), live.url, "alice", path)
    bob = login(new_context(), live.url, "bob", path)
    bob_row = alice.locator('li.member[data-member="bob"]')
    expect(bob_row).to_contain_text("bob")
    expect(bob_row.locator("img")).to_have_count(0)

    picture = tmp_path / "me.png"
    picture.write_bytes(png_bytes((20, 160, 220)))
    bob.get_by_role("button", name="Settings", exact=True).click()
    settings = bob.get_by_role("dialog", name="User settings")
    settings.get_by_label("Avatar", exact=True).set_input_files(picture)
    expect(settings.get_by_test_id("avatar-preview")).to_be_visible()
    settings.get_by_label("Display name").fill("Bobby Tables")
    settings.get_by_role("button", name="Save changes").click()
    expect(settings.get_by_role("status")).to_have_text("Saved.")
    # The other browser: the member list shows the new name and the server's square copy.
    expect(bob_row).to_contain_text("Bobby Tables")
    expect(bob_row.locator("img")).to_have_attribute("src", re.compile(r"^/uploads/avatars/"))
    expect(bob.get_by_test_id("me-display")).to_have_text("Bobby Tables")

    # A taken username is refused next to its field; nothing else changes.
    settings.get_by_label("Username").fill("alice")
    settings.get_by_role("button", name="Save changes").click()
    expect(settings.locator("#username-error")).to_have_text("This username or email is taken.")
    settings.get_by_role("button", name="Close settings").click()

    # The owner renames the server and gives it an icon: the member's rail follows.
    icon = tmp_path / "icon.png"
    icon.write_bytes(png_bytes((240, 180, 0)))
    alice.get_by_role("button", name="Server settings").click()
    settings = alice.get_by_role("dialog", name="Club")
    settings.get_by_label("Server icon").set_input_files(icon)
    expect(settings.get_by_test_id("icon-preview")).to_be_visible()
    settings.get_by_label("Server name").fill("Book club")
    settings.get_by_label("Description").fill("We read.")
    settings.get_by_role("button", name="Save changes").click()
    rail = bob.get_by_role("navigation", name="Servers")
    expect(rail.get_by_role("link", name="Book club")).to_be_visible()
    expect(rail.get_by_role("link", name="Book club").locator("img")).to_have_attribute(
        "src", re.compile(r"^/uploads/icons/")
    )
    # A member without MANAGE_GUILD sees the overview but cannot change it.
    bob.get_by_role("button", name="Server settings").click()
    expect(bob.get_by_role("dialog", name="Book club").get_by_label("Description")).to_be_disabled()
    expect(
        bob.get_by_role("dialog", name="Book club").get_by_role("button", name="Save changes")
    ).to_have_count(0)


def wait_for_mail(box: Inbox, count: int, timeout: float = 15) -> None:
    """The mail is sent in the background after the answer: wait for it to arrive."""
    deadline = time.monotonic() + timeout
    while len(box.mails) < count:
        assert time.monotonic() < deadline, "no reset mail arrived"
        time.sleep(0.05)


def test_forgot_password_from_the_sign_in_screen(spawn_server, new_context, inbox):  # noqa: F811
    box, smtp_port = inbox
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    server = spawn_server(
        port=port,
        GUILDHALL_SMTP_URL=f"smtp://mailer:p%40ss%20word@127.0.0.1:{smtp_port}",
        GUILDHALL_MAIL_FROM="Guildhall <noreply@chat.example.org>",
        GUILDHALL_PUBLIC_URL=public,
        GUILDHALL_MAIL_RETRY_DELAYS="0.05,0.05",
    )
    old_session = register(new_context(), server.url, "alice")

    page = new_context().new_page()
    page.goto(server.url + "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.locator(".auth-card").get_by_role("status")).to_contain_text(
        "If that email is registered"
    )
    wait_for_mail(box, 1)
    body = box.mails[0].get_body(("plain",)).get_content()
    link = re.search(re.escape(public) + r"/reset-password\?token=[A-Za-z0-9_\-]+", body)
    assert link, body

    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator("#new_password-error")).to_contain_text("8 to 128 characters")
    page.get_by_label("New password", exact=True).fill("a brand new secret")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".auth-card").get_by_role("status")).to_have_text(
        "Your password was changed. Log in with the new one."
    )
    # Every old session ended: the other browser is back at the sign-in screen.
    expect(old_session.get_by_role("heading", name="Welcome back!")).to_be_visible()

    # The link is single-use; the old password is gone and the new one works.
    page.goto(link.group(0))
    page.get_by_label("New password", exact=True).fill("yet another secret")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.goto(server.url + "/login")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#password-error")).to_have_text("Wrong username or password.")
    page.get_by_label("Password").fill("a brand new secret")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("me")).to_have_text("alice")
