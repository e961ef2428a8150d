"""Two people in two browsers: real-time chat and everything that must show up on
the other side without a reload. (Registering, making a guild and joining by an
invite link in the client: test_smoke_web.py and test_guild_web.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import register as api_user
from tests.web.helpers import (
    Held,
    composer,
    create_channel,
    join,
    message,
    open_channel,
    png_bytes,
    seed_guild,
    send,
    signed_in,
)

pytestmark = pytest.mark.e2e


def create_poll(page: Any, question: str, *options: str) -> None:
    page.get_by_role("button", name="Create poll").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Question").fill(question)
    for i, option in enumerate(options, 1):
        dialog.get_by_label(f"Option {i}").fill(option)
    dialog.get_by_role("button", name="Create").click()


@pytest.fixture
def pair(live, new_context):  # type: ignore[no-untyped-def]
    """alice owns "Book club" with #general and a "Talk" category; bob has joined;
    both have #general open. Made over REST, then each opens the client signed in
    (those screens have their own tests); most of a setup is still the server
    process and the two browser profiles."""
    alice_api, bob_api = api_user(live.url, "alice"), api_user(live.url, "bob")
    gid, ids = seed_guild(live.url, alice_api, "Book club", ["general"])
    talk = alice_api.post(
        f"{live.url}/api/guilds/{gid}/channels", json={"name": "Talk", "type": "category"}
    )
    assert talk.status_code == 201, talk.text
    join(live.url, alice_api, bob_api, gid)
    general = f"/channels/{gid}/{ids['general']}"
    alice_ctx, bob_ctx = new_context(), new_context()
    alice = signed_in(alice_ctx, live.url, alice_api, general)
    bob = signed_in(bob_ctx, live.url, bob_api, general)
    dialogs: list[str] = []
    for page in (alice, bob):
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        expect(page.locator(".chat-title")).to_contain_text("general")
    return alice, bob, alice_ctx, bob_ctx, dialogs


def test_chat_in_real_time(pair):  # type: ignore[no-untyped-def]
    alice, bob, _, _, dialogs = pair

    # Messages both ways; Shift+Enter is a newline, Enter sends.
    box = composer(alice)
    box.fill("hello bob")
    box.press("Shift+Enter")
    box.press_sequentially("second line")
    box.press("Enter")
    expect(message(bob, "hello bob")).to_contain_text("second line")
    send(bob, "hi **alice**")
    expect(message(alice, "hi alice").locator("strong")).to_have_text("alice")

    # Typing indicator.
    composer(bob).press_sequentially("typing something")
    expect(alice.get_by_test_id("typing")).to_have_text("bob is typing…")
    composer(bob).fill("")

    # The members list shows both, online.
    expect(alice.get_by_test_id("member").filter(has_text="bob")).to_have_class(
        re.compile("online")
    )

    # Reaction, through the picker.
    target = message(alice, "hi alice")
    target.hover()
    target.get_by_role("button", name="Add reaction").click()
    alice.get_by_role("dialog", name="Emoji").get_by_role("button", name="👍").click()
    expect(message(bob, "hi alice").get_by_role("button", name="👍 1")).to_be_visible()

    # Edit own message with Up on the empty composer.
    composer(alice).click()
    composer(alice).press("ArrowUp")
    editor = alice.get_by_role("log").get_by_label("Edit message")
    editor.fill("hello bob, edited")
    editor.press("Enter")
    expect(message(bob, "hello bob, edited")).to_contain_text("(edited)")

    # Pin bob's message (alice owns the guild), and the pins list shows it.
    msg = message(alice, "hi alice")
    msg.hover()
    msg.get_by_role("button", name="Pin").click()
    expect(message(bob, "hi alice").locator(".pin-mark")).to_be_visible()
    bob.get_by_role("button", name="Pinned messages").click()
    expect(bob.get_by_test_id("pins")).to_contain_text("hi alice")

    # Delete own message (with the confirmation dialog).
    send(alice, "to be deleted")
    expect(message(bob, "to be deleted")).to_be_visible()
    doomed = message(alice, "to be deleted")
    doomed.hover()
    doomed.get_by_role("button", name="Delete message").click()
    alice.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(message(bob, "to be deleted")).to_have_count(0)
    expect(message(alice, "to be deleted")).to_have_count(0)

    # Script in a message is shown as text and runs nothing.
    payload = "<img src=x onerror=alert(1)>"
    send(bob, payload)
    expect(message(alice, payload).get_by_test_id("content")).to_have_text(payload)
    assert alice.get_by_role("log").locator('img[src="x"]').count() == 0
    alice.wait_for_timeout(300)
    assert dialogs == []


def test_poll_vote_shows_live(pair):  # type: ignore[no-untyped-def]
    alice, bob, *_ = pair
    create_poll(alice, "Next book?", "Dune", "Emma")
    poll_on_bob = bob.get_by_role("group", name="Poll: Next book?")
    expect(poll_on_bob).to_be_visible()
    expect(poll_on_bob).to_contain_text(re.compile(r"Ends in"))
    poll_on_bob.get_by_role("button", name=re.compile(r"^Dune")).click()
    expect(poll_on_bob.get_by_role("button", name=re.compile(r"^Dune"))).to_have_attribute(
        "aria-pressed", "true"
    )
    poll_on_alice = alice.get_by_role("group", name="Poll: Next book?")
    expect(poll_on_alice.get_by_role("button", name="Dune: 1 vote")).to_be_visible()


def test_image_upload_previews_on_both_sides(pair):  # type: ignore[no-untyped-def]
    alice, bob, *_ = pair
    alice.get_by_test_id("file-input").set_input_files(
        {"name": "red.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    expect(alice.locator(".upload .thumb")).to_be_visible()
    send(alice, "a picture")
    for page in (alice, bob):
        img = message(page, "a picture").locator("img.preview")
        expect(img).to_have_attribute("src", re.compile(r"^/uploads/.+red\.png$"))
        page.wait_for_function(
            "el => el.complete && el.naturalWidth === 64", arg=img.element_handle()
        )


def test_dropped_socket_reconnects_and_fills_missed_messages(pair):  # type: ignore[no-untyped-def]
    alice, bob, _, bob_ctx, _ = pair
    send(alice, "before the drop")
    expect(message(bob, "before the drop")).to_be_visible()

    bob_ctx.set_offline(True)
    expect(bob.get_by_role("alert").filter(has_text="reconnecting")).to_be_visible()
    for i in range(3):
        send(alice, f"missed {i}")
    expect(message(alice, "missed 2")).to_be_visible()
    bob_ctx.set_offline(False)

    for i in range(3):
        expect(message(bob, f"missed {i}")).to_be_visible()
    expect(bob.get_by_role("alert").filter(has_text="reconnecting")).to_have_count(0)
    # And live delivery works again on the new socket.
    send(alice, "after the drop")
    expect(message(bob, "after the drop")).to_be_visible()


def test_the_edit_box_takes_focus_and_escape_closes_it(pair):  # type: ignore[no-untyped-def]
    alice, *_ = pair
    send(alice, "first words")
    expect(message(alice, "first words")).to_be_visible()
    expect(message(alice, "first words")).not_to_have_class(re.compile("pending"))

    # Up in the empty composer: the editor has the keyboard, not the composer.
    composer(alice).click()
    composer(alice).press("ArrowUp")
    editor = alice.get_by_role("log").get_by_label("Edit message")
    expect(editor).to_be_focused()
    alice.keyboard.type(" and more")
    expect(editor).to_have_value("first words and more")
    expect(composer(alice)).to_have_value("")
    alice.keyboard.press("Escape")
    expect(editor).to_have_count(0)
    expect(composer(alice)).to_be_focused()

    # The pencil, twice (the second time used to leave focus behind).
    for attempt in range(2):
        row = message(alice, "first words")
        row.hover()
        row.get_by_role("button", name="Edit").click()
        expect(editor).to_be_focused()
        alice.keyboard.press("End")
        alice.keyboard.type(f" {attempt}")
        alice.keyboard.press("Escape" if attempt == 0 else "Enter")
        expect(editor).to_have_count(0)
    expect(message(alice, "first words 1")).to_contain_text("(edited)")


def test_a_message_that_comes_while_the_first_page_is_on_its_way_stays(pair):  # type: ignore[no-untyped-def]
    # Bob opens a channel; the server answers its first page at once, but the page
    # reaches the client only after a new message came over the socket: that message
    # shows meanwhile, and the page, older than it, must not make it vanish.
    alice, bob, *_ = pair
    create_channel(alice, "second", category="Talk")
    first_page = re.compile(r".*/api/channels/\d+/messages\?limit=\d+$")
    answered: list[Any] = []
    bob.route(first_page, lambda route: answered.append((route, route.fetch())))
    open_channel(bob, "second")
    while not answered:
        bob.wait_for_timeout(20)  # lets Playwright dispatch the route
    open_channel(alice, "second")
    send(alice, "early bird")
    expect(message(alice, "early bird")).to_be_visible()
    expect(message(bob, "early bird")).to_be_visible()  # the socket's copy
    for route, response in answered:
        route.fulfill(response=response)
    bob.unroute(first_page)
    expect(message(bob, "early bird")).to_be_visible()


def test_a_message_deleted_while_offline_is_gone_after_reconnecting(pair):  # type: ignore[no-untyped-def]
    alice, bob, _, bob_ctx, _ = pair
    for text in ("stays", "goes away", "changes"):
        send(alice, text)
        expect(message(bob, text)).to_be_visible()

    bob_ctx.set_offline(True)
    expect(bob.get_by_role("alert").filter(has_text="reconnecting")).to_be_visible()
    doomed = message(alice, "goes away")
    doomed.hover()
    doomed.get_by_role("button", name="Delete message").click(modifiers=["Shift"])
    expect(message(alice, "goes away")).to_have_count(0)
    changed = message(alice, "changes")
    changed.hover()
    changed.get_by_role("button", name="Edit").click()
    editor = alice.get_by_role("log").get_by_label("Edit message")
    editor.fill("changed while you were away")
    editor.press("Enter")
    expect(message(alice, "changed while you were away")).to_be_visible()
    bob_ctx.set_offline(False)

    expect(bob.get_by_role("alert").filter(has_text="reconnecting")).to_have_count(0)
    expect(message(bob, "goes away")).to_have_count(0)
    expect(message(bob, "changed while you were away")).to_contain_text("(edited)")
    expect(message(bob, "stays")).to_be_visible()


def test_a_poll_read_answered_after_my_vote_does_not_undo_it(pair):  # type: ignore[no-untyped-def]
    # Bob's client reads the poll (for his own marks) when it shows. The server answers
    # that read at once, but the answer reaches the page only after his vote has
    # landed: it is older than what is on screen and must not replace it.
    alice, bob, *_ = pair
    answered: list[Any] = []

    def answer_now_deliver_later(route: Any) -> None:
        answered.append((route, route.fetch()))

    bob.route(re.compile(r".*/api/messages/\d+/poll$"), answer_now_deliver_later)
    create_poll(alice, "Lunch?", "Soup", "Salad")
    poll = bob.get_by_role("group", name="Poll: Lunch?")
    soup = poll.get_by_role("button", name=re.compile(r"^Soup"))
    expect(soup).to_be_visible()
    while not answered:
        bob.wait_for_timeout(20)  # lets Playwright dispatch the route
    soup.click()
    expect(poll.get_by_role("button", name="Soup: 1 vote")).to_have_attribute(
        "aria-pressed", "true"
    )
    for route, response in answered:  # the stale answer: no votes, none of them his
        route.fulfill(response=response)
    bob.unroute(re.compile(r".*/api/messages/\d+/poll$"))
    bob.wait_for_load_state("networkidle")
    expect(poll.get_by_role("button", name="Soup: 1 vote")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_my_poll_vote_shows_when_coming_from_another_channel(pair):  # type: ignore[no-untyped-def]
    alice, bob, *_ = pair
    create_channel(alice, "other", category="Talk")
    create_poll(alice, "Tea or coffee?", "Tea", "Coffee")
    poll = bob.get_by_role("group", name="Poll: Tea or coffee?")
    poll.get_by_role("button", name=re.compile(r"^Coffee")).click()
    coffee = poll.get_by_role("button", name=re.compile(r"^Coffee"))
    expect(coffee).to_have_attribute("aria-pressed", "true")

    # A fresh load of another channel, then over to the poll's. The room's history
    # (pushed on join) shows the poll at once; the page read comes later (held back
    # here to make the order certain) and used to wipe the votes fetched meanwhile.
    expect(bob.locator('a.channel[data-channel="other"]')).to_be_visible()
    open_channel(bob, "other")
    bob.reload()
    expect(bob.locator(".chat-title")).to_contain_text("other")
    page_read = re.compile(r"/api/channels/\d+/messages\?limit=50$")

    held = Held(bob, page_read)
    with bob.expect_response(page_read):
        open_channel(bob, "general")
        expect(coffee).to_be_visible()
        # The poll is on screen from the pushed history, the page read still held.
        held.release()
    # The page has landed and been merged (the log is no longer busy loading).
    expect(bob.get_by_role("log")).not_to_have_attribute("aria-busy", "true")
    expect(coffee).to_have_attribute("aria-pressed", "true")
    expect(poll.get_by_role("button", name=re.compile(r"^Tea"))).to_have_attribute(
        "aria-pressed", "false"
    )
