"""Issue 12 in the browser: replies, mentions, unread state from the server, edit
history and search filters, between two people in two browsers against the real server."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import register as api_user
from tests.web.helpers import composer, join, login, message, png_bytes, seed_guild, send

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def wait_until(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Polls a server-side condition (the browser's ack travels on its own)."""
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def club(live):  # type: ignore[no-untyped-def]
    """alice owns "Club" with #general and #random; bob is a member. REST sessions."""
    alice = api_user(live.url, "alice")
    bob = api_user(live.url, "bob")
    gid, ids = seed_guild(live.url, alice, "Club", ["general", "random"])
    join(live.url, alice, bob, gid)
    return alice, bob, gid, ids


def post(base: str, who, cid: int, content: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    r = who.post(f"{base}/api/channels/{cid}/messages", json={"content": content, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def channel_link(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f'a.channel[data-channel="{name}"]')


def read_state(base: str, who, cid: int) -> dict:  # type: ignore[no-untyped-def]
    states = who.get(f"{base}/api/users/@me/read-states").json()
    return next(s for s in states if s["channel_id"] == cid)


def test_reply_between_two_browsers(live, new_context, club):  # type: ignore[no-untyped-def]
    alice_api, _, gid, ids = club
    cid = ids["general"]
    bob = login(new_context(), live.url, "bob", f"/channels/{gid}/{cid}")
    alice = login(new_context(), live.url, "alice", f"/channels/{gid}/{cid}")
    send(bob, "what time is the meeting?")
    original = message(alice, "what time is the meeting?")

    # The hover action opens the bar; Escape in the composer cancels it.
    original.hover()
    original.get_by_role("button", name="Reply").click()
    bar = alice.get_by_test_id("reply-bar")
    expect(bar).to_contain_text("Replying to bob")
    expect(composer(alice)).to_be_focused()
    composer(alice).press("Escape")
    expect(bar).to_have_count(0)

    original.hover()
    original.get_by_role("button", name="Reply").click()
    expect(bar).to_contain_text("what time is the meeting?")
    send(alice, "at five")
    expect(bar).to_have_count(0)

    # Bob sees the quote; the reply mentions him, so it is highlighted for him.
    reply = message(bob, "at five")
    quote = reply.get_by_test_id("reply-quote")
    expect(quote).to_contain_text("@bob")
    expect(quote).to_contain_text("what time is the meeting?")
    expect(reply).to_have_class(re.compile(r"\bmentioned\b"))
    expect(message(alice, "at five")).not_to_have_class(re.compile(r"\bmentioned\b"))
    # The server stored the reference.
    stored = alice_api.get(f"{live.url}/api/channels/{cid}/messages?limit=5").json()["messages"]
    answer = next(m for m in stored if m["content"] == "at five")
    assert answer["reply_to"]["username"] == "bob"

    # Clicking the quote jumps to (highlights) the original.
    quote.click()
    expect(message(bob, "what time is the meeting?").first).to_have_class(
        re.compile(r"\bhighlight\b")
    )
    reply.screenshot(path=str(SHOTS / "reply.png"))

    # The original is deleted (by the owner): the quote says so, live.
    assert alice_api.delete(f"{live.url}/api/messages/{answer['reply_to']['id']}").ok
    expect(message(bob, "at five").get_by_test_id("reply-quote")).to_have_text(
        re.compile("Original message was deleted")
    )
    # And after a reload, from the server's {id, deleted: true}.
    bob.reload()
    expect(message(bob, "at five").get_by_test_id("reply-quote")).to_contain_text(
        "Original message was deleted"
    )


def test_mention_autocomplete_badge_and_highlight(live, new_context, club):  # type: ignore[no-untyped-def]
    _, bob_api, gid, ids = club
    bob = login(new_context(), live.url, "bob", f"/channels/{gid}/{ids['random']}")
    alice = login(new_context(), live.url, "alice", f"/channels/{gid}/{ids['general']}")

    # "@b" lists bob (and @everyone for the owner); arrows move, Enter picks.
    box = composer(alice)
    box.press_sequentially("hey @b")
    options = alice.get_by_test_id("mention-list").get_by_role("option")
    expect(options.first).to_have_text(re.compile("bob"))
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    box.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    alice.screenshot(path=str(SHOTS / "mention-autocomplete.png"))
    box.press("Enter")
    expect(box).to_have_value("hey @bob ")
    expect(alice.get_by_test_id("mention-list")).to_have_count(0)
    # "#ran" + Tab: a channel link.
    box.press_sequentially("see #ran")
    expect(alice.get_by_test_id("mention-list").get_by_role("option")).to_have_text(
        re.compile("random")
    )
    box.press("Tab")
    expect(box).to_have_value("hey @bob see #random ")
    box.press("Enter")

    # The server got tokens; the text shows names.
    sent = message(alice, "hey @bob see #random")
    expect(sent.locator(".mention", has_text="@bob")).to_be_visible()
    expect(sent.get_by_role("link", name="#random")).to_be_visible()

    # Bob, looking at #random, gets a mention badge on #general and on the guild.
    link = channel_link(bob, "general")
    # The name starts with what the row shows, "general 1" (label-in-name, WCAG 2.5.3).
    expect(link).to_have_attribute("aria-label", "general, 1 mention (unread)")
    expect(link.get_by_test_id("mention-badge")).to_have_text("1")
    servers = bob.get_by_role("navigation", name="Servers")
    rail = servers.get_by_role("link", name="Club, 1 mention (unread)")
    expect(rail.get_by_test_id("mention-badge")).to_have_text("1")
    bob.locator(".sidebar").screenshot(path=str(SHOTS / "mention-badge.png"))

    # Opening it: the message is highlighted for him, his name too; badges go.
    link.click()
    row = message(bob, "hey @bob")
    expect(row).to_have_class(re.compile(r"\bmentioned\b"))
    expect(row.locator(".mention.me")).to_have_text("@bob")
    expect(bob.get_by_test_id("mention-badge")).to_have_count(0)
    bob.screenshot(path=str(SHOTS / "mention-highlight.png"))
    wait_until(
        lambda: read_state(live.url, bob_api, ids["general"])["mention_count"] == 0,
        "bob's ack of #general",
    )


def test_unread_from_the_server_survives_reload_and_clears(live, new_context, club):  # type: ignore[no-untyped-def]
    alice_api, bob_api, gid, ids = club
    general, random = ids["general"], ids["random"]
    post(live.url, alice_api, general, "before bob looked")
    bob = login(new_context(), live.url, "bob", f"/channels/{gid}/{general}")
    expect(message(bob, "before bob looked")).to_be_visible()
    wait_until(lambda: read_state(live.url, bob_api, general)["unread_count"] == 0, "first ack")
    bob.locator('a.channel[data-channel="random"]').click()

    # Another user's messages: unread mark (count in the title), not yet read.
    post(live.url, alice_api, general, "news one")
    post(live.url, alice_api, general, "news two")
    link = channel_link(bob, "general")
    expect(link).to_have_attribute("aria-label", re.compile(r"\(unread\)"))
    expect(bob).to_have_title(re.compile(r"^\(2\) "))

    # A reload keeps it: the server holds the read state.
    bob.reload()
    expect(link).to_have_attribute("aria-label", re.compile(r"\(unread\)"))
    assert read_state(live.url, bob_api, general)["unread_count"] == 2

    # Viewing it: the divider sits above the first unread message, and it is read.
    link.click()
    first = message(bob, "news one")
    expect(first.locator(".new-divider")).to_be_attached()
    expect(message(bob, "news two").locator(".new-divider")).to_have_count(0)
    expect(bob.get_by_test_id("new-messages-bar")).to_contain_text("2 new messages since")
    expect(link).to_have_attribute("aria-label", "general")
    bob.screenshot(path=str(SHOTS / "unread-divider.png"))
    wait_until(lambda: read_state(live.url, bob_api, general)["unread_count"] == 0, "view ack")
    bob.get_by_test_id("new-messages-bar").get_by_role("button", name="Mark as read").click()
    expect(bob.get_by_test_id("new-messages-bar")).to_have_count(0)
    expect(first.locator(".new-divider")).to_have_count(0)

    # "Mark as read" on the row, without opening the channel.
    bob.locator('a.channel[data-channel="random"]').click()
    post(live.url, alice_api, general, "news three")
    expect(link).to_have_attribute("aria-label", re.compile(r"\(unread\)"))
    bob.locator(".channel-row", has=link).hover()
    bob.get_by_role("button", name="Mark as read: general").click()
    expect(link).to_have_attribute("aria-label", "general")
    wait_until(lambda: read_state(live.url, bob_api, general)["unread_count"] == 0, "mark read")

    # A channel created while bob is online starts at 0 on the server: reading it must
    # be acked too, or a reload brings it back as unread.
    def new_channel(name: str) -> int:
        r = alice_api.post(f"{live.url}/api/guilds/{gid}/channels", json={"name": name})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    fresh = new_channel("fresh")
    fresh_link = channel_link(bob, "fresh")
    expect(fresh_link).to_be_visible()
    post(live.url, alice_api, fresh, "first in fresh")
    expect(fresh_link).to_have_attribute("aria-label", re.compile(r"\(unread\)"))
    fresh_link.click()
    expect(message(bob, "first in fresh")).to_be_visible()
    wait_until(lambda: read_state(live.url, bob_api, fresh)["unread_count"] == 0, "fresh ack")

    # Reload. #other is unread only on the server (the room history alone would seed it
    # as read), so once it shows, the server's list is in: #general and #fresh stay read.
    post(live.url, alice_api, new_channel("other"), "ping")
    bob.goto(f"{live.url}/channels/{gid}/{random}")
    expect(channel_link(bob, "other")).to_have_attribute("aria-label", re.compile(r"\(unread\)"))
    expect(link).to_have_attribute("aria-label", "general")
    expect(fresh_link).to_have_attribute("aria-label", "fresh")


def test_edit_history_shows_the_old_text(live, new_context, club):  # type: ignore[no-untyped-def]
    alice_api, _, gid, ids = club
    cid = ids["general"]
    m = post(live.url, alice_api, cid, "first draft")
    r = alice_api.put(f"{live.url}/api/messages/{m['id']}", json={"content": "second draft"})
    assert r.status_code == 200, r.text
    bob = login(new_context(), live.url, "bob", f"/channels/{gid}/{cid}")
    alice = login(new_context(), live.url, "alice", f"/channels/{gid}/{cid}")

    # One more edit through the UI (composer ↑), seen live by bob.
    composer(alice).press("ArrowUp")
    editor = alice.get_by_role("textbox", name="Edit message")
    editor.fill("final text")
    editor.press("Enter")
    row = message(bob, "final text")
    row.get_by_role("button", name=re.compile(r"\(edited\)")).click()
    dialog = bob.get_by_role("dialog", name="Edit history")
    versions = dialog.get_by_test_id("edit-history").locator("li")
    expect(versions).to_have_count(3)
    expect(versions.nth(0)).to_contain_text("first draft")
    expect(versions.nth(1)).to_contain_text("second draft")
    expect(versions.nth(2)).to_contain_text("final text")
    expect(versions.nth(2)).to_contain_text("Current version")
    bob.screenshot(path=str(SHOTS / "edit-history.png"))
    bob.keyboard.press("Escape")
    expect(dialog).to_have_count(0)


def test_search_filters_from_and_has(live, new_context, club):  # type: ignore[no-untyped-def]
    alice_api, bob_api, gid, ids = club
    cid = ids["general"]
    up = alice_api.post(
        f"{live.url}/api/upload", files={"file": ("chart.png", png_bytes(), "image/png")}
    )
    assert up.status_code == 201, up.text
    post(live.url, alice_api, cid, "quarterly report chart", files=[up.json()["path"]])
    post(live.url, bob_api, cid, "quarterly report draft")
    post(live.url, alice_api, ids["random"], "quarterly report elsewhere")
    for i in range(40):  # push the hits out of the first page
        post(live.url, bob_api, cid, f"filler {i}")
    alice = login(new_context(), live.url, "alice", f"/channels/{gid}/{cid}")
    expect(message(alice, "filler 39")).to_be_visible()
    box = alice.get_by_role("searchbox", name="Search messages")
    results = alice.get_by_test_id("search-results")

    # Each search's single hit (the text differs from the previous one's, so a stale
    # list never passes).
    for query, hit in [
        ("quarterly from:bob", "quarterly report draft"),
        ("report has:image", "quarterly report chart"),
        ("quarterly in:random", "quarterly report elsewhere"),
    ]:
        box.fill(query)
        box.press("Enter")
        expect(results).to_contain_text(hit)
        expect(results.locator("li")).to_have_count(1)
        # The words the server matched are marked.
        expect(results.locator("mark").first).to_have_text(re.compile(query.split()[0], re.I))

    # An unknown user is said, not sent.
    box.fill("quarterly from:nobody")
    box.press("Enter")
    expect(alice.get_by_text("No member named “nobody” in this server.")).to_be_visible()

    box.fill("report from:alice has:image")
    box.press("Enter")
    expect(results.locator("li")).to_have_count(1)
    alice.screenshot(path=str(SHOTS / "search-filters.png"))
    results.get_by_role("button").first.click()
    expect(message(alice, "quarterly report chart")).to_have_class(re.compile(r"\bhighlight\b"))
