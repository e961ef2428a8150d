"""Accessibility (issue 17, WCAG 2.2 AA): axe-core run inside the browser on the main
screens in both themes fails on any serious or critical violation, and on any
label-in-name one (2.5.3, axe's ``label-content-name-mismatch``) whatever its impact;
and the keyboard paths the issue names work (skip link, a channel switched by keyboard
hands focus to the composer, the emoji and sticker pickers' arrow keys and the focus
they give back).

axe-core comes from web/node_modules (a devDependency of the client, installed by
``npm ci``): its ``axe.min.js`` is evaluated in the page, never fetched from a CDN."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import register as api_user
from tests.web.helpers import composer, join, login, message, png_bytes, seed_guild

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
# Failed whatever impact axe gives them; enabled explicitly, so that an axe release
# moving the rule out of the default set cannot turn the check off unnoticed.
ALWAYS = {"label-content-name-mismatch"}  # WCAG 2.5.3 Label in Name


def axe_violations(page: Page, screen: str) -> list[str]:
    """axe's serious and critical violations, and any of ``ALWAYS``, on what the page
    shows now, one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        assert AXE.exists(), f"{AXE} is missing: run `npm ci` in web/"
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (always) => {
            const rules = Object.fromEntries(always.map((id) => [id, { enabled: true }]));
            const r = await axe.run(document, { resultTypes: ["violations"], rules });
            return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 4).map((n) => ({ target: n.target.join(" "),
                data: (n.any[0] || n.all[0] || n.none[0] || {}).data || null })) }));
        }""",
        sorted(ALWAYS),
    )

    def where(n: dict) -> str:
        return f"{n['target']} {json.dumps(n['data']) if n['data'] else ''}"

    return [
        f"{screen}: {v['id']} ({v['impact']}) {v['help']}: " + "; ".join(map(where, v["nodes"]))
        for v in result
        if v["impact"] in BLOCKING or v["id"] in ALWAYS
    ]


@pytest.fixture
def seeded(live):  # type: ignore[no-untyped-def]
    """alice owns "Club" (#general with messages, #random where bob mentioned her: a
    mention badge on #random and on the server), with four stickers; bob is a member
    and her friend, they have a DM; carol has a friend request pending with alice."""
    url = live.url
    alice_api, bob_api, carol_api = (api_user(url, n) for n in ("alice", "bob", "carol"))
    gid, ids = seed_guild(live.url, alice_api, "Club", ["general", "random"])
    join(live.url, alice_api, bob_api, gid)
    for who, text in [
        (alice_api, "hello **everyone**"),
        (bob_api, "hi alice, `code` here"),
        (alice_api, "a reply with a link https://example.com"),
    ]:
        r = who.post(f"{live.url}/api/channels/{ids['general']}/messages", json={"content": text})
        assert r.status_code == 201, r.text
    r = bob_api.put(f"{live.url}/api/messages/{r.json()['id']}/reactions/👍")
    assert r.status_code in (200, 204), r.text
    mention = f"<@{alice_api.user['id']}> look at this"
    r = bob_api.post(f"{url}/api/channels/{ids['random']}/messages", json={"content": mention})
    assert r.status_code == 201, r.text
    for i, name in enumerate(["cat", "dog", "owl", "fox"]):
        r = alice_api.post(
            f"{url}/api/guilds/{gid}/stickers",
            files={"file": (f"{name}.png", png_bytes((40 * i, 90, 200)), "image/png")},
            data={"name": name},
        )
        assert r.status_code == 201, r.text
    assert alice_api.post(f"{url}/api/friends/request", json={"to": "bob"}).status_code == 200
    assert bob_api.post(f"{url}/api/friends/accept", json={"from": "alice"}).status_code == 200
    assert carol_api.post(f"{url}/api/friends/request", json={"to": "alice"}).status_code == 200
    dm = alice_api.post(f"{url}/api/users/@me/channels", json={"recipient_id": bob_api.user["id"]})
    assert dm.status_code in (200, 201), dm.text
    r = bob_api.post(f"{url}/api/channels/{dm.json()['id']}/messages", json={"content": "psst"})
    assert r.status_code == 201, r.text
    return gid, ids, dm.json()["id"]


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_main_screens_have_no_serious_axe_violations(live, new_context, seeded, theme):  # type: ignore[no-untyped-def]
    gid, ids, dm_id = seeded
    ctx = new_context()
    ctx.add_init_script(f"localStorage.setItem('theme', '{theme}')")
    found: list[str] = []

    page = ctx.new_page()
    page.goto(live.url + "/login")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    found += axe_violations(page, "sign-in")
    page.goto(live.url + "/register")
    expect(page.get_by_role("button", name="Register")).to_be_visible()
    found += axe_violations(page, "register")
    # A refused form shows its error texts (their contrast is what the issue measured).
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".field-error").first).to_be_visible()
    found += axe_violations(page, "register with errors")
    page.close()

    page = login(ctx, live.url, "alice", f"/channels/{gid}/{ids['general']}")
    expect(message(page, "a reply with a link")).to_be_visible()
    expect(page.locator(".reaction")).to_have_count(1)
    # bob's mention in #random shows as a badge on its row and on the server's icon;
    # the links' names begin with what they show (label-in-name).
    random = page.locator('a.channel[data-channel="random"]')
    expect(random.get_by_test_id("mention-badge")).to_have_text("1")
    expect(random).to_have_accessible_name("random, 1 mention (unread)")
    rail = page.get_by_role("navigation", name="Servers")
    expect(rail.get_by_role("link", name="Club, 1 mention (unread)")).to_be_visible()
    expect(rail.get_by_role("link", name="Home, 1 Pending")).to_be_visible()
    found += axe_violations(page, "chat with messages and mention badges")

    page.get_by_role("button", name="Emoji").click()
    picker = page.get_by_role("dialog", name="Emoji")
    expect(picker).to_be_visible()
    found += axe_violations(page, "emoji picker open")
    page.keyboard.press("Escape")
    expect(picker).to_have_count(0)
    page.get_by_role("button", name="Stickers").click()
    stickers = page.get_by_role("dialog", name="Stickers")
    expect(stickers.get_by_role("button", name="Sticker: fox")).to_be_visible()
    found += axe_violations(page, "sticker picker open")
    page.keyboard.press("Escape")
    expect(stickers).to_have_count(0)

    box = page.get_by_role("searchbox", name="Search messages")
    box.fill("alice")
    box.press("Enter")
    expect(page.get_by_test_id("search-results").locator("li")).to_have_count(1)
    found += axe_violations(page, "search results")

    page.get_by_role("button", name="Server settings").click()
    expect(page.get_by_role("dialog", name="Club")).to_be_visible()
    found += axe_violations(page, "server settings")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Club")).to_have_count(0)

    page.get_by_role("button", name="Settings", exact=True).click()
    expect(page.get_by_role("dialog", name="User settings")).to_be_visible()
    found += axe_violations(page, "user settings")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="User settings")).to_have_count(0)

    page.goto(live.url + "/channels/@me")
    dm_link = page.locator(f'a.channel[href="/channels/@me/{dm_id}"]')
    expect(dm_link).to_be_visible()
    # bob's "psst" is unread: a dot, and "(unread)" in the link's text for screen readers
    expect(dm_link).to_have_accessible_name(re.compile(r"^bob\b.*\(unread\)$"))
    found += axe_violations(page, "DMs home")
    page.goto(live.url + f"/channels/@me/{dm_id}")
    expect(message(page, "psst")).to_be_visible()
    found += axe_violations(page, "DM conversation")

    page.goto(live.url + "/friends")
    page.get_by_role("tab", name="Pending").click()
    expect(page.get_by_role("button", name="Accept carol")).to_be_visible()
    found += axe_violations(page, "friends")

    assert not found, f"{theme} theme:\n" + "\n".join(found)


def test_keyboard_paths(live, new_context, seeded):  # type: ignore[no-untyped-def]
    gid, ids, _ = seeded
    page = login(new_context(), live.url, "alice", f"/channels/{gid}/{ids['general']}")
    expect(message(page, "a reply with a link")).to_be_visible()

    # The skip link is the first thing Tab reaches; it lands in the composer.
    page.locator("body").focus()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the conversation")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(composer(page)).to_be_focused()

    # The composer's focus is drawn (on the row round it: the textarea has no border).
    ring = page.locator(".composer-row").evaluate("el => getComputedStyle(el).outlineStyle")
    assert ring == "solid"

    # Switching channel with the keyboard hands focus to the new channel's composer;
    # a mouse click leaves focus where the click put it.
    link = page.locator('a.channel[data-channel="random"]')
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".chat-title")).to_contain_text("random")
    expect(composer(page)).to_be_focused()
    expect(composer(page)).to_have_attribute("aria-label", "Message #random")
    page.locator('a.channel[data-channel="general"]').click()
    expect(page.locator(".chat-title")).to_contain_text("general")
    expect(message(page, "a reply with a link")).to_be_visible()
    expect(composer(page)).not_to_be_focused()

    # The emoji picker: arrows move between emojis, a pick puts the emoji at the caret
    # and focus back in the composer; Escape gives focus back to the button that opened it.
    composer(page).fill("hi ")
    opener = page.get_by_role("button", name="Emoji")
    opener.focus()
    page.keyboard.press("Enter")
    picker = page.get_by_role("dialog", name="Emoji")
    items = picker.locator(".picker-item")
    expect(items.first).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(items.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(items.nth(9)).to_be_focused()  # 8 to a row
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowLeft")
    expect(items.first).to_be_focused()
    chosen = items.nth(1).get_attribute("aria-label")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(picker).to_have_count(0)
    expect(composer(page)).to_have_value(f"hi {chosen}")
    expect(composer(page)).to_be_focused()
    opener.focus()
    page.keyboard.press("Enter")
    expect(items.first).to_be_focused()
    page.keyboard.press("Escape")
    expect(picker).to_have_count(0)
    expect(opener).to_be_focused()

    # A reaction picked from a message's toolbar gives focus back to its React button.
    msg = message(page, "a reply with a link")
    msg.focus()
    react = msg.get_by_role("button", name="Add reaction")
    react.focus()
    page.keyboard.press("Enter")
    expect(items.first).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(picker).to_have_count(0)
    expect(react).to_be_focused()

    # The sticker picker has the same keys: arrows by what is on screen (three to a
    # row), Home/End, Escape gives focus back to its button; Enter sends the sticker
    # and focus is back on the button before the picker goes.
    opener = page.get_by_role("button", name="Stickers")
    opener.focus()
    page.keyboard.press("Enter")
    stickers = page.get_by_role("dialog", name="Stickers")
    items = stickers.locator(".picker-item")
    expect(items).to_have_count(4)
    expect(items.first).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(items.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(items.nth(3)).to_be_focused()  # the row below has only the fourth
    page.keyboard.press("ArrowUp")
    expect(items.first).to_be_focused()  # the nearest in the row above
    page.keyboard.press("End")
    expect(items.nth(3)).to_be_focused()
    page.keyboard.press("Home")
    expect(items.first).to_be_focused()
    page.keyboard.press("Escape")
    expect(stickers).to_have_count(0)
    expect(opener).to_be_focused()

    page.keyboard.press("Enter")
    expect(items.first).to_be_focused()
    page.keyboard.press("ArrowRight")
    chosen = items.nth(1).get_attribute("aria-label")
    assert chosen and chosen.startswith("Sticker: ")
    page.keyboard.press("Enter")
    expect(stickers).to_have_count(0)
    expect(opener).to_be_focused()
    expect(page.get_by_role("log").get_by_role("img", name=chosen)).to_be_visible()
