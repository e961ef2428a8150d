"""What a Discord user expects of the client (issue 17): a new server's #general, the
remembered channel, the quick switcher and Alt+arrows, date separators, jump to
present, Markdown spoilers and quotes, the image viewer and the first-run hint."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import register as api_user
from tests.web.helpers import (
    create_channel,
    create_guild,
    join,
    login,
    message,
    open_channel,
    png_bytes,
    register,
    seed_guild,
    send,
)

pytestmark = pytest.mark.e2e


def _backdate(live, ids: list[int], days: int) -> None:  # type: ignore[no-untyped-def]
    """Moves messages `days` back in the server's database (either engine), as if they
    had been written then: the API has no way to post in the past."""
    from sqlalchemy import update
    from sqlalchemy.ext.asyncio import create_async_engine

    from guildhall.config import Settings
    from guildhall.models.message import Message

    settings = Settings(
        data_dir=Path(live.data_dir), database_url=live.env.get("GUILDHALL_DATABASE_URL")
    )

    async def run() -> None:
        engine = create_async_engine(settings.resolved_database_url)
        try:
            async with engine.begin() as conn:
                when = datetime.now(UTC) - timedelta(days=days)
                for n, mid in enumerate(ids):
                    await conn.execute(
                        update(Message)
                        .where(Message.id == mid)
                        .values(created_at=when + timedelta(seconds=n))
                    )
        finally:
            await engine.dispose()

    # Playwright's event loop runs on this thread: asyncio.run() gets a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def test_new_server_starts_with_general_and_channel_is_remembered(live, new_context):  # type: ignore[no-untyped-def]
    alice = register(new_context(), live.url, "alice")
    create_guild(alice, "Club")
    # Made in the client: #general exists and is open, ready to type in.
    expect(alice.locator(".chat-title")).to_contain_text("general")
    expect(alice).to_have_url(re.compile(r"/channels/\d+/\d+$"))
    create_channel(alice, "random")
    open_channel(alice, "random")
    gid = re.search(r"/channels/(\d+)", alice.url).group(1)  # type: ignore[union-attr]

    # Away (home) and back through the server's icon: #random again, not the first channel.
    alice.get_by_role("navigation", name="Servers").get_by_role("link", name="Home").click()
    expect(alice.locator(".chat-title")).to_have_text("Friends")
    alice.get_by_role("navigation", name="Servers").get_by_role("link", name="Club").click()
    expect(alice.locator(".chat-title")).to_contain_text("random")
    # Also across a reload of the bare server address.
    alice.goto(f"{live.url}/channels/{gid}")
    expect(alice.locator(".chat-title")).to_contain_text("random")

    # The API itself still makes a bare server (the contract's positions).
    owner = api_user(live.url, "bob")
    bare, _ = seed_guild(live.url, owner, "Bare", [])
    assert owner.get(f"{live.url}/api/guilds/{bare}/channels").json() == []


def test_quick_switcher_and_alt_arrows(live, new_context):  # type: ignore[no-untyped-def]
    owner = api_user(live.url, "alice")
    gid, ids = seed_guild(live.url, owner, "Club", ["alpha", "beta", "gamma"])
    other, _ = seed_guild(live.url, owner, "Second", ["elsewhere"])
    page = login(new_context(), live.url, "alice", f"/channels/{gid}/{ids['alpha']}")
    expect(page.locator(".chat-title")).to_contain_text("alpha")

    page.keyboard.press("Control+k")
    switcher = page.get_by_role("dialog", name="Quick switcher")
    expect(switcher).to_be_visible()
    box = switcher.get_by_role("combobox")
    expect(box).to_be_focused()
    box.fill("gam")
    expect(switcher.get_by_role("option").first).to_have_text(re.compile("gamma"))
    box.press("Enter")
    expect(switcher).to_have_count(0)
    expect(page.locator(".chat-title")).to_contain_text("gamma")
    expect(page.locator(".composer textarea")).to_be_focused()

    # Nothing matches: said so; Escape closes.
    page.keyboard.press("Control+k")
    switcher.get_by_role("combobox").fill("zzzz")
    expect(switcher.get_by_role("status")).to_have_text("Nothing matches.")
    page.keyboard.press("Escape")
    expect(switcher).to_have_count(0)

    # Arrow keys pick: a server by name.
    page.keyboard.press("Control+k")
    switcher.get_by_role("combobox").fill("Second")
    expect(switcher.get_by_role("option", selected=True)).to_contain_text("Second")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/channels/{other}/\d+$"))
    expect(page.locator(".chat-title")).to_contain_text("elsewhere")

    # Alt+Up/Down walk the open server's channels, wrapping around.
    page.goto(f"{live.url}/channels/{gid}/{ids['beta']}")
    expect(page.locator(".chat-title")).to_contain_text("beta")
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator(".chat-title")).to_contain_text("alpha")
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator(".chat-title")).to_contain_text("gamma")
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator(".chat-title")).to_contain_text("alpha")


def test_date_separators_and_jump_to_present(live, new_context):  # type: ignore[no-untyped-def]
    owner = api_user(live.url, "alice")
    gid, ids = seed_guild(live.url, owner, "Club", ["general"])
    cid = ids["general"]
    sent = []
    for n in range(90):
        r = owner.post(f"{live.url}/api/channels/{cid}/messages", json={"content": f"line {n}"})
        assert r.status_code == 201, r.text
        sent.append(r.json()["id"])
    _backdate(live, sent[:45], days=3)

    page = login(new_context(), live.url, "alice", f"/channels/{gid}/{cid}")
    log = page.get_by_role("log")
    expect(message(page, "line 89")).to_be_visible()
    # The first of today's messages has a "Today" separator above it, none elsewhere today.
    first_today = message(page, "line 45")
    first_today.scroll_into_view_if_needed()
    expect(first_today.get_by_role("separator", name="Today")).to_be_visible()
    expect(message(page, "line 46").get_by_role("separator")).to_have_count(0)
    # A new day starts a new group: the author's name is shown again.
    expect(first_today.locator(".author")).to_have_text("alice")
    expect(message(page, "line 46").locator(".author")).to_have_count(0)

    # At the bottom there is no bar; scrolled far up, "Jump to present" appears.
    log.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    bar = page.get_by_test_id("jump-to-present")
    expect(bar).to_have_count(0)
    # The first page is 50 of the 90: reaching its top loads the rest above, and the
    # view stays on what it showed (about a screen above the newest, so no bar, and
    # whether the bar was caught in between depends on how fast that page came). With
    # the whole history in, the channel's top is far up.
    to_top = "el => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); }"
    log.evaluate(to_top)
    expect(log).to_contain_text("This is the beginning of #general.")
    log.evaluate(to_top)
    expect(bar).to_be_visible()
    # The older day's separator shows its date (older rows loaded on the way up).
    day = (datetime.now() - timedelta(days=3)).strftime("%B %-d, %Y")
    expect(page.get_by_role("separator", name=day).first).to_be_attached()
    bar.get_by_role("button", name=re.compile("Jump to present")).click()
    expect(bar).to_have_count(0)
    expect(message(page, "line 89")).to_be_in_viewport()


def test_markdown_spoilers_quotes_strike(live, new_context):  # type: ignore[no-untyped-def]
    owner = api_user(live.url, "alice")
    gid, ids = seed_guild(live.url, owner, "Club", ["general"])
    page = login(new_context(), live.url, "alice", f"/channels/{gid}/{ids['general']}")
    send(page, "the ending is ||they were ghosts|| and ~~no~~ yes")
    row = message(page, "the ending is")
    spoiler = row.get_by_role("button", name="Spoiler: click to show")
    expect(spoiler).to_be_visible()
    expect(row.locator(".spoiler-text")).to_be_hidden()
    expect(row.locator("s")).to_have_text("no")
    spoiler.click()
    expect(row.locator(".spoiler.revealed .spoiler-text")).to_have_text("they were ghosts")
    expect(row.locator(".spoiler-text")).to_be_visible()

    box = page.locator(".composer textarea")
    box.fill("> quoted *words*")
    box.press("Shift+Enter")
    box.press_sequentially("my answer")
    box.press("Enter")
    row = message(page, "my answer")
    expect(row.locator("blockquote")).to_have_text("quoted words")
    expect(row.locator("blockquote em")).to_have_text("words")
    expect(row.get_by_test_id("content")).to_contain_text("my answer")


def test_image_viewer(live, new_context):  # type: ignore[no-untyped-def]
    owner = api_user(live.url, "alice")
    gid, ids = seed_guild(live.url, owner, "Club", ["general"])
    page = login(new_context(), live.url, "alice", f"/channels/{gid}/{ids['general']}")
    page.get_by_test_id("file-input").set_input_files(
        {"name": "red.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    expect(page.locator(".uploads img.thumb")).to_be_visible()
    send(page, "look at this")
    thumb = message(page, "look at this").get_by_role("img", name="red.png")
    expect(thumb).to_be_visible()
    thumb.click()
    viewer = page.get_by_role("dialog", name="Image: red.png")
    expect(viewer).to_be_visible()
    expect(viewer.get_by_role("img", name="red.png")).to_be_visible()
    expect(viewer.get_by_role("link", name="Open original")).to_have_attribute(
        "href", re.compile(r"^/uploads/.+red\.png$")
    )
    # The page did not navigate away to the file.
    assert "/channels/" in page.url
    page.keyboard.press("Escape")
    expect(viewer).to_have_count(0)
    thumb.click()
    page.get_by_role("button", name="Close image").click()
    expect(viewer).to_have_count(0)


def test_first_run_hint(live, new_context):  # type: ignore[no-untyped-def]
    owner = api_user(live.url, "bob")
    gid, _ = seed_guild(live.url, owner, "Book club", ["general"])
    code = owner.post(f"{live.url}/api/guilds/{gid}/invites", json={}).json()["code"]

    page = register(new_context(), live.url, "alice")
    hint = page.get_by_role("region", name="Welcome to Guildhall!")
    expect(hint).to_be_visible()
    field = hint.get_by_label("Invite link or code")
    field.fill("not an invite!")
    hint.get_by_role("button", name="Join").click()
    expect(hint.get_by_role("alert")).to_have_text("That is not an invite link.")
    field.fill(f"https://chat.example.org/invite/{code}")
    hint.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="Book club")).to_be_visible()
    page.get_by_role("button", name="Join Book club").click()
    expect(page.locator(".chat-title")).to_contain_text("general")
    page.get_by_role("navigation", name="Servers").get_by_role("link", name="Home").click()
    expect(page.locator(".chat-title")).to_have_text("Friends")
    expect(hint).to_have_count(0)

    # "Create your own server" opens the same dialog as the rail's +.
    carol = register(new_context(), live.url, "carol")
    carol.get_by_role("button", name="Create your own server").click()
    expect(carol.get_by_role("dialog").get_by_label("Server name")).to_be_focused()


def test_invites_page_lists_and_revokes(live, new_context):  # type: ignore[no-untyped-def]
    owner = api_user(live.url, "alice")
    gid, ids = seed_guild(live.url, owner, "Club", ["general"])
    code = owner.post(f"{live.url}/api/guilds/{gid}/invites", json={"max_uses": 5}).json()["code"]
    bob = api_user(live.url, "bob")
    join(live.url, owner, bob, gid)
    page = login(new_context(), live.url, "alice", f"/channels/{gid}/{ids['general']}")
    page.get_by_role("button", name="Server settings").click()
    page.get_by_role("button", name="Invites").click()
    table = page.get_by_role("table", name="Invites")
    row = table.locator(f'tr[data-invite="{code}"]')
    expect(row).to_contain_text("0 of 5 uses")
    row.get_by_role("button", name=f"Revoke invite {code}").click()
    expect(row).to_have_count(0)
    assert live and owner.get(f"{live.url}/api/invites/{code}").status_code == 404
