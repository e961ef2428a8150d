#!/usr/bin/env python3
"""Screenshots of the settings, roles, moderation and recovery screens into
docs/screenshots/ (the companion of scripts/screenshots.py, whose server and seeding
helpers it uses):

    .venv/bin/python scripts/screenshots_settings.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import ARGS, CHROMIUM, OUT, login, png, start_server, user


def seed(url: str) -> dict[str, int]:
    alice, bob, carol, dave = (user(url, n) for n in ("alice", "bob", "carol", "dave"))
    g = alice.post(url + "/api/guilds", json={"name": "Book club"}).json()
    gid = g["id"]
    base = url + f"/api/guilds/{gid}"
    general = alice.post(base + "/channels", json={"name": "general"}).json()
    staff = alice.post(base + "/channels", json={"name": "staff"}).json()
    code = alice.post(base + "/invites", json={}).json()["code"]
    for s in (bob, carol, dave):
        s.post(url + f"/api/invites/{code}/join")
    me = {
        name: s.get(url + "/api/me").json()["id"]
        for name, s in (("bob", bob), ("carol", carol), ("dave", dave))
    }
    mods = alice.post(
        base + "/roles",
        json={
            "name": "Moderators",
            "color": 0x3BA55C,
            "hoist": True,
            "permissions": str(1 << 1 | 1 << 2 | 1 << 40 | 1 << 13 | 1 << 7 | 1 << 28),
        },
    ).json()
    readers = alice.post(base + "/roles", json={"name": "Readers", "color": 0xEB459E}).json()
    alice.put(base + f"/roles/{mods['id']}", json={"position": 2})
    alice.put(base + f"/members/{me['bob']}/roles/{mods['id']}")
    alice.put(base + f"/members/{me['carol']}/roles/{readers['id']}")
    everyone = alice.get(base + "/roles").json()[0]
    alice.put(
        url + f"/api/channels/{staff['id']}/permissions/{everyone['id']}",
        json={"type": "role", "allow": "0", "deny": str(1 << 10)},
    )
    alice.put(
        url + f"/api/channels/{staff['id']}/permissions/{mods['id']}",
        json={"type": "role", "allow": str(1 << 10), "deny": "0"},
    )
    up = bob.post(
        url + "/api/upload", files={"file": ("b.png", png((40, 120, 200), (128, 128)), "image/png")}
    )
    bob.put(url + "/api/me", json={"avatar": up.json()["path"], "display_name": "Bob the Reader"})
    for text in ("Welcome!", "Hello there", "Anyone read Dune?"):
        dave.post(url + f"/api/channels/{general['id']}/messages", json={"content": text})
    alice.put(
        base + f"/bans/{me['dave']}",
        json={"reason": "Spam links", "delete_message_seconds": 0},
        headers={"X-Audit-Log-Reason": "Spam%20links"},
    )
    alice.put(base + f"/members/{me['carol']}", json={"communication_disabled_until": None})
    return {"guild": gid, "general": general["id"], "staff": staff["id"], **me}


def shot(page: Page, name: str) -> None:
    page.wait_for_timeout(150)  # let transitions settle for the picture (not a test)
    page.screenshot(path=OUT / name)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp), wait=300)  # a busy machine starts slowly
        try:
            ids = seed(url)
            chan = f"/channels/{ids['guild']}/{ids['general']}"
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                login(page, url, "alice")
                page.goto(url + chan)
                page.get_by_test_id("member").first.wait_for()
                shot(page, "members-hoisted.png")
                page.locator('li.member[data-member="carol"]').get_by_role("button").click()
                shot(page, "member-menu.png")
                page.get_by_role("menuitem", name="Ban carol").click()
                page.get_by_label("Delete message history").select_option(label="Previous hour")
                page.get_by_label("Reason").fill("Spoilers after two warnings")
                shot(page, "ban-dialog.png")
                page.keyboard.press("Escape")
                page.locator('li.member[data-member="carol"]').get_by_role("button").click()
                page.get_by_role("menuitem", name="Time out carol").click()
                shot(page, "timeout-dialog.png")
                page.keyboard.press("Escape")

                page.get_by_role("button", name="Server settings").click()
                settings = page.get_by_role("dialog", name="Book club")
                shot(page, "server-overview.png")
                settings.get_by_role("button", name="Roles", exact=True).click()
                settings.get_by_role("list", name="Roles").get_by_role("button").first.click()
                shot(page, "server-roles.png")
                settings.get_by_role("button", name="Members", exact=True).click()
                shot(page, "server-members.png")
                settings.get_by_role("button", name="Bans", exact=True).click()
                settings.locator("tr[data-ban]").first.wait_for()
                shot(page, "server-bans.png")
                settings.get_by_role("button", name="Audit log").click()
                settings.locator(".audit-entry").first.wait_for()
                shot(page, "server-audit-log.png")
                settings.get_by_role("button", name="Close settings").click()

                page.get_by_role("button", name="Edit channel: staff").click()
                page.get_by_role("button", name="Permissions").click()
                shot(page, "channel-permissions.png")
                page.get_by_role("button", name="Close settings").click()

                page.get_by_role("button", name="Settings", exact=True).click()
                shot(page, "user-settings.png")
                page.get_by_role("button", name="Close settings").click()

                # A timed-out member's view, and a moderator's narrower roles page.
                bobp = browser.new_page(viewport={"width": 1280, "height": 800})
                login(bobp, url, "bob")
                bobp.goto(url + chan)
                bobp.get_by_test_id("member").first.wait_for()
                bobp.locator('li.member[data-member="carol"]').get_by_role("button").click()
                bobp.get_by_role("menuitem", name="Time out carol").click()
                bobp.get_by_label("10 minutes").check()
                bobp.get_by_role("button", name="Confirm").click()
                carol = browser.new_page(viewport={"width": 1280, "height": 800})
                login(carol, url, "carol")
                carol.goto(url + chan)
                carol.get_by_test_id("timeout-notice").wait_for()
                shot(carol, "timeout-notice.png")
                bobp.get_by_role("button", name="Server settings").click()
                bobp.get_by_role("button", name="Roles", exact=True).click()
                bobp.get_by_role("list", name="Roles").get_by_role(
                    "button", name="Readers"
                ).first.click()
                shot(bobp, "moderator-roles.png")

                anon = browser.new_page(viewport={"width": 1280, "height": 800})
                anon.goto(url + "/login")
                anon.get_by_role("link", name="Forgot your password?").click()
                shot(anon, "forgot-password.png")
                anon.goto(url + "/reset-password?token=example")
                shot(anon, "reset-password.png")
                phone = browser.new_page(viewport={"width": 390, "height": 844})
                login(phone, url, "alice")
                phone.goto(url + chan)
                phone.get_by_role("button", name="Open channels").click()
                phone.get_by_role("button", name="Server settings").click()
                phone.get_by_role("button", name="Roles", exact=True).click()
                shot(phone, "phone-roles.png")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    print("screenshots written to", OUT)


if __name__ == "__main__":
    main()
