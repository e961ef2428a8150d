#!/usr/bin/env python3
"""Screenshots of the Direct Messages screens into docs/screenshots/ (dm-*.png).

The same server and helpers as scripts/screenshots.py, seeded with friends, a DM
and a group:

    .venv/bin/python scripts/screenshots_dms.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import ARGS, CHROMIUM, OUT, ROOT, login, png, start_server, user


def seed(url: str) -> dict[str, int]:
    alice, bob, carol, dave = (user(url, n) for n in ("alice", "bob", "carol", "dave"))
    for other, name in ((bob, "bob"), (carol, "carol"), (dave, "dave")):
        alice.post(url + "/api/friends/request", json={"to": name})
        other.post(url + "/api/friends/accept", json={"from": "alice"})
    ids = {n: s.get(url + "/api/me").json()["id"] for n, s in (("bob", bob), ("carol", carol))}
    dm = alice.post(url + "/api/users/@me/channels", json={"recipient_id": ids["bob"]}).json()

    def say(s, cid: int, text: str, **extra: object) -> dict:  # type: ignore[no-untyped-def]
        return s.post(url + f"/api/channels/{cid}/messages", json={"content": text, **extra}).json()

    say(bob, dm["id"], "Are you coming on Friday?")
    say(alice, dm["id"], "Yes! I'll bring the book.")
    up = bob.post(url + "/api/upload", files={"file": ("map.png", png((60, 90, 160)), "image/png")})
    m = say(bob, dm["id"], "Here is the way to the café:", files=[up.json()["path"]])
    alice.put(url + f"/api/messages/{m['id']}/reactions/%F0%9F%99%8F")
    group = alice.post(
        url + "/api/users/@me/channels", json={"recipient_ids": [ids["bob"], ids["carol"]]}
    ).json()
    alice.put(url + f"/api/channels/{group['id']}", json={"name": "Friday crew"})
    say(carol, group["id"], "Who books the table?")
    with_carol = carol.post(
        url + "/api/users/@me/channels", json={"recipient_id": dm["recipients"][0]["id"]}
    ).json()
    say(carol, with_carol["id"], "Did you finish *Solaris*?")  # unread for alice
    return {"dm": dm["id"], "group": group["id"]}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp))
        try:
            ids = seed(url)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
                login(page, url, "alice")
                page.goto(url + f"/channels/@me/{ids['dm']}")
                page.locator("article.msg").last.wait_for()
                page.wait_for_timeout(500)
                page.screenshot(path=OUT / "dm-chat.png")
                page.goto(url + "/friends")
                page.locator(".dm-list a.channel").first.wait_for()
                page.wait_for_timeout(300)
                page.screenshot(path=OUT / "dm-home.png")
                page.get_by_role("button", name="New group").click()
                page.get_by_role("dialog").get_by_label("dave").check()
                page.wait_for_timeout(200)
                page.screenshot(path=OUT / "dm-new-group.png")
                page.keyboard.press("Escape")
                page.goto(url + f"/channels/@me/{ids['group']}")
                page.locator("article.msg").last.wait_for()
                page.get_by_role("button", name="Group settings: Friday crew").click()
                page.wait_for_timeout(300)
                page.screenshot(path=OUT / "dm-group-settings.png")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    for f in sorted(OUT.glob("dm-*.png")):
        print(f.relative_to(ROOT))


if __name__ == "__main__":
    main()
