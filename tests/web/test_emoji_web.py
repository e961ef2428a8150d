"""Custom emojis and stickers: added in the server settings, used in text, reactions
and the sticker picker, seen by the other member."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import register as api_user
from tests.web.helpers import club, composer, join, login, message, png_bytes, seed_guild, send

pytestmark = pytest.mark.e2e


def test_custom_emoji_and_sticker(live, new_context, tmp_path):
    path = club(live.url)
    alice = login(new_context(), live.url, "alice", path)

    emoji_file = tmp_path / "party.png"
    emoji_file.write_bytes(png_bytes((230, 200, 0)))
    sticker_file = tmp_path / "cat.png"
    sticker_file.write_bytes(png_bytes((0, 90, 200)))
    alice.get_by_role("button", name="Server settings").click()
    dialog = alice.get_by_role("dialog")
    dialog.get_by_role("button", name="Emoji & stickers").click()
    add_emoji = dialog.get_by_role("group", name="Add emoji")
    add_emoji.get_by_label("Name").fill("party")
    add_emoji.get_by_label("File").set_input_files(emoji_file)
    add_emoji.get_by_role("button", name="Add emoji").click()
    expect(dialog.get_by_role("list", name="Server emojis")).to_contain_text(":party:")
    add_sticker = dialog.get_by_role("group", name="Add sticker")
    add_sticker.get_by_label("Name").fill("cat")
    add_sticker.get_by_label("File").set_input_files(sticker_file)
    add_sticker.get_by_role("button", name="Add sticker").click()
    expect(dialog.get_by_role("list", name="Stickers")).to_contain_text("cat")
    alice.keyboard.press("Escape")

    bob = login(new_context(), live.url, "bob", path)

    # In text: the emoji picker inserts :party:, shown as the image on both sides.
    composer(alice).fill("let's ")
    alice.get_by_role("button", name="Emoji", exact=True).click()
    alice.get_by_role("dialog", name="Emoji").get_by_role("button", name=":party:").click()
    expect(composer(alice)).to_have_value("let's :party:")
    composer(alice).press("Enter")
    expect(message(bob, "let's").locator("img.emoji[alt=':party:']")).to_be_visible()

    # As a reaction.
    send(bob, "react here")
    target = message(alice, "react here")
    target.hover()
    target.get_by_role("button", name="Add reaction").click()
    alice.get_by_role("dialog", name="Emoji").get_by_role("button", name=":party:").click()
    chip = message(bob, "react here").get_by_role("button", name=":party: 1")
    expect(chip.locator("img")).to_be_visible()

    # A sticker.
    alice.get_by_role("button", name="Stickers").click()
    alice.get_by_role("button", name="Sticker: cat").click()
    expect(bob.get_by_role("img", name="Sticker: cat")).to_be_visible()


def test_new_emojis_and_stickers_reach_members_without_a_reload(live, new_context):
    alice_api, bob_api = api_user(live.url, "alice"), api_user(live.url, "bob")
    gid, ids = seed_guild(live.url, alice_api, "Club", ["general"])
    join(live.url, alice_api, bob_api, gid)
    bob = login(new_context(), live.url, "bob", f"/channels/{gid}/{ids['general']}")
    bob.get_by_role("button", name="Emoji", exact=True).click()
    picker = bob.get_by_role("dialog", name="Emoji")
    expect(picker.get_by_role("button", name=":wave:")).to_have_count(0)

    r = alice_api.post(
        f"{live.url}/api/guilds/{gid}/emojis",
        files={"file": ("w.png", png_bytes((0, 200, 0)), "image/png")},
        data={"name": "wave"},
    )
    assert r.status_code == 201, r.text
    emoji_id = r.json()["id"]
    r = alice_api.post(
        f"{live.url}/api/guilds/{gid}/stickers",
        files={"file": ("d.png", png_bytes((0, 0, 200)), "image/png")},
        data={"name": "dog"},
    )
    assert r.status_code == 201, r.text

    # The open picker shows it, and a message using it renders the image.
    expect(picker.get_by_role("button", name=":wave:")).to_be_visible()
    bob.keyboard.press("Escape")
    alice_api.post(
        f"{live.url}/api/channels/{ids['general']}/messages", json={"content": "hi :wave:"}
    )
    expect(message(bob, "hi").locator("img.emoji[alt=':wave:']")).to_be_visible()
    bob.get_by_role("button", name="Stickers").click()
    expect(bob.get_by_role("button", name="Sticker: dog")).to_be_visible()
    bob.keyboard.press("Escape")

    # Deleted: gone from the picker, the text shows as typed.
    assert alice_api.delete(f"{live.url}/api/emojis/{emoji_id}").status_code == 200
    bob.get_by_role("button", name="Emoji", exact=True).click()
    expect(picker.get_by_role("button", name=":wave:")).to_have_count(0)
    expect(message(bob, "hi :wave:").locator("img.emoji")).to_have_count(0)
