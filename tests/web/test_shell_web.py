"""Around the chat: voice channels, errors in the UI's language, the tab title."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import register as api_user
from tests.web.helpers import PASSWORD, Held, composer, join, login, open_channel, seed_guild

pytestmark = pytest.mark.e2e


def test_a_voice_channel_is_listed_but_not_joinable(live, new_context):
    alice_api, bob_api = api_user(live.url, "alice"), api_user(live.url, "bob")
    gid, ids = seed_guild(live.url, alice_api, "Club", ["general"])
    r = alice_api.post(
        f"{live.url}/api/guilds/{gid}/channels", json={"name": "lobby", "type": "voice"}
    )
    assert r.status_code == 201, r.text
    voice_id = r.json()["id"]
    join(live.url, alice_api, bob_api, gid)
    page = login(new_context(), live.url, "bob", f"/channels/{gid}/{ids['general']}")

    row = page.locator('[data-channel="lobby"]')
    expect(row).to_have_attribute("aria-disabled", "true")
    expect(row).to_have_attribute("title", re.compile("cannot be joined"))
    expect(page.get_by_role("link", name=re.compile("lobby"))).to_have_count(0)
    row.click()
    expect(page).to_have_url(re.compile(rf"/channels/{gid}/{ids['general']}$"))

    # An old link to it says so, with no composer to fail in.
    page.goto(f"{live.url}/channels/{gid}/{voice_id}")
    expect(page.get_by_role("note")).to_contain_text("Voice channels cannot be joined")
    expect(composer(page)).to_have_count(0)
    expect(page.get_by_role("log")).to_have_count(0)


def test_errors_are_shown_once_in_the_ui_language(live, new_context):
    api_user(live.url, "alice")
    page = login(new_context(), live.url, "alice")
    page.evaluate("() => localStorage.setItem('lang', 'ru')")
    page.goto(f"{live.url}/channels/999999")
    alert = page.get_by_role("alert").filter(has_text="Сервер не найден.")
    expect(alert).to_have_count(1)
    # Settled: the other failing calls for the same cause did not add a second one.
    expect(page.locator(".toast")).to_have_count(1)
    expect(page.locator(".toast")).not_to_contain_text("Guild")


def test_the_tab_title_shows_the_channel_and_the_unread_count(live, new_context):
    alice_api, bob_api = api_user(live.url, "alice"), api_user(live.url, "bob")
    gid, ids = seed_guild(live.url, alice_api, "Club", ["general", "random"])
    join(live.url, alice_api, bob_api, gid)
    page = login(new_context(), live.url, "bob", f"/channels/{gid}/{ids['general']}")
    expect(page).to_have_title("#general · Guildhall")

    def post(channel: str, text: str) -> None:
        r = alice_api.post(
            f"{live.url}/api/channels/{ids[channel]}/messages", json={"content": text}
        )
        assert r.status_code == 201, r.text

    # The socket joins #random's room some time after the page shows: a message sent
    # before that arrives in the room's history, which counts as already read when the
    # read-state list has not come yet (a channel never seen starts read). Post until
    # one is counted, then count from there.
    counted = re.compile(r"^\((\d+)\) #general · Guildhall$")
    for i in range(20):
        post("random", f"warm-up {i}")
        try:
            expect(page).to_have_title(counted, timeout=1000)
            break
        except AssertionError:
            continue
    n = int(counted.match(page.title()).group(1))  # type: ignore[union-attr]
    for i in range(3):
        post("random", f"psst {i}")
    expect(page).to_have_title(f"({n + 3}) #general · Guildhall")
    # Messages in the channel on screen are read as they come.
    post("general", "hi")
    expect(page.get_by_role("log")).to_contain_text("hi")
    expect(page).to_have_title(f"({n + 3}) #general · Guildhall")

    open_channel(page, "random")
    expect(page).to_have_title("#random · Guildhall")


def test_a_message_the_room_history_brings_after_the_read_state_list_is_counted(live, new_context):
    """The order CI met by chance: the read-state list answers (#random: empty, read),
    then a message is sent, then the socket joins and the room's history brings it. It
    is unread and counted, so three more make four (not three: before the fix it showed
    as "at least one" and the next ones took its place)."""
    alice_api, bob_api = api_user(live.url, "alice"), api_user(live.url, "bob")
    gid, ids = seed_guild(live.url, alice_api, "Club", ["general", "random"])
    join(live.url, alice_api, bob_api, gid)
    page = new_context().new_page()
    socket = Held(page, re.compile(r".*/socket\.io/.*"))
    page.goto(f"{live.url}/login?next=/channels/{gid}/{ids['general']}")
    page.get_by_label("Username or email").fill("bob")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/api/users/@me/read-states")) as listed:
        page.get_by_role("button", name="Log in").click()
    assert listed.value.ok
    expect(page).to_have_title("#general · Guildhall")

    def post(text: str) -> None:
        r = alice_api.post(
            f"{live.url}/api/channels/{ids['random']}/messages", json={"content": text}
        )
        assert r.status_code == 201, r.text

    post("before the socket")
    socket.release()
    expect(page).to_have_title("(1) #general · Guildhall")
    for i in range(3):
        post(f"psst {i}")
    expect(page).to_have_title("(4) #general · Guildhall")
