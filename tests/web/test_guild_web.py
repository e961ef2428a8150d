"""Guild and channel administration by clicking, unread marks, search, history, settings."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import register as api_user
from tests.web.helpers import (
    club,
    composer,
    create_channel,
    create_guild,
    create_invite_link,
    join,
    login,
    message,
    open_channel,
    register,
    seed_guild,
    send,
)

pytestmark = pytest.mark.e2e


def test_owner_manages_channels_and_members_see_it_live(live, new_context):
    alice = register(new_context(), live.url, "alice")
    create_guild(alice, "Club")
    create_channel(alice, "Talk", kind="category")
    create_channel(alice, "lounge", category="Talk")
    create_channel(alice, "news")
    link = create_invite_link(alice)
    gid = int(re.search(r"/channels/(\d+)", alice.url).group(1))
    bob_api = api_user(live.url, "bob")
    code = link.rsplit("/", 1)[1]
    assert bob_api.post(f"{live.url}/api/invites/{code}/join").status_code == 200
    bob = login(new_context(), live.url, "bob", f"/channels/{gid}")
    expect(bob.locator('a.channel[data-channel="general"]')).to_be_visible()
    # The category groups its channel.
    talk = alice.get_by_role("region", name="Talk")
    expect(talk.locator('a.channel[data-channel="lounge"]')).to_be_visible()

    # Rename and make read-only: bob sees both without reloading, and cannot post.
    alice.get_by_role("button", name="Edit channel: news").click()
    dialog = alice.get_by_role("dialog")
    dialog.get_by_label("Name").fill("announcements")
    dialog.get_by_label("Read-only (only the owner can post)").check()
    dialog.get_by_role("button", name="Save").click()
    expect(bob.locator('a.channel[data-channel="announcements"]')).to_be_visible()
    open_channel(bob, "announcements")
    expect(bob.get_by_role("note")).to_contain_text("read-only")
    open_channel(alice, "announcements")
    send(alice, "owners may post here")
    expect(message(bob, "owners may post here")).to_be_visible()

    # Unread mark: bob looks at #general while alice posts in #announcements.
    open_channel(bob, "general")
    send(alice, "news for you")
    expect(bob.get_by_role("link", name="announcements (unread)")).to_be_visible()
    open_channel(bob, "announcements")
    expect(bob.get_by_role("link", name="announcements (unread)")).to_have_count(0)

    # Delete a channel; then the guild: it disappears from bob's rail.
    alice.get_by_role("button", name="Edit channel: announcements").click()
    alice.get_by_role("dialog").get_by_role("button", name="Delete channel").click()
    expect(bob.locator('a.channel[data-channel="announcements"]')).to_have_count(0)
    alice.get_by_role("button", name="Server settings").click()
    alice.get_by_role("button", name="Delete server").click()
    alice.get_by_role("button", name="Confirm").click()
    expect(
        bob.get_by_role("navigation", name="Servers").get_by_role("link", name="Club")
    ).to_have_count(0)
    expect(
        alice.get_by_role("navigation", name="Servers").get_by_role("link", name="Club")
    ).to_have_count(0)


def test_search_jumps_to_an_old_message_and_history_scrolls(live, new_context):
    alice_api = api_user(live.url, "alice")
    gid, ids = seed_guild(live.url, alice_api, "Archive", ["general"])
    cid = ids["general"]
    for i in range(160):
        text = f"old needle {i}" if i == 3 else f"filler message {i}"
        r = alice_api.post(f"{live.url}/api/channels/{cid}/messages", json={"content": text})
        assert r.status_code == 201, r.text
    page = login(new_context(), live.url, "alice", f"/channels/{gid}/{cid}")
    log = page.get_by_role("log")
    expect(message(page, "filler message 159")).to_be_visible()

    # Scrolling up loads older pages with the before cursor until the beginning.
    for _ in range(30):
        log.evaluate("el => { el.scrollTop = 0; }")
        page.wait_for_timeout(150)
        if page.get_by_text("This is the beginning of #general.").is_visible():
            break
    expect(page.get_by_text("This is the beginning of #general.")).to_be_visible()
    expect(message(page, "filler message 0")).to_be_visible()
    # All 160 are loaded, but only the rows near the viewport are in the DOM.
    assert log.locator("article.msg").count() < 100

    # Search, then jump to the hit from the newest page.
    page.reload()
    page.get_by_role("searchbox", name="Search messages").fill("needle")
    page.get_by_role("searchbox", name="Search messages").press("Enter")
    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("old needle 3")
    results.get_by_role("button").first.click()
    hit = message(page, "old needle 3")
    expect(hit).to_be_visible()
    expect(hit).to_have_class(re.compile("highlight"))
    page.get_by_role("button", name="Jump to present").click()
    expect(message(page, "filler message 159")).to_be_visible()


def test_settings_language_logout_and_phone_layout(live, new_context):
    alice_api = api_user(live.url, "alice")
    gid, ids = seed_guild(live.url, alice_api, "Club", ["general", "random"])
    page = login(
        new_context(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True),
        live.url,
        "alice",
        f"/channels/{gid}/{ids['general']}",
    )
    # Phone width: the channel list is a drawer behind the menu button.
    random_link = page.locator('a.channel[data-channel="random"]')
    expect(random_link).not_to_be_in_viewport()
    page.get_by_role("button", name="Open channels").click()
    expect(random_link).to_be_in_viewport()
    random_link.click()
    expect(page.locator(".chat-title")).to_contain_text("random")
    expect(random_link).not_to_be_in_viewport()
    send(page, "from the phone")
    expect(message(page, "from the phone")).to_be_visible()

    # Russian, switched in the settings; it sticks across a reload.
    page.get_by_role("button", name="Open channels").click()
    page.get_by_role("button", name="Settings", exact=True).click()
    page.get_by_role("button", name="Appearance").click()
    page.get_by_label("Language").select_option("ru")
    expect(page.get_by_role("dialog", name="Настройки пользователя")).to_be_visible()
    page.keyboard.press("Escape")
    page.reload()
    expect(composer(page)).to_have_attribute("placeholder", "Написать в #random")

    page.get_by_role("button", name="Открыть каналы").click()
    page.get_by_role("button", name="Настройки", exact=True).click()
    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_role("heading", name="С возвращением!")).to_be_visible()
    page.goto(live.url + f"/channels/{gid}")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_every_control_has_an_accessible_name_and_keyboard_works(live, new_context):
    alice_api = api_user(live.url, "alice")
    bob_api = api_user(live.url, "bob")
    gid, ids = seed_guild(live.url, alice_api, "Club", ["general"])
    join(live.url, alice_api, bob_api, gid)
    cid = ids["general"]
    bob_api.post(f"{live.url}/api/channels/{cid}/messages", json={"content": "hello"})
    page = login(new_context(), live.url, "alice", f"/channels/{gid}/{cid}")
    expect(message(page, "hello")).to_be_visible()
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('button, a[href], input, select, textarea')]
          .filter(el => !el.hidden && el.type !== 'hidden')
          .filter(el => {
            const label = el.getAttribute('aria-label') || el.textContent.trim()
              || (el.labels && el.labels.length && el.labels[0].textContent.trim())
              || el.getAttribute('title');
            return !label;
          }).map(el => el.outerHTML.slice(0, 120))"""
    )
    assert unnamed == []
    assert page.get_by_role("log").count() == 1

    # Keyboard: focus the composer, type, send with Enter; ArrowUp in the log moves
    # between messages.
    composer(page).focus()
    page.keyboard.type("typed with the keyboard")
    page.keyboard.press("Enter")
    expect(message(page, "typed with the keyboard")).to_be_visible()
    page.get_by_role("log").focus()
    page.keyboard.press("ArrowUp")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused and focused.startswith("alice")
    page.keyboard.press("ArrowUp")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused and focused.startswith("bob")
    # Dialogs close with Escape and give focus back.
    page.get_by_role("button", name="Create a server").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_a_member_leaves_and_the_owner_sees_it_live(live, new_context):
    path = club(live.url)
    alice = login(new_context(), live.url, "alice", path)
    bob = login(new_context(), live.url, "bob", path)
    expect(alice.get_by_test_id("member").filter(has_text="bob")).to_be_visible()
    bob.get_by_role("button", name="Server settings").click()
    bob.get_by_role("button", name="Leave server").click()
    expect(
        bob.get_by_role("navigation", name="Servers").get_by_role("link", name="Club")
    ).to_have_count(0)
    expect(alice.get_by_test_id("member").filter(has_text="bob")).to_have_count(0)


def test_a_refused_form_shows_the_error_next_to_the_field(live, new_context):
    page = register(new_context(), live.url, "alice")
    page.get_by_role("button", name="Create a server").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Server name").fill("   ")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog.locator("#name-error")).to_be_visible()
    expect(dialog.get_by_label("Server name")).to_have_attribute("aria-invalid", "true")
    # Nothing was created.
    expect(page.get_by_role("navigation", name="Servers").get_by_role("link")).to_have_count(1)
