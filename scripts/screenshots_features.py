#!/usr/bin/env python3
"""Screenshots of issue 17's features into docs/screenshots/features-*.png (the
companion of scripts/screenshots.py, whose server and seeding helpers it uses):
date separators, jump to present, Markdown quotes/strikethrough/spoilers, the quick
switcher, the image viewer, the first-run hint, the invites page, registration
errors, the invite dialog, the offline banner and the phone composer.

    .venv/bin/python scripts/screenshots_features.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import ARGS, CHROMIUM, OUT, login, png, start_server, user


def backdate(data: Path, ids: list[int], days: int) -> None:
    """Moves messages into the past in the server's SQLite file (the API cannot)."""
    from sqlalchemy import update
    from sqlalchemy.ext.asyncio import create_async_engine

    from guildhall.config import Settings
    from guildhall.models.message import Message

    async def run() -> None:
        engine = create_async_engine(Settings(data_dir=data).resolved_database_url)
        async with engine.begin() as conn:
            when = datetime.now(UTC) - timedelta(days=days)
            for n, mid in enumerate(ids):
                await conn.execute(
                    update(Message)
                    .where(Message.id == mid)
                    .values(created_at=when + timedelta(minutes=n))
                )
        await engine.dispose()

    asyncio.run(run())


def seed(url: str, data: Path) -> dict[str, int]:
    alice, bob = user(url, "alice"), user(url, "bob")
    user(url, "newbie")
    gid = alice.post(url + "/api/guilds", json={"name": "Book club"}).json()["id"]
    base = url + f"/api/guilds/{gid}"
    general = alice.post(base + "/channels", json={"name": "general"}).json()["id"]
    for name in ("books", "off-topic", "announcements"):
        alice.post(base + "/channels", json={"name": name})
    code = alice.post(base + "/invites", json={"max_uses": 10}).json()["code"]
    bob.post(url + f"/api/invites/{code}/join")
    alice.post(base + "/invites", json={"expires_hours": 0})
    old = []
    for n in range(30):
        who = alice if n % 3 else bob
        r = who.post(
            url + f"/api/channels/{general}/messages", json={"content": f"Chapter {n} notes"}
        )
        old.append(r.json()["id"])
    backdate(data, old, days=2)
    post = lambda s, text: s.post(  # noqa: E731
        url + f"/api/channels/{general}/messages", json={"content": text}
    )
    post(bob, "> Is the ending worth it?\nabsolutely, and ~~not~~ very sad")
    post(alice, "the twist: ||the narrator was the dragon|| — don't read this yet")
    up = bob.post(
        url + "/api/upload",
        files={"file": ("map.png", png((40, 120, 200), (480, 300)), "image/png")},
    ).json()
    r = bob.post(
        url + f"/api/channels/{general}/messages",
        json={"content": "the map from chapter 3", "files": [up["path"]]},
    )
    assert r.status_code == 201, r.text
    return {"guild": gid, "general": general}


def shot(page: Page, name: str) -> None:
    page.wait_for_timeout(150)  # let transitions settle for the picture (not a test)
    page.screenshot(path=OUT / f"features-{name}.png")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp), wait=300)  # a busy machine starts slowly
        try:
            ids = seed(url, Path(tmp))
            chan = f"/channels/{ids['guild']}/{ids['general']}"
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                login(page, url, "alice")
                page.goto(url + chan)
                page.get_by_role("log").locator("article.msg", has_text="the map").wait_for()
                page.get_by_role("separator", name="Today").wait_for()
                shot(page, "chat-today")
                page.get_by_role("log").locator(".spoiler").first.click()
                shot(page, "spoiler-revealed")
                page.get_by_role("log").get_by_role("img", name="map.png").click()
                shot(page, "image-viewer")
                page.keyboard.press("Escape")
                page.get_by_role("log").evaluate(
                    "el => { el.scrollTop = 200; el.dispatchEvent(new Event('scroll')); }"
                )
                page.get_by_test_id("jump-to-present").wait_for()
                shot(page, "jump-to-present")
                page.get_by_test_id("jump-to-present").get_by_role("button").click()
                page.keyboard.press("Control+k")
                page.get_by_role("combobox").fill("o")
                shot(page, "quick-switcher")
                page.keyboard.press("Escape")
                page.get_by_role("button", name="Invite people").click()
                page.get_by_role("dialog").get_by_label("Invite link").wait_for()
                shot(page, "invite-dialog")
                page.keyboard.press("Escape")
                page.get_by_role("button", name="Server settings").click()
                page.get_by_role("button", name="Invites").click()
                page.locator("tr[data-invite]").first.wait_for()
                shot(page, "invites-page")
                page.get_by_role("button", name="Close settings").click()
                # Offline: the banner above the app, the header still readable.
                page.context.set_offline(True)
                page.evaluate("() => window.dispatchEvent(new Event('offline'))")
                expect(page.locator(".banner")).to_be_visible(timeout=30_000)
                shot(page, "offline-banner")
                page.context.set_offline(False)

                newbie = browser.new_page(viewport={"width": 1280, "height": 800})
                login(newbie, url, "newbie")
                newbie.get_by_test_id("first-run").wait_for()
                shot(newbie, "first-run")

                anon = browser.new_page(viewport={"width": 1280, "height": 800})
                anon.goto(url + "/register")
                anon.locator("#username").fill("x")
                anon.locator("#email").fill("not-an-email")
                anon.locator("#password").fill("short")
                anon.locator("button[type=submit]").click()
                anon.locator("#password-error").wait_for()
                shot(anon, "register-errors")

                phone = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True)
                login(phone, url, "alice")
                phone.goto(url + chan)
                phone.get_by_role("log").locator("article.msg", has_text="the map").wait_for()
                shot(phone, "phone-chat")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    print("screenshots written to", OUT)


if __name__ == "__main__":
    main()
