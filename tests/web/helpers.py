"""Driving the web client the way a person does: by labels, roles and visible text."""

from __future__ import annotations

import io
import re
import time
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

PASSWORD = "correct horse battery"


def register(ctx: BrowserContext, base: str, username: str) -> Page:
    page = ctx.new_page()
    page.goto(base + "/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_test_id("me")).to_have_text(username)
    return page


def create_guild(page: Page, name: str) -> None:
    page.get_by_role("button", name="Create a server").click()
    page.get_by_label("Server name").fill(name)
    page.get_by_role("dialog").get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def create_channel(page: Page, name: str, kind: str = "text", category: str | None = None) -> None:
    label = "Create category" if kind == "category" else "Create channel"
    page.get_by_role("button", name=f"+ {label}").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Type").select_option(kind)
    dialog.get_by_label("Category name" if kind == "category" else "Channel name").fill(name)
    if category:
        dialog.get_by_label("Category", exact=True).select_option(label=category)
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_have_count(0)


def open_channel(page: Page, name: str) -> None:
    page.locator(f'a.channel[data-channel="{name}"]').click()
    expect(page.locator(".chat-title")).to_contain_text(name)


def create_invite_link(page: Page) -> str:
    page.get_by_role("button", name="Invite people").click()
    dialog = page.get_by_role("dialog")
    # No extra click: the link is made as the dialog opens.
    link = dialog.get_by_label("Invite link")
    expect(link).to_have_value(re.compile(r"/invite/[A-Za-z0-9]{8,}$"))
    value = link.input_value()
    dialog.get_by_role("button", name="Copy").click()
    expect(dialog.get_by_role("status")).to_have_text("Copied!")
    expect(dialog.get_by_text("Copied!")).to_have_count(1)
    page.keyboard.press("Escape")
    return value


def composer(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".composer textarea")


def send(page: Page, text: str) -> None:
    box = composer(page)
    box.fill(text)
    box.press("Enter")


def message(page: Page, text: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("log").locator("article.msg", has_text=text)


def png_bytes(color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "PNG")
    return buf.getvalue()


def login(ctx: BrowserContext, base: str, username: str, path: str = "/") -> Page:
    page = ctx.new_page()
    page.goto(base + "/login?next=" + path)
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("me")).to_have_text(username)
    return page


def signed_in(ctx: BrowserContext, base: str, api: Any, path: str = "/") -> Page:
    """A page of ``api``'s account (a ``requests`` session from the e2e
    ``register``): its session and CSRF cookies copied into the browser profile,
    so the client opens signed in, as after a log-in, without the form."""
    ctx.add_cookies([{"name": c.name, "value": c.value or "", "url": base} for c in api.cookies])
    page = ctx.new_page()
    page.goto(base + path)
    expect(page.get_by_test_id("me")).to_have_text(api.user["username"])
    return page


def seed_guild(base: str, owner, name: str, channels: list[str]):  # type: ignore[no-untyped-def]
    """A guild with text channels, made over REST: ``(guild_id, {name: channel_id})``."""
    gid = owner.post(f"{base}/api/guilds", json={"name": name}).json()["id"]
    ids = {}
    for ch in channels:
        r = owner.post(f"{base}/api/guilds/{gid}/channels", json={"name": ch})
        assert r.status_code == 201, r.text
        ids[ch] = r.json()["id"]
    return gid, ids


def club(base: str) -> str:
    """alice owns "Club" with #general and bob has joined it, made over REST; the
    path of #general (``/channels/<guild>/<channel>``)."""
    from tests.e2e.conftest import register as api_user

    alice_api, bob_api = api_user(base, "alice"), api_user(base, "bob")
    gid, ids = seed_guild(base, alice_api, "Club", ["general"])
    join(base, alice_api, bob_api, gid)
    return f"/channels/{gid}/{ids['general']}"


def join(base: str, owner, member, gid: int) -> None:  # type: ignore[no-untyped-def]
    code = owner.post(f"{base}/api/guilds/{gid}/invites", json={}).json()["code"]
    assert member.post(f"{base}/api/invites/{code}/join").status_code == 200


class Held:
    """Requests to ``pattern`` held back until ``release()``: a state that lasts
    only while a request is in flight stays on screen for as long as a test looks."""

    def __init__(self, page: Page, pattern: Any) -> None:
        self.page, self.pattern = page, pattern
        self.routes: list[Any] = []
        page.route(pattern, self._hold)

    released = False

    def _hold(self, route: Any) -> None:
        # A method of ours: Playwright tags its handler, which a builtin refuses.
        if self.released:
            route.continue_()
        else:
            self.routes.append(route)

    def release(self, timeout: float = 15.0) -> None:
        """Let the held request go (waiting for it to be made, if need be); later
        requests to the pattern are no longer held."""
        deadline = time.monotonic() + timeout
        while not self.routes:
            assert time.monotonic() < deadline, f"no request to {self.pattern} was made"
            self.page.wait_for_timeout(20)  # lets Playwright dispatch the route
        # Continued by us, then unrouted (unrouting first would hand the held
        # requests on itself, and our continue_ would find them handled).
        self.released = True
        for route in self.routes:
            route.continue_()
        self.page.unroute(self.pattern)
