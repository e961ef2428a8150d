#!/usr/bin/env python3
"""Screenshots of the web client's main screens into docs/screenshots/.

Starts a real ``guildhall serve`` on a temporary data directory, seeds it over the
REST API, and photographs the screens with Debian's chromium through Playwright:

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from PIL import Image
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, wait: float = 90) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUILDHALL_")}
    env["GUILDHALL_DATA_DIR"] = str(data)
    for limit in ("API", "SOCKET", "UPLOAD", "MESSAGE", "FRIEND_REQUEST"):
        env[f"GUILDHALL_{limit}_RATE_LIMIT"] = "off"
    exe = Path(sys.executable).parent / "guildhall"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/api/me", timeout=1)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def user(url: str, name: str) -> requests.Session:
    s = requests.Session()
    r = s.post(
        url + "/api/register",
        json={"username": name, "password": PASSWORD, "email": f"{name}@example.com"},
    )
    r.raise_for_status()
    s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return s


def png(color: tuple[int, int, int], size: tuple[int, int] = (320, 200)) -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", size, color)
    for x in range(size[0]):
        for y in range(0, size[1], 8):
            img.putpixel((x, y), (255, 255, 255))
    img.save(buf, "PNG")
    return buf.getvalue()


def seed(url: str) -> dict[str, int]:
    alice, bob, carol = user(url, "alice"), user(url, "bob"), user(url, "carol")
    g = alice.post(url + "/api/guilds", json={"name": "Book club"}).json()
    gid = g["id"]
    cat = alice.post(
        url + f"/api/guilds/{gid}/channels", json={"name": "Reading", "type": "category"}
    ).json()
    general = alice.post(url + f"/api/guilds/{gid}/channels", json={"name": "general"}).json()
    alice.post(
        url + f"/api/guilds/{gid}/channels",
        json={"name": "announcements", "category_id": cat["id"]},
    )
    alice.post(
        url + f"/api/guilds/{gid}/channels", json={"name": "reviews", "category_id": cat["id"]}
    )
    voice = alice.post(
        url + f"/api/guilds/{gid}/channels",
        json={"name": "lounge", "type": "voice", "category_id": cat["id"]},
    ).json()
    code = alice.post(url + f"/api/guilds/{gid}/invites", json={}).json()["code"]
    for s in (bob, carol):
        s.post(url + f"/api/invites/{code}/join")
    alice.post(
        url + f"/api/guilds/{gid}/emojis",
        data={"name": "book"},
        files={"file": ("book.png", png((90, 60, 200), (64, 64)), "image/png")},
    )
    cid = general["id"]

    def say(s: requests.Session, text: str, **extra: object) -> dict:
        return s.post(url + f"/api/channels/{cid}/messages", json={"content": text, **extra}).json()

    say(alice, "Welcome to the **book club**! :book:")
    say(bob, "Hi all. Has anyone read *Dune*?")
    m = say(carol, "Yes — the `spice` scenes are great.\nSee https://en.wikipedia.org/wiki/Dune")
    bob.put(url + f"/api/messages/{m['id']}/reactions/%F0%9F%91%8D")
    alice.put(url + f"/api/messages/{m['id']}/reactions/%F0%9F%91%8D")
    up = alice.post(
        url + "/api/upload", files={"file": ("cover.png", png((40, 120, 90)), "image/png")}
    )
    say(alice, "This month's cover:", files=[up.json()["path"]])
    p = say(alice, "What do we read next?")
    poll = alice.post(
        url + f"/api/messages/{p['id']}/poll",
        json={"question": "What do we read next?", "options": ["Dune Messiah", "Emma", "Solaris"]},
    ).json()
    bob.post(url + f"/api/polls/{poll['id']}/vote", json={"option_id": "1"})
    carol.post(url + f"/api/polls/{poll['id']}/vote", json={"option_id": "3"})
    pinned = say(bob, "Meeting on Friday at 19:00 ```\nRoom 4, second floor\n```")
    alice.post(url + f"/api/messages/{pinned['id']}/pin")
    say(carol, "<img src=x onerror=alert(1)> is shown as text, never run")
    bob.post(url + "/api/friends/request", json={"to": "alice"})
    carol.post(url + "/api/friends/request", json={"to": "alice"})
    alice.post(url + "/api/friends/accept", json={"from": "carol"})
    return {"guild": gid, "channel": cid, "voice": voice["id"]}


def login(page: Page, url: str, name: str) -> None:
    page.goto(url + "/login")
    # By id: the page may be in Russian.
    page.locator("#username").fill(name)
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.get_by_test_id("me").wait_for()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp))
        try:
            ids = seed(url)
            chat = f"{url}/channels/{ids['guild']}/{ids['channel']}"
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
                page = ctx.new_page()
                page.goto(url + "/register")
                page.get_by_label("Username").fill("dave")
                page.get_by_label("Email").fill("nope")
                page.get_by_label("Password").fill("short")
                page.get_by_role("button", name="Register").click()
                page.locator(".field-error").first.wait_for()
                page.screenshot(path=OUT / "register-errors.png")
                login(page, url, "alice")
                page.goto(chat)
                page.locator("article.msg").last.wait_for()
                page.wait_for_timeout(500)
                page.screenshot(path=OUT / "chat.png")
                # Accessibility (issue 17): the skip link, the composer's focus ring, the
                # emoji picker driven by the keyboard.
                page.evaluate("document.activeElement && document.activeElement.blur()")
                page.keyboard.press("Tab")
                page.screenshot(path=OUT / "a11y-skip-link.png")
                page.keyboard.press("Enter")
                page.keyboard.type("The focus ring goes round the composer")
                page.screenshot(path=OUT / "a11y-composer-focus.png")
                page.get_by_role("button", name="Emoji").focus()
                page.keyboard.press("Enter")
                for key in ("ArrowDown", "ArrowRight", "ArrowRight"):
                    page.keyboard.press(key)
                page.screenshot(path=OUT / "a11y-emoji-picker.png")
                page.keyboard.press("Escape")
                page.locator(".composer textarea").fill("")
                row = page.locator("article.msg", has_text="Welcome to the")
                row.hover()
                row.get_by_role("button", name="Edit").click()
                editor = page.get_by_label("Edit message")
                editor.wait_for()
                page.wait_for_function("() => document.activeElement?.ariaLabel === 'Edit message'")
                page.screenshot(path=OUT / "edit.png")
                page.keyboard.press("Escape")
                page.goto(f"{url}/channels/{ids['guild']}/{ids['voice']}")
                page.get_by_role("note").wait_for()
                page.screenshot(path=OUT / "voice.png")
                page.goto(chat)
                page.locator("article.msg").last.wait_for()
                page.get_by_role("button", name="Pinned messages").click()
                page.get_by_test_id("pins").wait_for()
                page.screenshot(path=OUT / "pins.png")
                page.get_by_role("searchbox").fill("dune")
                page.get_by_role("searchbox").press("Enter")
                page.get_by_test_id("search-results").wait_for()
                page.screenshot(path=OUT / "search.png")
                page.get_by_role("button", name="Create poll").click()
                page.get_by_label("Question").fill("Where do we meet?")
                page.screenshot(path=OUT / "poll-dialog.png")
                page.keyboard.press("Escape")
                page.get_by_role("button", name="Invite people").click()
                page.get_by_role("button", name="Create invite").click()
                page.get_by_label("Invite link").wait_for()
                page.screenshot(path=OUT / "invite.png")
                page.keyboard.press("Escape")
                page.goto(url + "/friends")
                page.get_by_role("tab", name="Pending").click()
                page.screenshot(path=OUT / "friends.png")

                phone = browser.new_context(
                    viewport={"width": 390, "height": 844},
                    device_scale_factor=2,
                    is_mobile=True,
                    has_touch=True,
                    locale="ru-RU",
                )
                p2 = phone.new_page()
                login(p2, url, "bob")
                p2.goto(chat)
                p2.locator("article.msg").last.wait_for()
                p2.wait_for_timeout(500)
                p2.screenshot(path=OUT / "phone-ru.png")
                p2.get_by_role("button", name="Открыть каналы").click()
                p2.wait_for_timeout(400)
                p2.screenshot(path=OUT / "phone-ru-channels.png")
                p2.goto(f"{url}/channels/{ids['guild']}/{ids['voice']}")
                p2.get_by_role("note").wait_for()
                p2.screenshot(path=OUT / "phone-ru-voice.png")
                p2.goto(f"{url}/channels/999999")
                p2.locator(".toast").first.wait_for()
                p2.screenshot(path=OUT / "phone-ru-error.png")
                p2.goto(chat)
                p2.locator("article.msg").last.wait_for()
                own = p2.locator("article.msg", has_text="Meeting on Friday")
                own.hover()
                own.get_by_role("button", name="Изменить").click()
                p2.get_by_label("Редактировать сообщение").wait_for()
                p2.screenshot(path=OUT / "phone-ru-edit.png")

                light = browser.new_context(viewport={"width": 1280, "height": 800})
                light.add_init_script("localStorage.setItem('theme', 'light')")
                p3 = light.new_page()
                login(p3, url, "carol")
                p3.goto(chat)
                p3.locator("article.msg").last.wait_for()
                p3.wait_for_timeout(500)
                p3.screenshot(path=OUT / "chat-light.png")
                p3.get_by_role("button", name="Emoji").focus()
                p3.keyboard.press("Enter")
                p3.keyboard.press("ArrowDown")
                p3.screenshot(path=OUT / "a11y-emoji-picker-light.png")
                p3.keyboard.press("Escape")
                p3.locator(".composer textarea").focus()
                p3.screenshot(path=OUT / "a11y-composer-focus-light.png")
                signed_out = browser.new_context(viewport={"width": 1280, "height": 800})
                signed_out.add_init_script("localStorage.setItem('theme', 'light')")
                p4 = signed_out.new_page()
                p4.goto(url + "/register")
                p4.get_by_label("Username").fill("dave")
                p4.get_by_label("Email").fill("nope")
                p4.get_by_label("Password").fill("short")
                p4.get_by_role("button", name="Register").click()
                p4.locator(".field-error").first.wait_for()
                p4.screenshot(path=OUT / "register-errors-light.png")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)
    for f in sorted(OUT.glob("*.png")):
        print(f.relative_to(ROOT))


if __name__ == "__main__":
    main()
